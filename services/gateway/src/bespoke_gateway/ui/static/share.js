// A shared design's read-only page, opened without signing in: the link's secret (in the
// page's address) asks the public API for the design version and its drawings. Ordering
// it goes through signing in, as the brand that owns it.
import { day, label, pairsDl, svgDataUrl, svgDescription } from "./app.js";

const secret = location.pathname.split("/").pop();

async function show() {
  const response = await fetch(`/api/v1/shared/${encodeURIComponent(secret)}`, { credentials: "omit" });
  if (!response.ok) {
    document.getElementById("shared-gone").hidden = false;
    return;
  }
  const design = await response.json();
  document.title = `${design.name} · Bespoke backoffice`;
  document.getElementById("shared-title").textContent = design.name;
  document.getElementById("shared-about").textContent = `Version ${design.version}, shared until ${day(design.expires_at.slice(0, 10))}.`;
  for (const [id, svg, view] of [["shared-side", design.side_svg, "side"], ["shared-top", design.top_svg, "top"]]) {
    const img = document.getElementById(id);
    img.src = svgDataUrl(svg);
    img.alt = `${svgDescription(svg)} (${view} view)`;
  }
  pairsDl(document.getElementById("shared-spec"), [
    ["Style", label(design.style)], ["Construction", label(design.construction)], ["Sole unit", label(design.sole_unit)],
    ...Object.entries(design.materials).map(([part, m]) => [label(part), `${label(m.material)}, ${label(m.colour)}`]),
    ["Elements", design.elements.length ? design.elements.map((e) => `${label(e.element)}: ${label(e.option)}${e.text ? ` “${e.text}”` : ""}`).join("; ") : "None"],
  ]);
  const order = document.getElementById("shared-order");
  const checkout = `/app/checkout?design=${encodeURIComponent(design.design_id)}&version=${design.version}`;
  order.href = "/app/sign-in?next=" + encodeURIComponent(checkout);
  document.getElementById("shared").hidden = false;
}

show().catch(() => { document.getElementById("shared-gone").hidden = false; });

import { api, can, catalogNames, h, label, money, newKey, report, startPage } from "./app.js";

const list = document.getElementById("gallery");
const more = document.getElementById("more");
let next = null;
let name = null;

async function load() {
  const page = await api("GET", "/gallery?" + new URLSearchParams(next ? { limit: "24", cursor: next } : { limit: "24" }));
  next = page.next_cursor;
  more.hidden = !next;
  list.append(...page.items.map(card));
}

function card(design) {
  return h("li", { "data-design": design.id },
    h("img", { class: "preview", src: `/api/v1/gallery/${encodeURIComponent(design.id)}/preview.svg`, alt: `${design.name}, drawn from its choices`, width: "400", height: "190", loading: "lazy" }),
    h("h2", {}, design.name),
    h("p", {}, `${name("styles", design.style)} · ${name("constructions", design.construction)} · ${name("sole_units", design.sole_unit)}`),
    h("p", { class: "hint" }, Object.entries(design.materials).map(([p, m]) => `${name("parts", p)}: ${name("materials", m.material)} (${label(m.colour)})`).join(" · ")),
    h("p", {}, h("strong", {}, money(design.price_per_pair, design.currency)), " per pair"),
    can("design") ? h("button", { type: "button", class: "primary", "aria-label": `Clone and edit ${design.name}`, onclick: (e) => clone(design, e.target) }, "Clone and edit") : null,
  );
}

async function clone(design, button) {
  button.disabled = true;
  try {
    const mine = await api("POST", `/gallery/${encodeURIComponent(design.id)}/clone`, {}, { "Idempotency-Key": newKey() });
    location.assign(`/app/designer?design=${encodeURIComponent(mine.id)}`);
  } catch (error) {
    button.disabled = false;
    report(error);
  }
}

startPage(async () => {
  more.addEventListener("click", () => load().catch((e) => report(e)));
  name = await catalogNames();
  await load();
});

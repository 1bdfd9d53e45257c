// The operator console's stamps: every brand's artwork awaiting a proof, proofs awaiting
// the brand, approved stamps whose molds the factory makes. Download the artwork, send
// a proof (PDF, PNG or SVG, with a note), move a mold on.
import { date, h, label, problemBox, showError } from "./app.js";
import { ops, opsUpload, startConsole } from "./ops-console.js";

const filters = document.getElementById("stamp-filters");
const queue = document.getElementById("stamp-queue");
const result = document.getElementById("stamp-result");
const flash = document.getElementById("flash");

const KINDS = { insole: "Insole", sole: "Sole" };
const NEXT = { approved: "in_production", in_production: "ready" };
const fileUrl = (stamp, which) => `/api/v1/ops/stamps/${encodeURIComponent(stamp.id)}/${which}`;

async function show() {
  const params = new URLSearchParams(location.search);
  filters.status.value = params.get("status") ?? "artwork_received";
  filters.account_id.value = params.get("account_id") || "";
  await load();
}

let loads = 0;

async function load() {
  const mine = ++loads;
  const params = new URLSearchParams({ limit: "100" });
  if (filters.status.value) params.set("status", filters.status.value);
  if (filters.account_id.value.trim()) params.set("account_id", filters.account_id.value.trim());
  history.replaceState(null, "", "?" + params);
  const page = await ops("GET", "/stamps?" + params);
  // An earlier, slower answer must not replace a later one (and the files chosen on it).
  if (mine !== loads) return;
  document.getElementById("stamps-empty").hidden = page.items.length > 0;
  // A stamp unchanged since it was shown keeps its card, with the proof file and note
  // the operator may have chosen on it meanwhile.
  const shown = new Map([...queue.children].map((li) => [li.id, li]));
  queue.replaceChildren(...page.items.map((stamp) => {
    const kept = shown.get(stamp.id);
    return kept && kept.dataset.updated === stamp.updated_at ? kept : card(stamp);
  }));
}

function card(stamp) {
  const art = stamp.artwork;
  return h("li", { id: stamp.id, "data-stamp": stamp.id, "data-updated": stamp.updated_at, "aria-labelledby": `${stamp.id}-title` },
    h("h2", { id: `${stamp.id}-title` }, `${KINDS[stamp.kind] || stamp.kind} stamp · ${stamp.account_id}`),
    h("p", {}, h("span", { class: `badge stamp ${stamp.status}` }, label(stamp.status)), " ", h("span", { class: "hint" }, `since ${date(stamp.updated_at)}`)),
    art.thumbnail ? h("img", { src: fileUrl(stamp, "thumbnail"), alt: `The brand's artwork, ${art.filename}`, class: "thumb", width: "320" }) : null,
    h("p", {}, h("a", { href: fileUrl(stamp, "artwork") }, `Artwork: ${art.filename}`), ` (${art.content_type}, sha256 ${art.sha256.slice(0, 12)}…)`),
    art.warnings.length ? h("ul", { class: "warnings", "aria-label": "Against the artwork rules" }, art.warnings.map((w) => h("li", {}, w))) : null,
    stamp.comment ? h("p", {}, "The brand asks: ", h("q", {}, stamp.comment)) : null,
    stamp.proof ? h("p", {}, h("a", { href: fileUrl(stamp, "proof") }, `Proof sent: ${stamp.proof.filename}`)) : null,
    ["artwork_received", "proof_sent"].includes(stamp.status) ? proofForm(stamp) : null,
    NEXT[stamp.status] ? h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", onclick: () => move(stamp, NEXT[stamp.status]) }, NEXT[stamp.status] === "ready" ? "Mark the mold ready" : "Start the mold")) : null);
}

function proofForm(stamp) {
  const file = h("input", { type: "file", id: `${stamp.id}-proof`, accept: ".pdf,.png,.svg,application/pdf,image/png,image/svg+xml" });
  const note = h("input", { type: "text", id: `${stamp.id}-note`, maxlength: "1000", placeholder: "e.g. 30 mm wide, centred on the heel" });
  const out = h("div", { "aria-live": "polite" });
  return h("form", { class: "proof", onsubmit: async (event) => {
    event.preventDefault();
    if (!file.files.length) { out.replaceChildren(h("p", { class: "conflict" }, "Choose the proof file.")); file.focus(); return; }
    const data = new FormData();
    data.append("proof", file.files[0], file.files[0].name);
    if (note.value.trim()) data.append("note", note.value.trim());
    try {
      await opsUpload(`/stamps/${encodeURIComponent(stamp.id)}/proof`, data);
      result.replaceChildren(h("p", { class: "success", role: "status" }, `Proof sent to ${stamp.account_id}.`));
      await load();
    } catch (error) {
      out.replaceChildren(problemBox(error));
    }
  } },
    h("label", { for: file.id }, stamp.status === "proof_sent" ? "A corrected proof" : "Proof (PDF, PNG or SVG)"), file,
    h("label", { for: note.id }, "Note for the brand"), note,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Send the proof")), out);
}

async function move(stamp, status) {
  try {
    await ops("POST", `/stamps/${encodeURIComponent(stamp.id)}/status`, { status });
    result.replaceChildren(h("p", { class: "success", role: "status" }, `${KINDS[stamp.kind]} stamp of ${stamp.account_id}: ${label(status)}.`));
    await load();
  } catch (error) {
    result.replaceChildren(problemBox(error));
  }
}

filters.addEventListener("submit", (event) => {
  event.preventDefault();
  load().catch((error) => showError(flash, error));
});

startConsole(show);

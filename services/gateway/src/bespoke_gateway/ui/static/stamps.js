// The brand's custom stamps: send artwork (a file chosen or dropped), see the factory's
// proof, approve it or ask for changes, send new artwork after that; each stamp's story.
import { api, can, date, flash, h, label, problemBox, report, startPage, upload } from "./app.js";

const list = document.getElementById("stamps");
const form = document.getElementById("upload-form");
const result = document.getElementById("upload-result");
const dropzone = document.getElementById("dropzone");
const file = document.getElementById("stamp-file");

const KINDS = { insole: "Insole stamp", sole: "Sole stamp" };
const STATUS = {
  artwork_received: "Artwork received: the factory is drawing the proof",
  proof_sent: "Proof ready: your answer is needed",
  changes_requested: "Changes asked: send new artwork",
  approved: "Approved",
  in_production: "Mold being made",
  ready: "Ready",
};

const fileUrl = (stamp, which) => `/api/v1/stamps/${encodeURIComponent(stamp.id)}/${which}`;

async function load() {
  const page = await api("GET", "/stamps");
  document.getElementById("no-stamps").hidden = page.items.length > 0;
  list.replaceChildren(...page.items.map(card));
  // One stamp per kind: the form offers the kinds the brand has no stamp of yet.
  const taken = new Set(page.items.map((s) => s.kind));
  for (const option of form.kind.options) option.disabled = taken.has(option.value);
  const free = [...form.kind.options].find((o) => !o.disabled);
  document.getElementById("upload-section").hidden = !can("stamps") || !free;
  if (free) form.kind.value = free.value;
}

function card(stamp) {
  const art = stamp.artwork;
  const may = can("stamps");
  return h("li", { id: stamp.id, "data-stamp": stamp.kind, "aria-labelledby": `${stamp.id}-title` },
    h("h2", { id: `${stamp.id}-title` }, KINDS[stamp.kind] || label(stamp.kind)),
    h("p", {}, h("span", { class: `badge stamp ${stamp.status}`, "data-status": stamp.status }, STATUS[stamp.status] || label(stamp.status))),
    art.thumbnail ? h("img", { src: fileUrl(stamp, "thumbnail"), alt: `Your artwork, ${art.filename}`, class: "thumb", width: "320" }) : null,
    h("p", {}, h("a", { href: fileUrl(stamp, "artwork") }, `Artwork: ${art.filename}`), ` (${kb(art.bytes)})`),
    art.warnings.length ? h("ul", { class: "warnings", "aria-label": "About your artwork" }, art.warnings.map((w) => h("li", {}, w))) : null,
    stamp.proof ? h("p", {}, h("a", { href: fileUrl(stamp, "proof"), class: "proof-link" }, `The factory's proof: ${stamp.proof.filename}`),
      stamp.proof.note ? h("span", { class: "hint" }, ` — “${stamp.proof.note}”`) : null) : null,
    stamp.comment ? h("p", { class: "hint" }, `You asked: “${stamp.comment}”`) : null,
    may && stamp.status === "proof_sent" ? answer(stamp) : null,
    may && ["changes_requested", "artwork_received"].includes(stamp.status) ? replace(stamp) : null,
    h("details", {}, h("summary", {}, "History"),
      h("ol", { class: "timeline" }, stamp.history.map((c) => h("li", {}, `${label(c.status)} — ${date(c.at)}`, c.actor ? ` by ${c.actor}` : "", c.comment ? h("div", { class: "hint" }, c.comment) : null)))));
}

const kb = (bytes) => bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function answer(stamp) {
  const comment = h("textarea", { id: `${stamp.id}-comment`, name: "comment", maxlength: "2000", rows: "3" });
  const out = h("div", { "aria-live": "polite" });
  return h("div", { class: "answer" },
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", onclick: () => act(stamp, "approve", undefined, out) }, "Approve the proof")),
    h("form", { class: "changes", onsubmit: (event) => {
      event.preventDefault();
      const text = comment.value.trim();
      if (!text) { out.replaceChildren(h("p", { class: "conflict" }, "Say what to change.")); comment.focus(); return; }
      act(stamp, "request-changes", { comment: text }, out);
    } },
      h("label", { for: comment.id }, "Or ask for changes"), comment,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Ask for changes"))),
    out);
}

async function act(stamp, what, body, out) {
  try {
    const done = await api("POST", `/stamps/${encodeURIComponent(stamp.id)}/${what}`, body);
    flash(what === "approve" ? `${KINDS[done.kind]} approved: orders waiting for it launch.` : "Your changes are with the factory: send new artwork for them.");
    await load();
  } catch (error) {
    out.replaceChildren(problemBox(error));
  }
}

function replace(stamp) {
  const input = h("input", { type: "file", id: `${stamp.id}-file`, accept: form.artwork.accept });
  const out = h("div", { "aria-live": "polite" });
  return h("form", { class: "replace", onsubmit: async (event) => {
    event.preventDefault();
    if (!input.files.length) { out.replaceChildren(h("p", { class: "conflict" }, "Choose the new artwork file.")); input.focus(); return; }
    try {
      await send(`/stamps/${encodeURIComponent(stamp.id)}/artwork`, input.files[0]);
      flash("New artwork sent: the factory draws a new proof.");
      await load();
    } catch (error) {
      out.replaceChildren(problemBox(error));
    }
  } },
    h("label", { for: input.id }, stamp.status === "changes_requested" ? "New artwork" : "A better file, before the proof"),
    input, h("div", { class: "actions" }, h("button", { type: "submit" }, "Send new artwork")), out);
}

function send(path, chosen, fields = {}) {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append("artwork", chosen, chosen.name);
  return upload(path, data);
}

for (const name of ["dragenter", "dragover"]) {
  dropzone.addEventListener(name, (event) => { event.preventDefault(); dropzone.classList.add("over"); });
}
for (const name of ["dragleave", "drop"]) dropzone.addEventListener(name, () => dropzone.classList.remove("over"));
dropzone.addEventListener("drop", (event) => {
  event.preventDefault();
  if (event.dataTransfer.files.length) {
    file.files = event.dataTransfer.files;
    document.getElementById("drop-hint").textContent = `Chosen: ${file.files[0].name}`;
  }
});
file.addEventListener("change", () => {
  document.getElementById("drop-hint").textContent = file.files.length ? `Chosen: ${file.files[0].name}` : "Choose a file, or drop it here.";
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  result.replaceChildren();
  if (!file.files.length) {
    result.replaceChildren(h("p", { class: "conflict" }, "Choose your artwork file first."));
    file.focus();
    return;
  }
  const button = document.getElementById("upload-submit");
  button.disabled = true;
  result.replaceChildren(h("p", { class: "hint", role: "status" }, "Sending and checking your artwork…"));
  try {
    const made = await send("/stamps", file.files[0], { kind: form.kind.value });
    form.reset();
    document.getElementById("drop-hint").textContent = "Choose a file, or drop it here.";
    result.replaceChildren(h("p", { class: "success" }, `${KINDS[made.kind]}: artwork received. The factory will send a proof.`));
    await load();
  } catch (error) {
    result.replaceChildren(problemBox(error));
  } finally {
    button.disabled = false;
  }
});

startPage(() => load().catch(report));

import { api, bomItems, can, h, label, money, newKey, problemBox, startPage, svgDataUrl, svgDescription } from "./app.js";

const form = document.getElementById("design-form");
const params = new URLSearchParams(location.search);
let designId = params.get("design");
let version = null;
let catalog = null;
let createKey = newKey();

const byId = (list, id) => list.find((item) => item.id === id);
const note = (ok, why) => (ok ? "" : ` (${why})`);

function options(select, items, current, reason) {
  select.replaceChildren(...items.map((item) => {
    const why = reason(item);
    return h("option", { value: item.id, selected: item.id === current, "data-incompatible": why ? "true" : false }, item.name + (why ? ` (${why})` : ""));
  }));
  if (current && byId(items, current)) select.value = current;
}

function renderChoices(spec) {
  const style = byId(catalog.styles, spec.style) || catalog.styles[0];
  options(form.style, catalog.styles, style.id, () => "");
  document.getElementById("style-description").textContent = style.description || "";
  options(form.construction, catalog.constructions, spec.construction, (c) => (c.styles.includes(style.id) ? "" : `not for ${style.name}`));
  const construction = byId(catalog.constructions, form.construction.value);
  document.getElementById("last-field").hidden = !style.last_required;
  options(form.last, catalog.lasts, spec.last, (l) => (l.styles.includes(style.id) ? "" : `not for ${style.name}`));
  options(form.sole_unit, catalog.sole_units, spec.sole_unit, (s) => (s.constructions.includes(construction.id) ? "" : `not with ${construction.name}`));

  const materials = document.getElementById("materials");
  materials.replaceChildren(h("legend", {}, "Materials"));
  for (const part of catalog.parts) {
    const chosen = spec.materials?.[part.id] || {};
    const fitting = catalog.materials.filter((m) => m.parts.includes(part.id));
    const material = h("select", { id: `material-${part.id}`, "data-part": part.id, "aria-label": `${part.name} material` });
    options(material, fitting, chosen.material || fitting[0].id, () => "");
    const selected = byId(catalog.materials, material.value);
    const colour = h("select", { id: `colour-${part.id}`, "data-colour-of": part.id, "aria-label": `${part.name} colour` },
      selected.colours.map((c) => h("option", { value: c, selected: c === chosen.colour }, label(c))));
    materials.append(h("label", { for: material.id }, `${part.name} material`), material, h("label", { for: colour.id }, `${part.name} colour`), colour);
  }

  const elements = document.getElementById("elements");
  elements.replaceChildren(h("legend", {}, "Custom elements"));
  for (const element of catalog.elements) {
    const chosen = (spec.elements || []).find((e) => e.element === element.id);
    const fits = element.styles.includes(style.id);
    const id = `element-${element.id}`;
    const box = h("input", { type: "checkbox", id, "data-element": element.id, checked: Boolean(chosen) });
    // An element's option (and text) is chosen only once the element is ticked.
    const option = h("select", { id: `${id}-option`, "aria-label": `${element.name} option`, disabled: !chosen }, element.options.map((o) => h("option", { value: o, selected: chosen?.option === o }, label(o))));
    const parts = [h("label", { class: "check", for: id }, box, `${element.name} (+${money(element.price, catalog.currency)})${note(fits, `not for ${style.name}`)}`), option];
    if (element.text) parts.push(h("label", { for: `${id}-text` }, `${element.name} text (up to ${element.text.max_length} capital letters)`), h("input", { id: `${id}-text`, value: chosen?.text || "", maxlength: element.text.max_length, disabled: !chosen }));
    elements.append(h("div", { class: "element" }, parts));
  }
}

function readSpec() {
  const style = byId(catalog.styles, form.style.value);
  const spec = { style: style.id, construction: form.construction.value, sole_unit: form.sole_unit.value, materials: {}, elements: [] };
  if (style.last_required) spec.last = form.last.value;
  for (const part of catalog.parts) spec.materials[part.id] = { material: document.getElementById(`material-${part.id}`).value, colour: document.getElementById(`colour-${part.id}`).value };
  for (const box of document.querySelectorAll("[data-element]")) {
    if (!box.checked) continue;
    const choice = { element: box.dataset.element, option: document.getElementById(`${box.id}-option`).value };
    const text = document.getElementById(`${box.id}-text`);
    if (text && text.value.trim()) choice.text = text.value.trim();
    spec.elements.push(choice);
  }
  return spec;
}

const fieldNames = { name: "Design name", style: "Style", construction: "Construction", last: "Shoe last", sole_unit: "Sole unit", materials: "Materials", elements: "Elements" };

// The control a conflict's JSON pointer names, as drawn from `spec` (an element's
// pointer counts the chosen elements, its control is named by the element's id).
function fieldOf(pointer, spec) {
  const [top, key, leaf] = pointer.replace(/^#?\//, "").split("/");
  if (top === "materials") return key ? `${leaf === "colour" ? "colour" : "material"}-${key}` : null;
  if (top === "elements") {
    const chosen = spec.elements?.[Number(key)];
    if (!chosen) return null;
    return `element-${chosen.element}${leaf === "option" || leaf === "text" ? `-${leaf}` : ""}`;
  }
  return top || null;
}

function fieldName(pointer, id) {
  const field = id && document.getElementById(id);
  if (field?.getAttribute("aria-label")) return field.getAttribute("aria-label");
  const labelled = id && document.querySelector(`label[for="${CSS.escape(id)}"]`);
  if (labelled) return labelled.textContent.replace(/ \(.*$/, "");
  const top = pointer.replace(/^#?\//, "").split("/")[0];
  return fieldNames[top] || top;
}

// Each conflict shown at its control (marked invalid, described by the message beside
// it), counted by the picture, and listed by Save with links that take focus to the
// control; nothing shown when there is none.
function showConflicts(conflicts, spec) {
  for (const old of form.querySelectorAll(".field-conflict")) old.remove();
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
    const rest = (field.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.startsWith("conflict-"));
    if (rest.length) field.setAttribute("aria-describedby", rest.join(" ")); else field.removeAttribute("aria-describedby");
  }
  const count = document.getElementById("conflict-count");
  count.hidden = conflicts.length === 0;
  const summary = document.getElementById("conflicts");
  if (!conflicts.length) { summary.replaceChildren(); return; }
  count.textContent = conflicts.length === 1 ? "1 conflict stops this design being built" : `${conflicts.length} conflicts stop this design being built`;
  const items = conflicts.map((conflict, i) => {
    const id = fieldOf(conflict.pointer, spec);
    const field = id && document.getElementById(id);
    const name = fieldName(conflict.pointer, field ? id : null);
    if (!field) return h("li", {}, h("strong", {}, `${name}: `), conflict.detail);
    const message = h("p", { class: "field-conflict", id: `conflict-${i}` }, conflict.detail);
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", [field.getAttribute("aria-describedby"), message.id].filter(Boolean).join(" "));
    (field.type === "checkbox" ? field.closest("label") : field).after(message);
    const link = h("a", { href: `#${id}` }, name);
    link.addEventListener("click", (event) => { event.preventDefault(); field.focus(); });
    return h("li", {}, link, `: ${conflict.detail}`);
  });
  summary.replaceChildren(h("div", { class: "problem" }, h("p", { id: "conflicts-title" }, h("strong", {}, "Save waits until these are resolved:")), h("ul", { "aria-labelledby": "conflicts-title" }, items)));
}

let timer = null;
let sequence = 0;
// The server's drawing of the choices, shown as an image (a data: URL: nothing in it
// runs), with its description as the image's text alternative.
function showDrawing(svg) {
  const figure = document.getElementById("preview-figure");
  figure.hidden = !svg;
  if (!svg) return;
  const img = document.getElementById("design-preview");
  img.src = svgDataUrl(svg);
  img.alt = svgDescription(svg) || "Your design";
}

function refresh() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const mine = ++sequence;
    try {
      const spec = readSpec();
      const preview = await api("POST", "/designs/preview", spec);
      if (mine !== sequence) return; // a newer choice is being priced
      showConflicts(preview.buildable ? [] : preview.conflicts, spec);
      document.getElementById("price-per-pair").textContent = preview.buildable ? money(preview.price_per_pair, preview.currency) : "—";
      document.getElementById("bom").replaceChildren(...bomItems(preview.bill_of_materials));
      showDrawing(preview.svg);
      document.getElementById("save").disabled = !preview.buildable;
    } catch (error) {
      document.getElementById("conflicts").replaceChildren(problemBox(error));
    }
  }, 150);
}

function onChange(event) {
  const spec = readSpec();
  if (event.target.dataset.part) spec.materials[event.target.dataset.part].colour = null; // colours of the new material
  if (["style", "construction"].includes(event.target.id) || event.target.dataset.part) {
    // The choices are drawn again: focus stays on the control the person used.
    const focused = document.activeElement && document.activeElement.id;
    renderChoices(spec);
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }
  if (event.target.dataset.element) {
    for (const id of [`${event.target.id}-option`, `${event.target.id}-text`]) {
      const field = document.getElementById(id);
      if (field) field.disabled = !event.target.checked;
    }
  }
  document.getElementById("saved").hidden = true;
  document.getElementById("order-button").hidden = true;
  refresh();
}

async function save(event) {
  event.preventDefault();
  const body = { name: form.name.value.trim(), ...readSpec() };
  const errors = document.getElementById("conflicts");
  if (!body.name) { errors.replaceChildren(h("p", { class: "problem" }, "Give the design a name.")); form.name.focus(); return; }
  try {
    const design = designId
      ? await api("PUT", `/designs/${encodeURIComponent(designId)}`, body, version ? { "If-Match": `"${version}"` } : {})
      : await api("POST", "/designs", body, { "Idempotency-Key": createKey });
    designId = design.id;
    version = design.version;
    createKey = newKey();
    history.replaceState(null, "", `?design=${encodeURIComponent(designId)}`);
    document.getElementById("designer-title").textContent = `Designer: ${design.name}`;
    const saved = document.getElementById("saved");
    saved.hidden = false;
    saved.textContent = `Saved as version ${design.version} (${money(design.price_per_pair, design.currency)} per pair).`;
    const order = document.getElementById("order-button");
    order.hidden = !can("check_out");
    order.href = `/app/checkout?design=${encodeURIComponent(design.id)}&version=${design.version}`;
    document.getElementById("share-button").hidden = !can("design");
  } catch (error) {
    if (error.problem?.errors) showConflicts(error.problem.errors.map((e) => ({ pointer: e.pointer || "", detail: e.detail || e.message })), body);
    else errors.replaceChildren(problemBox(error));
  }
}

// A read-only link to the saved version, for someone without an account: its address
// (with its secret) is shown once, selected for copying.
async function share() {
  const out = document.getElementById("share-result");
  try {
    const link = await api("POST", `/designs/${encodeURIComponent(designId)}/share`, { version });
    const field = h("input", { type: "text", readonly: true, value: link.url, id: "share-url", "aria-label": "The share link" });
    out.replaceChildren(h("p", { class: "success" }, `Anyone with this link sees version ${link.version} (no prices) until ${new Date(link.expires_at).toLocaleDateString("en-GB", { dateStyle: "medium" })}:`), field);
    field.select();
  } catch (error) {
    out.replaceChildren(problemBox(error));
  }
}

startPage(async () => {
  document.getElementById("share-button").addEventListener("click", share);
  catalog = await api("GET", "/catalog");
  let spec = { style: catalog.styles[0].id, materials: {}, elements: [] };
  if (designId) {
    const design = await api("GET", `/designs/${encodeURIComponent(designId)}`);
    spec = design;
    version = design.version;
    form.name.value = design.name;
    document.getElementById("designer-title").textContent = `Designer: ${design.name}`;
    const order = document.getElementById("order-button");
    order.hidden = !can("check_out");
    order.href = `/app/checkout?design=${encodeURIComponent(design.id)}&version=${design.version}`;
    document.getElementById("share-button").hidden = !can("design");
  } else {
    const style = catalog.styles[0];
    spec.construction = catalog.constructions.find((c) => c.styles.includes(style.id)).id;
    spec.last = catalog.lasts.find((l) => l.styles.includes(style.id))?.id;
    spec.sole_unit = catalog.sole_units.find((s) => s.constructions.includes(spec.construction)).id;
  }
  renderChoices(spec);
  form.addEventListener("change", onChange);
  form.addEventListener("input", (event) => { if (event.target.type === "text" || event.target.tagName === "INPUT") refresh(); });
  form.addEventListener("submit", save);
  refresh();
});

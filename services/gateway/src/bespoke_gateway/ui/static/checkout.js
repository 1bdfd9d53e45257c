import { addressFields, readAddress } from "./address.js";
import { api, bomItems, catalogNames, h, loadCatalog, money, newKey, problemBox, startPage } from "./app.js";

const form = document.getElementById("checkout-form");
const params = new URLSearchParams(location.search);
const errors = document.getElementById("checkout-errors");
let design = null;
let firstOrder = false;
let key = newKey();

function sizesFor(last) {
  const out = [];
  for (let s = last.sizes.min; s <= last.sizes.max; s += last.sizes.half_sizes ? 0.5 : 1) out.push(Number.isInteger(s) ? String(s) : s.toFixed(1));
  return out;
}

function readSizes() {
  const sizes = {};
  for (const input of document.querySelectorAll("#sizes input")) if (Number(input.value) > 0) sizes[input.dataset.size] = Number(input.value);
  return sizes;
}

let timer = null;
function estimate() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const out = document.getElementById("estimate");
    const sizes = readSizes();
    if (!Object.keys(sizes).length) { out.textContent = "Enter the pairs per size to see the price."; return; }
    try {
      const e = await api("POST", "/estimates", { design_id: design.id, design_version: design.version, order_type: form.order_type.value, sizes });
      out.replaceChildren(h("strong", {}, `${e.pairs} pairs × ${money(e.per_pair, e.currency)} = ${money(e.manufacturing, e.currency)}`), " manufacturing", e.adjustment_bp ? ` (price break ${e.adjustment_bp / -100}% applied)` : "", ". Shipping and VAT are added at checkout (VAT by the billing country: 21 % in Spain and, without a VAT number, elsewhere in the EU; 0 % with an EU VAT number or outside the EU).");
    } catch (error) {
      out.replaceChildren(problemBox(error));
    }
  }, 200);
}

function body() {
  const shipping = readAddress("ship");
  const order = {
    design_id: design.id, design_version: design.version, bom_hash: design.bom_hash,
    order_type: form.order_type.value, sizes: readSizes(), shipping_address: shipping,
    billing: {
      name: document.getElementById("billing-name").value.trim(), email: document.getElementById("billing-email").value.trim(),
      address: document.getElementById("billing-same").checked ? shipping : readAddress("bill"),
    },
  };
  const vat = document.getElementById("billing-vat").value.trim();
  if (vat) order.billing.vat_id = vat;
  if (firstOrder) order.labeling = form.labeling.value;
  return order;
}

async function submit(event) {
  event.preventDefault();
  errors.replaceChildren();
  if (!document.getElementById("confirm-materials").checked) {
    errors.replaceChildren(h("div", { class: "problem" }, "Confirm the raw materials first."));
    document.getElementById("confirm-materials").focus();
    return;
  }
  const button = document.getElementById("place-order");
  button.disabled = true;
  try {
    const order = await api("POST", "/orders", body(), { "Idempotency-Key": key });
    key = newKey();
    form.hidden = true;
    const placed = document.getElementById("placed");
    placed.hidden = false;
    document.getElementById("placed-number").textContent = order.order_number;
    document.getElementById("placed-pay").href = `/app/orders/${encodeURIComponent(order.order_number)}/pay`;
    placed.focus();
  } catch (error) {
    errors.replaceChildren(problemBox(error));
    errors.scrollIntoView({ block: "nearest" });
  } finally {
    button.disabled = false;
  }
}

startPage(async () => {
  const id = params.get("design");
  if (!id) { location.assign("/app/designer"); return; }
  const query = params.get("version") ? `?version=${encodeURIComponent(params.get("version"))}` : "";
  const [loaded, catalog, pool, name] = await Promise.all([api("GET", `/designs/${encodeURIComponent(id)}${query}`), loadCatalog(), api("GET", "/orders?limit=1"), catalogNames()]);
  design = loaded;
  firstOrder = pool.items.length === 0;
  document.getElementById("labeling-section").hidden = !firstOrder;
  document.getElementById("design-summary").textContent = `${design.name}, version ${design.version}: ${name("styles", design.style)}, ${name("constructions", design.construction)}, last ${name("lasts", design.shoe_last)} (${design.shoe_last}), ${money(design.price_per_pair, design.currency)} per pair before price breaks.`;
  document.getElementById("bom").replaceChildren(...bomItems(design.bill_of_materials));
  const last = catalog.lasts.find((l) => l.id === design.shoe_last);
  document.getElementById("sizes").replaceChildren(...sizesFor(last).map((size) => h("label", {}, `EU ${size}`, h("input", { type: "number", min: 0, step: 1, value: 0, "data-size": size, "aria-label": `Pairs in EU size ${size}` }))));
  addressFields(document.getElementById("shipping"), "ship");
  const billingAddress = h("fieldset", { id: "billing-address", hidden: true }, h("legend", {}, "Billing address"));
  addressFields(billingAddress, "bill");
  document.getElementById("billing").append(billingAddress);
  document.getElementById("billing-same").addEventListener("change", (e) => { billingAddress.hidden = e.target.checked; });
  form.addEventListener("input", (e) => { if (e.target.closest("#sizes") || e.target.name === "order_type") estimate(); });
  form.addEventListener("change", (e) => { if (e.target.name === "order_type") estimate(); });
  form.addEventListener("submit", submit);
  estimate();
});

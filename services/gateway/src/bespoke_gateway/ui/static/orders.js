import { api, badge, can, date, day, h, money, newKey, PAYMENT, problemBox, report, stageTip, startPage, TYPES, untilFound } from "./app.js";

const body = document.querySelector("#pool tbody");
const filters = document.getElementById("filters");
const nextButton = document.getElementById("next-page");
const firstButton = document.getElementById("first-page");
const groupButton = document.getElementById("group-selected");
const dialog = document.getElementById("group-dialog");
const selected = new Map(); // order number -> order
const FILTERS = ["status", "production_stage", "payment_status", "order_type"];
let next = null;
let shown = []; // the page's orders, as the server sent them
let byDays = null; // null: by order number; "descending" or "ascending": by days in production

function query(cursor) {
  const params = new URLSearchParams({ limit: "20" });
  for (const name of FILTERS) if (filters[name].value) params.set(name, filters[name].value);
  if (cursor) params.set("cursor", cursor);
  return params;
}

async function load(cursor = null) {
  const params = query(cursor);
  history.replaceState(null, "", "?" + params);
  const page = await api("GET", "/orders?" + params);
  next = page.next_cursor;
  nextButton.disabled = !next;
  firstButton.disabled = !cursor;
  document.getElementById("empty").hidden = page.items.length > 0;
  shown = page.items;
  render();
}

// Sorting by days in production sorts the page shown (pages follow the order numbers).
function render() {
  const orders = [...shown];
  if (byDays) {
    const sign = byDays === "descending" ? -1 : 1;
    orders.sort((a, b) => sign * ((a.days_in_production ?? -1) - (b.days_in_production ?? -1)));
  }
  document.getElementById("days-header").setAttribute("aria-sort", byDays || "none");
  body.replaceChildren(...orders.map(row));
}

// Why an order's box cannot be ticked for Group Shipping, or null when it can.
function notGroupable(order) {
  if (order.shipping_group) return `Already in shipping group ${order.shipping_group.group_id}`;
  if (order.status !== "pending_payment") return "Only orders pending payment can be grouped";
  return null;
}

const cell = (label, attrs, ...children) => h("td", { "data-label": label, ...attrs }, ...children);

function row(order) {
  const why = notGroupable(order);
  const whyId = `why-${order.order_number}`;
  const box = h("input", {
    type: "checkbox", "aria-label": `Select ${order.order_number} for Group Shipping`, disabled: Boolean(why), hidden: !can("group_shipping"),
    title: why, "aria-describedby": why ? whyId : null,
    checked: selected.has(order.order_number),
    onchange: (event) => { event.target.checked ? selected.set(order.order_number, order) : selected.delete(order.order_number); updateSelection(); },
  });
  let action = "";
  if (order.status === "pending_payment" && can("pay")) {
    action = order.shipping_group
      ? h("a", { class: "button", href: `/app/groups/${encodeURIComponent(order.shipping_group.group_id)}/pay` }, "Pay group")
      : h("a", { class: "button primary", href: `/app/orders/${encodeURIComponent(order.order_number)}/pay` }, "Pay");
  }
  const tracking = order.tracking
    ? h("a", { href: order.tracking.url, target: "_blank", rel: "noopener" }, `${order.tracking.carrier.toUpperCase()} ${order.tracking.number}`)
    : "—";
  const stage = order.production_stage
    ? stageTip(order, `tip-${order.order_number}`)
    : badge(order.status);
  return h("tr", { "data-order": order.order_number, class: order.late ? "late" : null },
    cell("Select", { class: "select" }, box, why ? h("span", { id: whyId, class: "visually-hidden" }, why) : null),
    h("th", { scope: "row", "data-label": "Order" },
      h("a", { href: `/app/orders/${encodeURIComponent(order.order_number)}` }, order.order_number),
      action ? [" ", action] : null,
      order.shipping_group ? [" ", h("span", { class: "badge grouped" }, `Group ${order.shipping_group.group_id}`)] : null),
    cell("Created", {}, date(order.created_at)),
    cell("WIP start", {}, order.wip_started_at ? day(order.wip_started_at.slice(0, 10)) : "—"),
    // The design version's drawing beside its name (which says it: the picture is decoration
    // to a screen reader); one address per version, so the browser fetches it once.
    cell("Model", {}, h("img", { class: "thumb", alt: "", width: "60", height: "28", loading: "lazy", src: `/api/v1/designs/${encodeURIComponent(order.design_id)}/preview.svg?version=${order.design_version}` }),
      `${order.design_name} v${order.design_version}`, h("span", { class: "hint" }, ` ${TYPES[order.order_type] || order.order_type}`)),
    cell("Stage", {}, stage),
    cell("Days in production", { class: "num" }, order.days_in_production ?? "—"),
    cell("Est. ship", {}, order.estimated_ship_date ? day(order.estimated_ship_date) : "—", order.late ? [" ", h("span", { class: "badge late" }, "Late")] : null),
    cell("Payment", {}, h("span", { class: `badge ${order.payment_status}` }, PAYMENT[order.payment_status] || order.payment_status)),
    cell("Pairs", { class: "num" }, order.pairs),
    cell("Total", { class: "num" }, money(order.costs.total, order.costs.currency)),
    cell("Invoice", {}, order.invoice_number
      ? h("a", { href: `/api/v1/invoices/${encodeURIComponent(order.invoice_number)}/pdf`, download: `${order.invoice_number}.pdf`, "aria-label": `Invoice ${order.invoice_number} of ${order.order_number} (PDF)` }, order.invoice_number)
      : "—"),
    cell("Tracking", {}, tracking),
  );
}

function updateSelection() {
  document.getElementById("selected-count").textContent = selected.size;
  groupButton.disabled = selected.size < 2;
}

// Orders reach shipping through their `order.submitted` event, a moment after checkout:
// an order the pool shows but shipping does not know yet is waited for, not refused.
const preview = (numbers, say) => untilFound(
  () => api("POST", "/shipping-groups/preview", { order_numbers: numbers }),
  () => say("Waiting for the newest orders to reach shipping…"),
  41,
  500,
);

let groupKey = null;
async function openGroup() {
  const numbers = [...selected.keys()];
  const box = document.getElementById("group-preview");
  const errors = document.getElementById("group-error");
  const confirm = document.getElementById("group-confirm");
  errors.replaceChildren();
  confirm.disabled = true;
  box.replaceChildren(h("p", {}, `Pricing ${numbers.join(", ")}…`));
  dialog.showModal();
  groupKey = newKey();
  try {
    const p = await preview(numbers, (text) => box.replaceChildren(h("p", { role: "status" }, text)));
    box.replaceChildren(
      h("p", {}, `${numbers.length} orders, ${p.pairs} pairs, one shipment to ${p.destination.city} (${p.destination.country}).`),
      h("dl", { class: "pairs" },
        h("dt", {}, "Shipped one by one"), h("dd", {}, money(p.individual_shipping_cost, p.currency)),
        h("dt", {}, "Shipped together"), h("dd", {}, money(p.shipping_cost, p.currency)),
        h("dt", {}, "You save"), h("dd", { id: "group-saving", class: "success" }, money(p.saving, p.currency))),
      h("p", { class: "hint" }, "The orders are then paid with one invoice and cannot be edited until the group is paid or dissolved."),
    );
    confirm.disabled = false;
  } catch (error) {
    box.replaceChildren();
    errors.replaceChildren(problemBox(error));
  }
}

async function confirmGroup() {
  const errors = document.getElementById("group-error");
  try {
    const group = await api("POST", "/shipping-groups", { order_numbers: [...selected.keys()] }, { "Idempotency-Key": groupKey });
    location.assign(`/app/groups/${encodeURIComponent(group.id)}/pay`);
  } catch (error) {
    errors.replaceChildren(problemBox(error));
  }
}

startPage(async () => {
  const params = new URLSearchParams(location.search);
  for (const name of FILTERS) filters[name].value = params.get(name) || "";
  document.getElementById("sort-days").addEventListener("click", () => {
    byDays = byDays === "descending" ? "ascending" : "descending";
    render();
  });
  filters.addEventListener("submit", (event) => { event.preventDefault(); selected.clear(); updateSelection(); load().catch((e) => report(e)); });
  nextButton.addEventListener("click", () => load(next).catch((e) => report(e)));
  firstButton.addEventListener("click", () => load().catch((e) => report(e)));
  groupButton.addEventListener("click", openGroup);
  document.getElementById("group-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("group-confirm").addEventListener("click", confirmGroup);
  await load(params.get("cursor"));
});

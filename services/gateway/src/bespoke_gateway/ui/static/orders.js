import { api, badge, can, date, h, money, newKey, problemBox, report, startPage, TYPES, untilFound } from "./app.js";

const body = document.querySelector("#pool tbody");
const filters = document.getElementById("filters");
const nextButton = document.getElementById("next-page");
const firstButton = document.getElementById("first-page");
const groupButton = document.getElementById("group-selected");
const dialog = document.getElementById("group-dialog");
const selected = new Map(); // order number -> order
let next = null;

function query(cursor) {
  const params = new URLSearchParams({ limit: "20" });
  for (const name of ["status", "order_type"]) if (filters[name].value) params.set(name, filters[name].value);
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
  body.replaceChildren(...page.items.map(row));
}

function row(order) {
  const groupable = order.status === "pending_payment" && !order.shipping_group;
  const box = h("input", {
    type: "checkbox", "aria-label": `Select ${order.order_number} for Group Shipping`, disabled: !groupable, hidden: !can("group_shipping"),
    checked: selected.has(order.order_number),
    onchange: (event) => { event.target.checked ? selected.set(order.order_number, order) : selected.delete(order.order_number); updateSelection(); },
  });
  let action = "";
  if (order.status === "pending_payment" && can("pay")) {
    action = order.shipping_group
      ? h("a", { class: "button", href: `/app/groups/${encodeURIComponent(order.shipping_group.group_id)}/pay` }, "Pay group")
      : h("a", { class: "button primary", href: `/app/orders/${encodeURIComponent(order.order_number)}/pay` }, "Pay");
  }
  return h("tr", { "data-order": order.order_number },
    h("td", {}, box),
    h("th", { scope: "row" }, h("a", { href: `/app/orders/${encodeURIComponent(order.order_number)}` }, order.order_number)),
    h("td", {}, date(order.created_at)),
    h("td", {}, `${order.specification?.design_name || order.design_id} v${order.design_version}`),
    h("td", {}, TYPES[order.order_type] || order.order_type),
    h("td", { class: "num" }, order.pairs),
    h("td", { class: "num" }, money(order.costs.total, order.costs.currency)),
    h("td", {}, badge(order.status), order.shipping_group ? [" ", h("span", { class: "badge grouped" }, `Group ${order.shipping_group.group_id}`)] : null),
    h("td", {}, action),
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
  for (const name of ["status", "order_type"]) filters[name].value = params.get(name) || "";
  filters.addEventListener("submit", (event) => { event.preventDefault(); selected.clear(); updateSelection(); load().catch((e) => report(e)); });
  nextButton.addEventListener("click", () => load(next).catch((e) => report(e)));
  firstButton.addEventListener("click", () => load().catch((e) => report(e)));
  groupButton.addEventListener("click", openGroup);
  document.getElementById("group-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("group-confirm").addEventListener("click", confirmGroup);
  await load(params.get("cursor"));
});

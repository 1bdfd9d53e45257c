import { addressFields, formatAddress, readAddress } from "./address.js";
import { api, badge, bomItems, can, date, flash, h, label, money, pairsDl, report, startPage, STATUS, TYPES } from "./app.js";

const number = document.getElementById("order-number").textContent;
const path = `/orders/${encodeURIComponent(number)}`;

async function render() {
  const [order, history] = await Promise.all([api("GET", path), api("GET", path + "/history")]);
  const spec = order.specification;
  document.getElementById("order-status").replaceChildren(badge(order.status));
  pairsDl(document.getElementById("spec"), [
    ["Design", `${spec.design_name} (v${order.design_version})`], ["Style", label(spec.style)],
    ["Construction", label(spec.construction)], ["Last", spec.last], ["Sole unit", label(spec.sole_unit)],
    ["Materials", Object.entries(spec.materials).map(([part, m]) => `${label(part)}: ${label(m.material)}, ${label(m.colour)}`).join("; ")],
    ["Elements", spec.elements.length ? spec.elements.map((e) => `${label(e.element)}: ${label(e.option)}${e.text ? ` “${e.text}”` : ""}`).join("; ") : "None"],
    ["Order type", TYPES[order.order_type]], ["Sizes", Object.entries(order.sizes).map(([s, n]) => `${s} × ${n}`).join(", ")],
    ["Pairs", order.pairs], ["Labeling", order.labeling ? label(order.labeling) : "—"],
    ["Ships to", formatAddress(order.shipping_address)], ["Billing", `${order.billing.name} <${order.billing.email}>`],
    order.shipping_group && ["Shipping group", order.shipping_group.group_id], ["Created", date(order.created_at)],
  ]);
  document.getElementById("materials").replaceChildren(...bomItems(spec.bill_of_materials));
  const c = order.costs;
  pairsDl(document.getElementById("costs"), [
    ["Per pair", money(c.per_pair, c.currency)], ["Manufacturing", money(c.manufacturing, c.currency)],
    ["Shipping", money(c.shipping, c.currency)], ["Customization", money(c.customization, c.currency)], ["Total", money(c.total, c.currency)],
  ]);
  document.getElementById("timeline").replaceChildren(...history.items.map((s) => h("li", {}, h("strong", {}, STATUS[s.status] || s.status), ` — ${date(s.at)}`)));
  const actions = document.getElementById("order-actions");
  actions.replaceChildren();
  const pending = order.status === "pending_payment";
  if (pending && can("pay")) {
    actions.append(order.shipping_group
      ? h("a", { class: "button primary", href: `/app/groups/${encodeURIComponent(order.shipping_group.group_id)}/pay` }, "Pay group")
      : h("a", { class: "button primary", href: `/app/orders/${encodeURIComponent(number)}/pay` }, "Pay"));
  }
  if (pending && !order.shipping_group && can("cancel_order")) {
    actions.append(h("button", { type: "button", id: "cancel-order", onclick: () => cancel() }, "Cancel order"));
  }
  const edit = document.getElementById("edit-section");
  edit.hidden = !pending || Boolean(order.shipping_group) || !can("edit_order");
  if (!edit.hidden) fillEdit(order);
}

function fillEdit(order) {
  const sizes = document.getElementById("edit-sizes");
  sizes.replaceChildren(...Object.entries(order.sizes).map(([size, n]) => h("label", {}, `EU ${size}`, h("input", { type: "number", min: 0, value: n, "data-size": size, "aria-label": `Pairs in EU size ${size}` }))));
  const fieldset = document.getElementById("edit-address");
  fieldset.replaceChildren(h("legend", {}, "Shipping address"));
  addressFields(fieldset, "ship", order.shipping_address);
}

async function cancel() {
  if (!confirm(`Cancel order ${number}? This cannot be undone.`)) return;
  try {
    await api("POST", path + "/cancel");
    flash(`Order ${number} is cancelled.`);
    await render();
  } catch (error) { report(error); }
}

startPage(async () => {
  document.getElementById("edit-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const sizes = {};
    for (const input of document.querySelectorAll("#edit-sizes input")) if (Number(input.value) > 0) sizes[input.dataset.size] = Number(input.value);
    try {
      await api("PATCH", path, { sizes, shipping_address: readAddress("ship") });
      flash("Saved: the order is re-priced.");
      await render();
    } catch (error) { report(error); }
  });
  await render();
});

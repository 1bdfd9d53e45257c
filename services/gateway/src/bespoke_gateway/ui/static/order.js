import { addressFields, formatAddress, readAddress } from "./address.js";
import { api, badge, bomItems, can, catalogNames, costRows, date, day, flash, h, label, money, newKey, pairsDl, PAYMENT, report, STAGES, stageTip, startPage, STATUS, TYPES } from "./app.js";

const number = document.getElementById("order-number").textContent;
const path = `/orders/${encodeURIComponent(number)}`;

async function render() {
  const [order, history, name] = await Promise.all([api("GET", path), api("GET", path + "/history"), catalogNames()]);
  const spec = order.specification;
  const drawn = document.getElementById("order-preview");
  drawn.src = `/api/v1/designs/${encodeURIComponent(order.design_id)}/preview.svg?version=${order.design_version}`;
  drawn.alt = `${spec.design_name} (version ${order.design_version}), drawn from its choices`;
  drawn.hidden = false;
  document.getElementById("order-status").replaceChildren(badge(order.status));
  document.getElementById("order-payment").replaceChildren(h("span", { class: `badge ${order.payment_status}`, id: "payment-status" }, PAYMENT[order.payment_status]));
  pairsDl(document.getElementById("spec"), [
    ["Design", `${spec.design_name} (v${order.design_version})`], ["Style", name("styles", spec.style)],
    ["Construction", name("constructions", spec.construction)], ["Last", `${name("lasts", spec.last)} (${spec.last})`], ["Sole unit", name("sole_units", spec.sole_unit)],
    ["Materials", Object.entries(spec.materials).map(([part, m]) => `${name("parts", part)}: ${name("materials", m.material)}, ${label(m.colour)}`).join("; ")],
    ["Elements", spec.elements.length ? spec.elements.map((e) => `${name("elements", e.element)}: ${label(e.option)}${e.text ? ` “${e.text}”` : ""}`).join("; ") : "None"],
    ["Order type", TYPES[order.order_type]], ["Sizes", Object.entries(order.sizes).sort(([a], [b]) => Number(a) - Number(b)).map(([s, n]) => `${s} × ${n}`).join(", ")],
    ["Pairs", order.pairs], ["Labeling", order.labeling ? label(order.labeling) : "—"],
    ["Ships to", formatAddress(order.shipping_address)], ["Billing", `${order.billing.name} <${order.billing.email}>`],
    order.shipping_group && ["Shipping group", order.shipping_group.group_id], ["Created", date(order.created_at)],
  ]);
  document.getElementById("materials").replaceChildren(...bomItems(spec.bill_of_materials));
  const c = order.costs;
  pairsDl(document.getElementById("costs"), [
    ["Per pair", money(c.per_pair, c.currency)], ...costRows(c),
  ]);
  showRefund(order);
  await showInvoices(order);
  const production = document.getElementById("production");
  production.hidden = !order.wip_started_at;
  if (order.wip_started_at) {
    pairsDl(document.getElementById("production-facts"), [
      order.production_stage && ["Stage", stageTip(order, "order-stage-tip")],
      order.hold_reason && ["Waiting for", h("span", { id: "hold-reason" }, HOLDS[order.hold_reason] || order.hold_reason)],
      order.hold_reason === "awaiting_stamps" && ["What to do", h("span", { id: "hold-todo" },
        "Send your logo artwork and approve the factory's proof of each stamp on the ",
        h("a", { href: "/app/stamps" }, "Stamps page"),
        ": the order launches then. If they are not approved in time, it launches unlabeled (you are reminded first).")],
      order.balance_due && ["Balance due before shipping", money(order.balance_due, order.costs.currency)],
      ["In production since", day(order.wip_started_at.slice(0, 10))],
      ["Days in production", String(order.days_in_production ?? 0)],
      ["Estimated ship date", [order.estimated_ship_date ? day(order.estimated_ship_date) : "—", order.late ? [" ", h("span", { class: "badge late" }, "Late")] : null]],
      order.tracking && ["Tracking", h("a", { href: order.tracking.url, target: "_blank", rel: "noopener" }, `${order.tracking.carrier.toUpperCase()} ${order.tracking.number}`)],
    ]);
  }
  document.getElementById("timeline").replaceChildren(...history.items.map((s) => h("li", {},
    h("strong", {}, s.production_stage ? STAGES[s.production_stage] || s.production_stage : STATUS[s.status] || s.status),
    s.rework ? " (rework)" : "",
    ` — ${date(s.at)}`,
    s.station ? `, scanned at ${s.station}` : "",
    s.note ? h("div", { class: "hint" }, s.note) : null)));
  const actions = document.getElementById("order-actions");
  actions.replaceChildren();
  const pending = order.status === "pending_payment";
  if (order.payment_status === "deposit_paid" && can("pay")) {
    actions.append(order.shipping_group
      ? h("a", { class: "button primary", href: `/app/groups/${encodeURIComponent(order.shipping_group.group_id)}/pay` }, "Pay the group's balance")
      : h("a", { class: "button primary", href: `/app/orders/${encodeURIComponent(number)}/pay` }, "Pay the balance"));
  }
  if (pending && can("pay")) {
    actions.append(order.shipping_group
      ? h("a", { class: "button primary", href: `/app/groups/${encodeURIComponent(order.shipping_group.group_id)}/pay` }, "Pay group")
      : h("a", { class: "button primary", href: `/app/orders/${encodeURIComponent(number)}/pay` }, "Pay"));
  }
  const cancellable = pending ? !order.shipping_group && can("cancel_order") : order.status === "work_in_process" && can("cancel_paid_order");
  if (cancellable) {
    actions.append(h("button", { type: "button", id: "cancel-order", onclick: () => askToCancel(order) }, "Cancel order"));
  }
  if (can("check_out")) actions.append(h("button", { type: "button", id: "order-again", onclick: () => orderAgain() }, "Order again"));
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

// One key per visit: pressing again (or a retry) gives the same new order.
const againKey = newKey();
async function orderAgain() {
  try {
    const again = await api("POST", path + "/clone", undefined, { "Idempotency-Key": againKey });
    location.assign(`/app/orders/${encodeURIComponent(again.order_number)}`);
  } catch (error) { report(error); }
}

// Cancelling: a pending order for free; a paid one refunded, in full before the floor
// has it, else less a fee for its stage, which the server states and the person accepts.
const cancelDialog = document.getElementById("cancel-dialog");
const cancelTerms = document.getElementById("cancel-terms");
const cancelConfirm = document.getElementById("cancel-confirm");
let acceptFee = false;

function askToCancel(order) {
  acceptFee = false;
  const stage = order.production_stage;
  cancelTerms.textContent = order.status === "pending_payment"
    ? "Nothing has been paid for it, so cancelling costs nothing. This cannot be undone."
    : ["on_hold", "queued"].includes(stage)
      ? "The factory floor has not received it yet: what you paid for it is refunded in full, with a credit note. This cannot be undone."
      : `It is on the factory floor (${STAGES[stage] || stage}): a cancellation fee for the materials and work so far is kept and the rest refunded. You will see the fee before anything is cancelled.`;
  cancelConfirm.textContent = "Cancel order";
  document.getElementById("cancel-error").replaceChildren();
  cancelDialog.showModal();
}

cancelConfirm.addEventListener("click", async () => {
  try {
    const order = await api("POST", path + "/cancel", acceptFee ? { accept_fee: true } : undefined);
    cancelDialog.close();
    flash(order.refund
      ? `Order ${number} is cancelled: ${money(order.refund.amount, order.refund.currency)} is being refunded.`
      : `Order ${number} is cancelled.`);
    await render();
  } catch (error) {
    const problem = error.problem || {};
    if (error.status === 409 && String(problem.type || "").endsWith("/cancellation-fee-not-accepted")) {
      cancelTerms.textContent = `At ${STAGES[problem.production_stage] || problem.production_stage}, cancelling keeps a fee of ${money(problem.fee, problem.currency)} (VAT included) and refunds ${money(problem.refund, problem.currency)}, with a credit note.`;
      cancelConfirm.textContent = "Accept the fee and cancel";
      acceptFee = true;
      cancelConfirm.focus();
      return;
    }
    document.getElementById("cancel-error").replaceChildren(error.message);
  }
});
document.getElementById("cancel-keep").addEventListener("click", () => cancelDialog.close());

const HOLDS = { awaiting_balance: "Its balance: it is finished and ships once the balance is paid", awaiting_stamps: "Your custom stamps to be approved" };

const REFUND_STATUS = { pending: "On its way back", succeeded: "Refunded", failed: "Failed: the factory will contact you", canceled: "Cancelled" };

function showRefund(order) {
  const box = document.getElementById("refund");
  box.hidden = !order.refund;
  if (!order.refund) return;
  const r = order.refund;
  pairsDl(document.getElementById("refund-facts"), [
    ["Refunded", money(r.amount, r.currency)],
    r.fee ? ["Cancellation fee kept", `${money(r.fee, r.currency)} (VAT included)`] : null,
    ["Status", h("span", { id: "refund-status" }, REFUND_STATUS[r.status] || r.status)],
  ]);
}

// A paid order's invoices (issued a moment after its payment clears), each with its PDF.
async function showInvoices(order) {
  const box = document.getElementById("invoices");
  if (order.payment_status === "unpaid") { box.hidden = true; return; }
  const page = await api("GET", `/invoices?order_number=${encodeURIComponent(order.order_number)}`);
  box.hidden = false;
  document.getElementById("invoice-list").replaceChildren(...(page.items.length
    ? page.items.map((i) => h("li", {}, h("a", { href: i.pdf, download: `${i.invoice_number}.pdf` }, `${i.kind === "credit_note" ? "Credit note" : "Invoice"} ${i.invoice_number} (PDF)`), ` ${money(i.total, i.currency)}${i.credits ? `, credits ${i.credits}` : ""}, issued ${date(i.issued_at)}`))
    : [h("li", { class: "hint" }, "The invoice is being issued; reload in a moment.")]));
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

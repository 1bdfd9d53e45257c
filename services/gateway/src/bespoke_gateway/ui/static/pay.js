import { api, costRows, flash, h, pairsDl, report, startPage, STATUS, untilFound } from "./app.js";

const section = document.getElementById("pay");
const kind = section.dataset.kind;
const target = section.dataset.target;
const base = kind === "group" ? `/shipping-groups/${encodeURIComponent(target)}` : `/orders/${encodeURIComponent(target)}`;
const simulate = document.body.dataset.simulatePayments === "true";

// An invoice opens a moment after checkout or grouping (from their events).
const payPage = () => untilFound(
  () => api("GET", base + "/payment"),
  () => document.getElementById("summary").replaceChildren(h("p", { role: "status" }, "Preparing the invoice…")),
  41,
  250,
);

// Why there is nothing to pay, when the invoice is not open or its orders moved on.
function nothingToPay(page, orders) {
  const moved = orders.find((o) => o.status !== "pending_payment");
  if (page.status === "void" && moved && moved.status === "cancelled") return `Order ${moved.order_number} was cancelled: there is nothing to pay.`;
  if (page.status === "void") return "This invoice was replaced (for example by its shipping group's): pay that one instead.";
  return `Order ${moved.order_number} is ${STATUS[moved.status] || moved.status}: there is nothing to pay here.`;
}

async function render() {
  const page = await payPage();
  // The Pay page follows the orders themselves: Pay now only while the invoice is open
  // and every order it covers still awaits payment.
  const orders = await Promise.all(page.order_numbers.map((n) => api("GET", `/orders/${encodeURIComponent(n)}`)));
  const paid = page.status === "paid";
  const awaiting = page.status === "open" && orders.every((o) => o.status === "pending_payment");
  pairsDl(document.getElementById("summary"), [
    ["Orders", page.order_numbers.join(", ")], ...costRows(page, "total"),
    ["Status", paid ? "Paid" : awaiting ? "Awaiting payment" : "Nothing to pay"],
  ]);
  document.getElementById("payment-area").hidden = !awaiting;
  if (!awaiting) {
    document.getElementById("card-form").hidden = true;
    const done = document.getElementById("paid");
    done.hidden = false;
    const cancelled = orders.filter((o) => o.status === "cancelled").map((o) => o.order_number);
    done.textContent = !paid
      ? nothingToPay(page, orders)
      : cancelled.length
        ? `Paid. Cancelled since: ${cancelled.join(", ")} (see the refund on the order page).`
        : `Paid. ${page.order_numbers.length > 1 ? "The orders are" : "The order is"} launched to production (${STATUS.work_in_process}).`;
  }
  return page;
}

async function waitForWorkInProcess(numbers) {
  for (let i = 0; i < 60; i++) {
    const orders = await Promise.all(numbers.map((n) => api("GET", `/orders/${encodeURIComponent(n)}`)));
    if (orders.every((o) => o.status === "work_in_process")) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

startPage(async () => {
  const page = await render();
  document.getElementById("start-payment").addEventListener("click", async (event) => {
    event.target.disabled = true;
    try {
      const started = await api("POST", base + "/payment");
      document.getElementById("intent").textContent = started.payment_intent_id;
      document.getElementById("card-form").hidden = false;
      document.getElementById("simulate").hidden = !simulate;
      document.getElementById(simulate ? "simulate-success" : "intent").focus?.();
    } catch (error) {
      event.target.disabled = false;
      report(error);
    }
  });
  const button = document.getElementById("simulate-success");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("POST", `/app/api/simulate-payment/${kind}/${encodeURIComponent(target)}`);
      flash("Payment received. Launching to production…");
      await waitForWorkInProcess(page.order_numbers);
      await render();
    } catch (error) {
      button.disabled = false;
      report(error);
    }
  });
});

import { api, can, costRows, flash, h, money, pairsDl, report, startPage, STATUS, untilFound } from "./app.js";

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
  const halfway = page.status === "deposit_paid" && orders.every((o) => o.status === "work_in_process");
  const awaiting = halfway || (page.status === "open" && orders.every((o) => o.status === "pending_payment"));
  pairsDl(document.getElementById("summary"), [
    ["Orders", page.order_numbers.join(", ")], ...costRows(page, "total"),
    halfway && ["Deposit paid", money(page.deposit_paid, page.currency)],
    halfway && ["Balance due before shipping", money(page.balance, page.currency)],
    ["Status", paid ? "Paid" : halfway ? "Deposit paid: production runs" : awaiting ? "Awaiting payment" : "Nothing to pay"],
  ]);
  document.getElementById("payment-area").hidden = !awaiting;
  // From EUR 1,499.00 the bill may be paid in two halves: the deposit launches production.
  const offer = document.getElementById("deposit-offer");
  const deposit = document.getElementById("start-deposit");
  const halves = page.status === "open" && page.deposit;
  offer.hidden = deposit.hidden = !(awaiting && halves && can("pay"));
  if (halves) {
    offer.textContent = `Pay in two halves if you like: a deposit of ${money(page.deposit, page.currency)} starts production, and the balance of ${money(page.balance, page.currency)} is due before shipping.`;
    deposit.textContent = `Pay the deposit (${money(page.deposit, page.currency)})`;
  }
  document.getElementById("start-payment").textContent = halfway ? `Pay the balance (${money(page.balance, page.currency)})` : "Pay now";
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
  let page = await render();
  const start = (amount) => async (event) => {
    event.target.disabled = true;
    try {
      const started = await api("POST", base + "/payment", amount ? { amount } : undefined);
      document.getElementById("intent").textContent = started.payment_intent_id;
      document.getElementById("card-form").hidden = false;
      document.getElementById("simulate").hidden = !simulate;
      document.getElementById(simulate ? "simulate-success" : "intent").focus?.();
    } catch (error) {
      event.target.disabled = false;
      report(error);
    }
  };
  document.getElementById("start-payment").addEventListener("click", start(null));
  document.getElementById("start-deposit").addEventListener("click", start("deposit"));
  const button = document.getElementById("simulate-success");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("POST", `/app/api/simulate-payment/${kind}/${encodeURIComponent(target)}`);
      flash("Payment received. Launching to production…");
      const before = page.status;
      await waitForWorkInProcess(page.order_numbers);
      for (let i = 0; i < 60 && (await api("GET", base + "/payment")).status === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      document.getElementById("card-form").hidden = true;
      page = await render();
      button.disabled = false;
      for (const id of ["start-payment", "start-deposit"]) document.getElementById(id).disabled = false;
    } catch (error) {
      button.disabled = false;
      report(error);
    }
  });
});

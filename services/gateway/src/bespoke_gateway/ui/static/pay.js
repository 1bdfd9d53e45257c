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

async function render() {
  const page = await payPage();
  pairsDl(document.getElementById("summary"), [
    ["Orders", page.order_numbers.join(", ")], ...costRows(page, "total"),
    ["Status", page.status === "paid" ? "Paid" : "Awaiting payment"],
  ]);
  const paid = page.status === "paid";
  document.getElementById("payment-area").hidden = paid;
  if (paid) {
    document.getElementById("card-form").hidden = true;
    const done = document.getElementById("paid");
    done.hidden = false;
    done.textContent = `Paid. ${page.order_numbers.length > 1 ? "The orders are" : "The order is"} launched to production (${STATUS.work_in_process}).`;
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

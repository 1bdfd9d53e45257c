// The operator console's production board (signing in: ops-console.js): every brand's
// orders in production by stage; move one or many at once, open each order's job
// ticket, and ship what is ready.
import { h, problemBox, showError, STAGES as NAMES, TYPES } from "./app.js";
import { ops, startConsole } from "./ops-console.js";

const STAGES = Object.keys(NAMES); // in the order the pairs go through them
const LIMIT = 200;

const flash = document.getElementById("flash");
const filters = document.getElementById("board-filters");
const board = document.getElementById("board");
const moveForm = document.getElementById("move-form");
const shipDialog = document.getElementById("ship-dialog");
const selected = new Set();
let shipping = null; // the shipment the ship dialog is for

for (const select of [document.getElementById("board-stage"), document.getElementById("move-stage")]) {
  select.append(...STAGES.filter((s) => select.id === "board-stage" || s !== "on_hold").map((s) => h("option", { value: s }, NAMES[s])));
}

async function show() {
  const params = new URLSearchParams(location.search);
  for (const name of ["account_id", "production_stage", "order_type"]) filters[name].value = params.get(name) || "";
  filters.late.checked = params.get("late") === "true";
  await load();
}

function query() {
  const params = new URLSearchParams({ status: "work_in_process", limit: String(LIMIT) });
  for (const name of ["account_id", "production_stage", "order_type"]) if (filters[name].value.trim()) params.set(name, filters[name].value.trim());
  if (filters.late.checked) params.set("late", "true");
  return params;
}

let loads = 0;

async function load() {
  const mine = ++loads;
  const params = query();
  const shown = new URLSearchParams(params);
  shown.delete("status");
  shown.delete("limit");
  history.replaceState(null, "", "?" + shown);
  const page = await ops("GET", "/orders?" + params);
  if (mine !== loads) return; // a later load is on its way: an earlier answer must not win
  document.getElementById("ops-board-empty").hidden = page.items.length > 0;
  document.getElementById("board-more").hidden = !page.next_cursor;
  for (const number of [...selected]) if (!page.items.some((o) => o.order_number === number)) selected.delete(number);
  const wanted = filters.production_stage.value;
  board.replaceChildren(...STAGES.filter((s) => !wanted || s === wanted).map((stage) => column(stage, page.items.filter((o) => o.production_stage === stage))));
  updateSelection();
}

function column(stage, orders) {
  return h("section", { class: "column", "aria-labelledby": `col-${stage}` },
    h("h2", { id: `col-${stage}` }, NAMES[stage], " ", h("span", { class: "count" }, `(${orders.length})`)),
    h("ul", {}, orders.map(card)));
}

function card(order) {
  const number = order.order_number;
  const ticket = `/api/v1/ops/orders/${encodeURIComponent(number)}/ticket`;
  const due = order.estimated_ship_date ? new Date(order.estimated_ship_date + "T00:00:00Z").toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" }) : "—";
  return h("li", { class: order.late ? "order-card late" : "order-card", "data-order": number },
    h("label", { class: "check" },
      h("input", { type: "checkbox", checked: selected.has(number), onchange: (e) => { e.target.checked ? selected.add(number) : selected.delete(number); updateSelection(); } }),
      h("strong", {}, number)),
    h("div", { class: "hint" }, `${order.account_id} · ${TYPES[order.order_type] || order.order_type} · ${order.pairs} pairs`),
    h("div", {}, `Day ${order.days_in_production ?? 0} · due ${due}`, order.late ? [" ", h("span", { class: "badge late" }, "Late")] : null),
    order.hold_reason ? h("div", { class: "hint" }, `On hold: ${order.hold_reason.replaceAll("_", " ")}`) : null,
    h("div", { class: "actions" },
      h("a", { href: ticket, target: "_blank", rel: "noopener", class: "button" }, "Job ticket"),
      order.production_stage === "ready_to_ship" ? h("button", { type: "button", onclick: () => openShip(order) }, "Ship") : null));
}

function updateSelection() {
  document.getElementById("move-count").textContent = selected.size;
  document.getElementById("move-submit").disabled = selected.size === 0;
}

moveForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const stage = moveForm.stage.value;
  const note = moveForm.note.value.trim() || undefined;
  const numbers = [...selected];
  const failed = [];
  for (const number of numbers) {
    try {
      await ops("POST", `/orders/${encodeURIComponent(number)}/stage`, { stage, note });
      selected.delete(number);
    } catch (error) {
      failed.push([number, error]);
    }
  }
  const result = document.getElementById("move-result");
  const moved = numbers.length - failed.length;
  result.replaceChildren(
    h("p", { class: moved ? "success" : "hint", role: "status" }, `${moved} of ${numbers.length} moved to ${NAMES[stage]}.`),
    ...failed.map(([number, error]) => h("div", {}, h("strong", {}, number), problemBox(error))));
  if (!failed.length) moveForm.note.value = "";
  await load();
});

function openShip(order) {
  shipping = `shp_${order.shipping_group ? order.shipping_group.group_id : order.order_number}`;
  document.getElementById("ship-shipment").textContent = shipping;
  document.getElementById("ship-error").replaceChildren();
  document.getElementById("ship-form").reset();
  shipDialog.showModal();
}

document.getElementById("ship-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  document.getElementById("ship-error").replaceChildren();  // a retry's answer is its own
  try {
    await ops("POST", `/shipments/${encodeURIComponent(shipping)}/ship`, { carrier: form.carrier.value, tracking_number: form.tracking_number.value.trim() });
    shipDialog.close();
    document.getElementById("move-result").replaceChildren(h("p", { class: "success", role: "status" }, `${shipping} shipped.`));
    await load();
  } catch (error) {
    document.getElementById("ship-error").replaceChildren(problemBox(error));
  }
});
document.getElementById("ship-cancel").addEventListener("click", () => shipDialog.close());

filters.addEventListener("submit", (event) => {
  event.preventDefault();
  load().catch((error) => showError(flash, error));
});

startConsole(show);

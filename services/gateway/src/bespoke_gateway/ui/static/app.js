// Shared by every page: who is signed in, calls to the public API, formatting, errors.
// The session is an HttpOnly cookie that scripts cannot read; what the page knows of it
// (GET /api/v1/session: who, their brand, what their role may do, the CSRF token its
// changes send) is kept in memory for this page only, never in storage.
let me = null;

export const whoAmI = () => me;
export const can = (action) => Boolean(me && me.actions.includes(action));

// The roles the signed-in owner or admin may give a user or an API token: every role
// but `owner`, which only an owner may give.
export const ROLES = ["owner", "admin", "designer", "finance", "viewer"];
export const grantableRoles = () => ROLES.filter((role) => role !== "owner" || (me && me.role === "owner"));

// Signs in at `url` (`/api/v1/session`, or `/api/v1/ops/session` for operators): the
// server sets the HttpOnly session cookie. Null when signed in, else the error to show.
export async function postSignIn(url, email, password) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (response.ok) return null;
  const problem = await response.json().catch(() => ({}));
  return new ApiError(response.status, { title: "Not signed in", ...problem });
}

export function signIn() {
  const next = location.pathname + location.search;
  location.assign("/app/sign-in?next=" + encodeURIComponent(next));
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `The server answered ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: "same-origin", headers: { ...headers } };
  if (method !== "GET" && me && me.csrf_token) init.headers["X-CSRF-Token"] = me.csrf_token;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path.startsWith("/app/") ? path : "/api/v1" + path, init);
  } catch (error) {
    throw new ApiError(0, { detail: "The backoffice cannot be reached. Check your connection and try again." });
  }
  if (response.status === 401) signIn();
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A multipart form (a file and its fields) sent as it is; the browser sets its boundary.
export async function upload(path, formData) {
  const headers = {};
  if (me && me.csrf_token) headers["X-CSRF-Token"] = me.csrf_token;
  let response;
  try {
    response = await fetch("/api/v1" + path, { method: "POST", credentials: "same-origin", headers, body: formData });
  } catch (error) {
    throw new ApiError(0, { detail: "The backoffice cannot be reached. Check your connection and try again." });
  }
  if (response.status === 401) signIn();
  const data = (response.headers.get("content-type") || "").includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// What another service learns from an event a moment after a write (an invoice after
// checkout, an order in shipping): a 404 then means "not yet", so ask again a while.
export async function untilFound(call, say, attempts, delayMs) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (error.status !== 404 || attempt >= attempts) throw error;
      say();
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function money(minor, currency) {
  if (minor === null || minor === undefined) return "—";
  return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(minor / 100);
}

// A price's lines, net, its VAT (rate, amount and what the invoice says) and its total:
// the fields an order's `costs` and a Pay page share.
export function costRows(x, totalId) {
  const c = x.currency;
  const rate = `${(x.vat_rate_bp / 100).toLocaleString("en-GB", { maximumFractionDigits: 2 })} %`;
  return [
    ["Manufacturing", money(x.manufacturing, c)], ["Shipping", money(x.shipping, c)],
    ["Customization", money(x.customization, c)], ["Subtotal (net)", money(x.subtotal, c)],
    [`VAT ${rate}`, [money(x.vat, c), x.vat_note ? h("small", { class: "vat-note" }, ` ${x.vat_note}`) : null]],
    ["Total", h("strong", totalId ? { id: totalId } : {}, money(x.total, c))],
  ];
}

export function date(iso) {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

export const PAYMENT = { unpaid: "Unpaid", deposit_paid: "Deposit paid", paid: "Paid", refunded: "Refunded", partially_refunded: "Partly refunded" };
export const STATUS = { pending_payment: "Pending Payment", work_in_process: "Work In Process", shipped: "Shipped", delivered: "Delivered", cancelled: "Cancelled" };
export const STAGES = { on_hold: "On hold", queued: "Queued", received: "Received", cutting: "Cutting", closing: "Closing", lasting: "Lasting", soling: "Soling", finishing: "Finishing", quality_check: "Quality check", ready_to_ship: "Ready to ship" };

// A calendar day (`2026-12-20`) as the brand reads it.
export function day(isoDate) {
  return new Date(isoDate + "T00:00:00Z").toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" });
}

// An order's stage, explained in one line on hover and on keyboard focus.
export function stageTip(order, id) {
  return h("span", { class: "tip" },
    h("span", { class: "badge stage", tabindex: "0", "aria-describedby": id }, STAGES[order.production_stage] || order.production_stage),
    h("span", { class: "tooltip", role: "tooltip", id }, order.production_stage_explanation || ""));
}
export const TYPES = { mto: "MTO", mini_bulk: "MINI-BULK", bulk: "BULK" };
export const label = (id) => String(id).replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());

// The catalog, fetched once per page.
let catalogAsked = null;
export const loadCatalog = () => (catalogAsked ||= api("GET", "/catalog"));

// The catalog's names by kind and id, e.g. name("lasts", "LC-101") is "Classic round toe";
// an id the catalog no longer has reads as words.
export async function catalogNames() {
  const catalog = await loadCatalog();
  const kinds = {};
  for (const kind of ["styles", "constructions", "lasts", "sole_units", "materials", "parts", "elements"]) {
    kinds[kind] = new Map((catalog[kind] || []).map((item) => [item.id, item.name]));
  }
  return (kind, id) => kinds[kind]?.get(id) || label(id);
}

// An SVG drawing the server made, as an image source (a data: URL: shown as a picture,
// nothing in it runs), and the words of its <desc> for the image's text alternative.
export function svgDataUrl(svg) {
  const bytes = new TextEncoder().encode(svg);
  return "data:image/svg+xml;base64," + btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
}

export function svgDescription(svg) {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  return (doc.querySelector("desc") || {}).textContent || "";
}

// Builds DOM nodes; strings become text (never HTML), so data cannot inject markup.
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A bill of materials as list items: "Upper: Box calf (Black), 3.2 sq ft".
export function bomItems(lines) {
  return lines.map((l) => h("li", {}, `${l.component}: ${l.material}${l.colour ? ` (${label(l.colour)})` : ""}, ${l.quantity} ${l.unit}`));
}

export function badge(status) {
  return h("span", { class: `badge ${status}` }, STATUS[status] || label(status));
}

// An RFC 9457 problem, shown with each field error (JSON pointer) it names.
export function problemBox(error) {
  const problem = error.problem || {};
  const items = (problem.errors || []).map((e) => h("li", {}, e.pointer ? `${e.pointer.replace(/^#?\//, "").replaceAll("/", " › ")}: ` : "", e.detail || e.message || ""));
  const hint = error.status === 429 || error.status === 503 ? " Please try again in a moment." : "";
  return h("div", { class: "problem" }, h("strong", {}, problem.title || "Something went wrong"), " ", (error.message || "") + hint, items.length ? h("ul", {}, items) : null);
}

export function showError(container, error) {
  container.replaceChildren(problemBox(error));
  container.scrollIntoView({ block: "nearest" });
}

// An error for the whole page, in its alert region.
export function report(error) {
  showError(document.getElementById("flash"), error);
}

export function flash(message) {
  document.getElementById("flash").replaceChildren(h("p", { class: "success" }, message));
}

export function pairsDl(dl, rows) {
  dl.replaceChildren(...rows.filter(Boolean).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

// Leaves out what the signed-in role may not do: elements marked `data-needs="<action>"`.
function applyRole(root = document) {
  for (const node of root.querySelectorAll("[data-needs]")) node.hidden = !can(node.dataset.needs);
}

async function loadSession() {
  const response = await fetch("/api/v1/session", { credentials: "same-origin" });
  if (!response.ok) return null;
  return response.json();
}

export function startPage(run) {
  const out = document.getElementById("sign-out");
  if (out) {
    out.addEventListener("click", async () => {
      await fetch("/api/v1/session", { method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": (me && me.csrf_token) || "" } });
      location.assign("/app/sign-in");
    });
  }
  loadSession().then((session) => {
    if (!session) { signIn(); return; }
    me = session;
    const who = document.getElementById("who");
    if (who) who.textContent = `${me.name || me.email || "Brand token"} · ${me.brand || me.account_id} (${me.role})`;
    applyRole();
    return Promise.resolve(run());
  }).catch((error) => {
    if (error instanceof ApiError && error.status === 401) return;
    report(error instanceof ApiError ? error : new ApiError(0, { detail: String(error) }));
  });
}

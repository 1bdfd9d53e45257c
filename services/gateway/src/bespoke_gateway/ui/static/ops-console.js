// What every view of the operator console shares: the factory's staff sign in apart
// from brands (their own HttpOnly session cookie), and call `/api/v1/ops` with the
// session's CSRF token.
import { ApiError, postSignIn, showError } from "./app.js";

const flash = document.getElementById("flash");
const signInSection = document.getElementById("ops-sign-in");
const console_ = document.getElementById("ops-console");
let csrf = null;

async function call(method, path, init) {
  init.credentials = "same-origin";
  init.method = method;
  init.headers = init.headers || {};
  if (method !== "GET") init.headers["X-CSRF-Token"] = csrf || "";
  const response = await fetch("/api/v1/ops" + path, init);
  const data = (response.headers.get("content-type") || "").includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function ops(method, path, body) {
  if (body === undefined) return call(method, path, {});
  return call(method, path, { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

// A multipart form (a file and its fields), its boundary set by the browser.
export const opsUpload = (path, formData) => call("POST", path, { body: formData });

// Shows the console once an operator is signed in (then runs `show`), else the sign-in.
export function startConsole(show) {
  async function open() {
    const response = await fetch("/api/v1/ops/session", { credentials: "same-origin" });
    if (!response.ok) {
      signInSection.hidden = false;
      console_.hidden = true;
      return;
    }
    const me = await response.json();
    csrf = me.csrf_token;
    document.getElementById("ops-who").textContent = `${me.name || me.email} (${me.role})`;
    signInSection.hidden = true;
    console_.hidden = false;
    await show();
  }

  document.getElementById("ops-sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const refused = await postSignIn("/api/v1/ops/session", form.email.value.trim(), form.password.value);
    if (refused) {
      showError(flash, refused);
      form.password.value = "";
      form.password.focus();
      return;
    }
    flash.replaceChildren();
    await open();
  });

  document.getElementById("ops-sign-out").addEventListener("click", async () => {
    await fetch("/api/v1/ops/session", { method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": csrf || "" } });
    await open();
  });

  open().catch((error) => showError(flash, error instanceof ApiError ? error : new ApiError(0, { detail: String(error) })));
}

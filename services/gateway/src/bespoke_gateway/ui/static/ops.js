// The operator console: the factory's staff sign in apart from brands (their own
// HttpOnly session cookie) and see the production board.
import { postSignIn, showError } from "./app.js";

const flash = document.getElementById("flash");
const signInSection = document.getElementById("ops-sign-in");
const console_ = document.getElementById("ops-console");
let csrf = null;

async function show() {
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
  await show();
});

document.getElementById("ops-sign-out").addEventListener("click", async () => {
  await fetch("/api/v1/ops/session", { method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": csrf || "" } });
  await show();
});

show();

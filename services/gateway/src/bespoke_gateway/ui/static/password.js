// Choosing a password from an emailed link (#token=… in the address: the fragment never
// reaches a server), or asking for such a link. Nobody is signed in on this page.
import { ApiError, h, showError } from "./app.js";

const flash = document.getElementById("flash");
const token = new URLSearchParams(location.hash.slice(1)).get("token");
// A link opened in the tab already showing this page changes only the fragment.
window.addEventListener("hashchange", () => location.reload());

async function post(path, body) {
  const response = await fetch("/api/v1" + path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

if (token) {
  history.replaceState(null, "", location.pathname); // the secret leaves the address bar
  const form = document.getElementById("set-password-form");
  document.getElementById("set-password").hidden = false;
  form.password.focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.password.value !== form.repeat.value) {
      showError(flash, new ApiError(400, { title: "The passwords differ", detail: "Type the same password twice." }));
      form.repeat.focus();
      return;
    }
    try {
      await post("/password", { token, password: form.password.value });
      location.assign("/app/orders");
    } catch (error) {
      showError(flash, error);
      if (error.status === 400) {
        form.hidden = true;
        flash.append(h("p", {}, h("a", { href: "/app/password" }, "Ask for a new link")));
      }
    }
  });
} else {
  const form = document.getElementById("request-reset-form");
  document.getElementById("request-reset").hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.email.value.trim();
    if (!email) {
      showError(flash, new ApiError(400, { title: "Email needed", detail: "Enter the email of your backoffice user." }));
      form.email.focus();
      return;
    }
    try {
      const answer = await post("/password-resets", { email });
      flash.replaceChildren(h("p", { class: "success" }, answer.detail.replace(/^./, (c) => c.toUpperCase()) + "."));
      form.reset();
    } catch (error) {
      showError(flash, error);
    }
  });
}

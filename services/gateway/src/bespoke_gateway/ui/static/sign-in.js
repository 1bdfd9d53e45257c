import { ApiError, setToken, showError } from "./app.js";

const form = document.getElementById("sign-in-form");
const flash = document.getElementById("flash");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = form.token.value.trim();
  if (!value) { showError(flash, new ApiError(400, { title: "Token needed", detail: "Paste your brand token." })); form.token.focus(); return; }
  const response = await fetch("/api/v1/orders?limit=1", { headers: { Authorization: `Bearer ${value}` } });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    showError(flash, new ApiError(response.status, { title: "Not signed in", ...problem }));
    form.token.focus();
    return;
  }
  setToken(value);
  const next = new URLSearchParams(location.search).get("next");
  location.assign(next && next.startsWith("/app/") && !next.startsWith("/app/sign-in") ? next : "/app/orders");
});

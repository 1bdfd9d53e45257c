import { ApiError, postSignIn, showError } from "./app.js";

const form = document.getElementById("sign-in-form");
const flash = document.getElementById("flash");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = form.email.value.trim();
  const password = form.password.value;
  if (!email || !password) {
    showError(flash, new ApiError(400, { title: "Email and password needed", detail: "Enter the email and password of your backoffice user." }));
    (email ? form.password : form.email).focus();
    return;
  }
  const refused = await postSignIn("/api/v1/session", email, password);
  if (refused) {
    showError(flash, refused);
    form.password.value = "";
    form.password.focus();
    return;
  }
  const next = new URLSearchParams(location.search).get("next");
  location.assign(next && next.startsWith("/app/") && !next.startsWith("/app/sign-in") ? next : "/app/orders");
});

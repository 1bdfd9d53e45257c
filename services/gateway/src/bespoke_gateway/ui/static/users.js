import { api, date, flash, grantableRoles, h, label, problemBox, report, showError, startPage, whoAmI } from "./app.js";

const body = document.querySelector("#users tbody");
const form = document.getElementById("invite-form");
const result = document.getElementById("invite-result");

// Only an owner makes (or changes) an owner; nobody changes themself.
const options = (selected) => grantableRoles().map((role) => h("option", { value: role, selected: role === selected }, label(role)));

async function load() {
  const page = await api("GET", "/users");
  body.replaceChildren(...page.items.map(row));
}

function row(user) {
  const me = whoAmI();
  const self = me.user_id === user.user_id;
  const locked = self || user.status === "deactivated" || (user.role === "owner" && me.role !== "owner");
  const role = locked
    ? label(user.role)
    : h("select", { "aria-label": `Role of ${user.email}`, onchange: (event) => change(user, event.target) }, options(user.role));
  const action = locked
    ? (self ? h("span", { class: "hint" }, "You") : "")
    : h("button", { type: "button", onclick: () => deactivate(user) }, "Deactivate");
  return h("tr", { "data-user": user.email },
    h("th", { scope: "row" }, user.name),
    h("td", {}, user.email),
    h("td", {}, role),
    h("td", {}, h("span", { class: `badge ${user.status}` }, label(user.status))),
    h("td", {}, date(user.created_at)),
    h("td", {}, action),
  );
}

async function change(user, select) {
  try {
    await api("PATCH", `/users/${encodeURIComponent(user.user_id)}`, { role: select.value });
    flash(`${user.email} is now ${label(select.value).toLowerCase()}, from their next request.`);
  } catch (error) {
    select.value = user.role;
    report(error);
  }
}

async function deactivate(user) {
  if (!confirm(`Deactivate ${user.email}? They are signed out at once, and the API tokens they made stop working.`)) return;
  try {
    await api("DELETE", `/users/${encodeURIComponent(user.user_id)}`);
    flash(`${user.email} is deactivated.`);
    await load();
  } catch (error) {
    report(error);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = form.email.value.trim();
  if (!email) {
    showError(result, { status: 400, message: "Enter the email to send the invitation to.", problem: { title: "Email needed" } });
    form.email.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  result.replaceChildren(h("p", { class: "hint" }, "Sending the invitation…"));
  try {
    const user = await api("POST", "/users", { email, name: form.name.value.trim(), role: form.role.value });
    result.replaceChildren(h("p", { class: "success" }, `Invitation sent to ${user.email} (${label(user.role).toLowerCase()}).`));
    form.reset();
    form.role.value = "viewer";
    await load();
  } catch (error) {
    result.replaceChildren(problemBox(error));
  } finally {
    button.disabled = false;
  }
});

startPage(async () => {
  form.role.replaceChildren(...options("viewer"));
  await load();
});

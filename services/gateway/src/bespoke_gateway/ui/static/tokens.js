import { api, date, flash, grantableRoles, h, label, problemBox, report, showError, startPage } from "./app.js";

const body = document.querySelector("#tokens tbody");
const form = document.getElementById("token-form");
const result = document.getElementById("token-result");

async function load() {
  const page = await api("GET", "/tokens");
  document.getElementById("no-tokens").hidden = page.items.length > 0;
  body.replaceChildren(...page.items.map(row));
}

function row(token) {
  return h("tr", { "data-token": token.name },
    h("th", { scope: "row" }, token.name),
    h("td", {}, label(token.role)),
    h("td", {}, token.created_by),
    h("td", {}, date(token.created_at)),
    h("td", {}, token.last_used_at ? date(token.last_used_at) : "Never"),
    h("td", {}, h("button", { type: "button", onclick: () => revoke(token) }, "Revoke")),
  );
}

async function revoke(token) {
  if (!confirm(`Revoke “${token.name}”? Anything using it is refused from its next request.`)) return;
  try {
    await api("DELETE", `/tokens/${encodeURIComponent(token.id)}`);
    flash(`“${token.name}” is revoked.`);
    await load();
  } catch (error) {
    report(error);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.name.value.trim();
  if (!name) {
    showError(result, { status: 400, message: "Name the token after what will use it.", problem: { title: "Name needed" } });
    form.name.focus();
    return;
  }
  try {
    const made = await api("POST", "/tokens", { name, role: form.role.value });
    const secret = h("input", { type: "text", readonly: true, value: made.token, "aria-label": "The new token", id: "new-token" });
    result.replaceChildren(
      h("p", { class: "success" }, `“${made.name}” created. Copy it now: it is not shown again.`),
      secret,
    );
    secret.select();
    form.reset();
    await load();
  } catch (error) {
    result.replaceChildren(problemBox(error));
  }
});

startPage(async () => {
  // Only owners and admins come here (manage_tokens), who may do everything but make an
  // owner: a token of theirs may have any role they may give.
  form.role.replaceChildren(...grantableRoles().map((role) => h("option", { value: role, selected: role === "viewer" }, label(role))));
  await load();
});

import { h } from "./app.js";

// The address fields of the public API, as labelled inputs inside `fieldset`.
const FIELDS = [
  ["name", "Name", true, "name"], ["line1", "Address line 1", true, "address-line1"],
  ["line2", "Address line 2 (optional)", false, "address-line2"], ["city", "City", true, "address-level2"],
  ["postal_code", "Postal code", true, "postal-code"], ["state", "State or province (optional)", false, "address-level1"],
  ["country", "Country (ISO code, e.g. ES)", true, "country"], ["phone", "Phone (optional)", false, "tel"],
];

export function addressFields(fieldset, prefix, value = {}) {
  for (const [name, text, required, autocomplete] of FIELDS) {
    const id = `${prefix}-${name}`;
    fieldset.append(
      h("label", { for: id }, text),
      h("input", { id, name: id, required, autocomplete: `${prefix === "ship" ? "shipping" : "billing"} ${autocomplete}`, value: value[name] || "", maxlength: name === "country" ? 2 : 200 }),
    );
  }
}

export function readAddress(prefix) {
  const out = {};
  for (const [name, , required] of FIELDS) {
    const value = document.getElementById(`${prefix}-${name}`).value.trim();
    if (value || required) out[name] = name === "country" ? value.toUpperCase() : value;
  }
  return out;
}

export function formatAddress(a) {
  return [a.name, a.line1, a.line2, `${a.postal_code} ${a.city}`, a.state, a.country].filter(Boolean).join(", ");
}

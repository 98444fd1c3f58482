import * as api from "../api.js";
import { h, field, showErrors } from "../dom.js";

export async function render(ctx) {
  const next = ctx.query.get("next") || "/";
  const email = h("input", { name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h("form", { class: "card narrow", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    field("E-mail", email),
    field("Password", password),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Sign in")),
    h("p", {}, "No account yet? ", h("a", { href: "#/register" + (next !== "/" ? "?next=" + encodeURIComponent(next) : "") }, "Create one")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api.login(email.value, password.value);
      ctx.navigate(next.startsWith("/") ? next : "/");
    } catch (err) {
      showErrors(form, err);
    }
  });
  ctx.main.append(form);
  email.focus();
}

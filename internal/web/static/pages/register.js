import * as api from "../api.js";
import { h, field, showErrors } from "../dom.js";

export async function render(ctx) {
  const next = ctx.query.get("next") || "/";
  const name = h("input", { name: "display_name", autocomplete: "nickname", required: true, maxlength: 100 });
  const email = h("input", { name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 10 });
  const form = h("form", { class: "card narrow", "aria-labelledby": "register-title" },
    h("h1", { id: "register-title" }, "Create an account"),
    field("Display name", name),
    field("E-mail", email),
    field("Password", password, "At least 10 characters."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create account")),
    h("p", {}, "Have an account? ", h("a", { href: "#/signin" }, "Sign in")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api.register(email.value, password.value, name.value);
      ctx.navigate(next.startsWith("/") ? next : "/");
    } catch (err) {
      showErrors(form, err);
    }
  });
  ctx.main.append(form);
  name.focus();
}

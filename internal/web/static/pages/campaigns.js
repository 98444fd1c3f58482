import * as api from "../api.js";
import { h, field, showErrors, formValues } from "../dom.js";

export async function render(ctx) {
  const list = await api.all("/campaigns");
  const user = await api.me();
  ctx.main.append(
    h("h1", {}, "Your campaigns"),
    h("p", { class: "muted" }, `Signed in as ${user.display_name} (${user.email}).`),
  );
  if (list.length === 0) ctx.main.append(h("p", {}, "No campaigns yet: create one, or open an invite link from your GM."));
  ctx.main.append(h("ul", { class: "cards" }, list.map((c) =>
    h("li", { class: "card" },
      h("h2", {}, h("a", { href: `#/c/${c.id}` }, c.name)),
      c.game_system ? h("p", { class: "muted" }, c.game_system) : null,
      c.description ? h("p", {}, c.description.slice(0, 240)) : null,
    ))));

  const form = h("form", { class: "card narrow", "aria-labelledby": "new-campaign" },
    h("h2", { id: "new-campaign" }, "New campaign"),
    field("Name", h("input", { name: "name", required: true, maxlength: 255 })),
    field("Game system", h("input", { name: "game_system", placeholder: "dnd5e", maxlength: 255 })),
    field("Description", h("textarea", { name: "description", rows: 3 })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create campaign")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const c = await api.post("/campaigns", formValues(form));
      ctx.navigate(`/c/${c.id}`);
    } catch (err) {
      showErrors(form, err);
    }
  });
  ctx.main.append(form);
}

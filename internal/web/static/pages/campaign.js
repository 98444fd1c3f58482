import * as api from "../api.js";
import { h } from "../dom.js";

// The campaign's overview. Settings, members and invites come with the
// campaign pages.
export async function render(ctx) {
  const c = await api.get(`/campaigns/${ctx.params.campaign}`);
  ctx.title(c.name);
  ctx.main.append(
    h("h1", {}, c.name),
    c.game_system ? h("p", { class: "muted" }, c.game_system) : null,
    c.description ? h("p", { class: "prose" }, c.description) : null,
  );
}

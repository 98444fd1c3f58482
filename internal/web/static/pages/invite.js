import * as api from "../api.js";
import { h, showErrors } from "../dom.js";

// An invite link (#/invite/<code>) asks before joining: accepting is a write.
export async function render(ctx) {
  const code = ctx.params.code;
  const form = h("form", { class: "card narrow" },
    h("h1", {}, "Join a campaign"),
    h("p", {}, "You were invited to a campaign. Join it with your account?"),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Join"), h("a", { href: "#/" }, "Not now")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const m = await api.post(`/invites/${encodeURIComponent(code)}/accept`);
      ctx.navigate(`/c/${m.campaign_id}`);
    } catch (err) {
      showErrors(form, err);
    }
  });
  ctx.main.append(form);
}

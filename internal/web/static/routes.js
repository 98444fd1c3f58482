// The console's pages. Adding a page is one module in pages/ exporting
// render(ctx), and one line here. Paths are matched against the URL's
// hash (#/c/<campaign>/characters); ":name" segments become ctx.params.
// nav names the page's link in the campaign's menu, in this order; the
// campaign's name in the menu links to its overview.
export const routes = [
  { path: "/signin", page: "signin", public: true, title: "Sign in" },
  { path: "/register", page: "register", public: true, title: "Create an account" },
  { path: "/invite/:code", page: "invite", title: "Join a campaign" },
  { path: "/", page: "campaigns", title: "Campaigns" },
  { path: "/c/:campaign", page: "campaign", title: "Campaign" },
  { path: "/c/:campaign/sessions", page: "sessions", title: "Sessions", nav: "Sessions" },
  { path: "/c/:campaign/sessions/:session", page: "session", title: "Live table" },
  { path: "/c/:campaign/characters", page: "characters", title: "Characters", nav: "Characters" },
  { path: "/c/:campaign/characters/new", page: "character-edit", title: "New character" },
  { path: "/c/:campaign/characters/:id", page: "character", title: "Character" },
  { path: "/c/:campaign/characters/:id/edit", page: "character-edit", title: "Edit character" },
  { path: "/c/:campaign/graph", page: "graph", title: "Relationship graph", nav: "Graph" },
  { path: "/c/:campaign/locations", page: "locations", title: "Locations", nav: "Locations" },
  { path: "/c/:campaign/plots", page: "plots", title: "Plot threads", nav: "Plots" },
  { path: "/c/:campaign/keywords", page: "keywords", title: "Keywords", nav: "Keywords" },
  { path: "/c/:campaign/generate", page: "generate", title: "Generate", nav: "Generate" },
  { path: "/c/:campaign/transfer", page: "transfer", title: "Export and import", nav: "Export" },
  // The menu's search box opens this page for a full list of results.
  { path: "/c/:campaign/search", page: "search", title: "Search" },
  { path: "/c/:campaign/sessions/:session/summary", page: "session-summary", title: "Session summary" },
  { path: "/c/:campaign/characters/import/dndbeyond", page: "dndbeyond", title: "Import from D&D Beyond" },
];

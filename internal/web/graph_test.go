package web_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The graph draws a node for each character within reach, clicking or
// pressing Enter on one recentres it, the layout is the same on every
// draw, and the path form highlights and lists a shortest chain.
func TestConsoleGraph(t *testing.T) {
	c := startConsole(t)
	w := seedWorld(t, c)
	p := c.browser(t)
	p.signIn(w.gmEmail)
	p.open(fmt.Sprintf("#/c/%s/graph?center=%s&depth=4", w.campaign, w.ids["Corvin Pike"]))
	p.watchErrors()
	p.visible("svg.graph g.node")
	// Within four steps Corvin reaches the whole cast; the GM sees the
	// GM-only Voice too.
	p.waitJS(fmt.Sprintf(`document.querySelectorAll("svg.graph g.node").length === %d`, len(cast)))
	for name, id := range w.ids {
		if p.eval(`!!document.querySelector('svg.graph g.node[data-node="`+id+`"]')`) != true {
			t.Errorf("no node for %s", name)
		}
	}
	if n := p.eval(`document.querySelectorAll("svg.graph path.edge").length`); n != float64(len(ties)) {
		t.Errorf("%v edges drawn, want %d", n, len(ties))
	}
	if !strings.Contains(p.eval(`document.querySelector("svg.graph").textContent`).(string), "employer") {
		t.Error("edge labels missing")
	}
	positions := `JSON.stringify([...document.querySelectorAll("svg.graph g.node")].map(g => g.dataset.node + g.getAttribute("transform")).sort())`
	first := p.eval(positions)
	if overlap := p.eval(`(() => { const r = [...document.querySelectorAll("svg.graph g.node circle")].map(c => c.getBoundingClientRect());
		for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++) {
			const a = r[i], b = r[j]; if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) return true }
		return false })()`); overlap != false {
		t.Error("two nodes overlap")
	}

	// Enter on a focused node recentres the graph on it.
	nell := `svg.graph g.node[data-node="` + w.ids["Sister Nell"] + `"]`
	p.do(chromedp.Focus(chromedp.CSS(nell)), chromedp.KeyEvent("\r"))
	p.waitJS(`location.hash.includes("center=` + w.ids["Sister Nell"] + `")`)
	p.waitText("main h1", "Sister Nell")
	p.visible(`svg.graph g.node.center[data-node="` + w.ids["Sister Nell"] + `"]`)
	// A click recentres too, and the layout comes back the same.
	p.click(`svg.graph g.node[data-node="` + w.ids["Brother Oswin"] + `"]`)
	p.waitText("main h1", "Brother Oswin")
	p.open(fmt.Sprintf("#/c/%s/graph?center=%s&depth=4", w.campaign, w.ids["Corvin Pike"]))
	p.waitText("main h1", "Corvin Pike")
	p.visible("svg.graph g.node")
	if again := p.eval(positions); again != first {
		t.Errorf("the same graph was laid out differently:\n%v\n%v", first, again)
	}

	p.quiet()
	p.shot("graph")

	// Shortest path from Tobias to Nell: Tobias–Wren–Marla–Corvin–Oswin–Nell.
	p.setValue(`#path-form select[name="from"]`, w.ids["Tobias Vell"])
	p.setValue(`#path-form select[name="to"]`, w.ids["Sister Nell"])
	p.click(`#path-form button[type="submit"]`)
	p.waitText("#path-result", "5 steps")
	steps := p.text("#path-result ol")
	order := []string{"Tobias Vell", "Wren Ashdown", "Marla Gull", "Corvin Pike", "Brother Oswin", "Sister Nell"}
	at := -1
	for _, name := range order {
		i := strings.Index(steps, name)
		if i <= at {
			t.Fatalf("path listed as %q, want the order %v", steps, order)
		}
		at = i
	}
	if n := p.eval(`document.querySelectorAll("svg.graph g.node.on-path").length`); n != float64(len(order)) {
		t.Errorf("%v nodes highlighted, want %d", n, len(order))
	}
	if n := p.eval(`document.querySelectorAll("svg.graph path.edge.on-path").length`); n != float64(len(order)-1) {
		t.Errorf("%v edges highlighted, want %d", n, len(order)-1)
	}
	p.quiet()
	p.shot("graph-path")
	p.errorsSeen()

	// A player's graph leaves out the GM-only character and relationship.
	q := p.tab()
	q.signIn(w.plEmail)
	q.open(fmt.Sprintf("#/c/%s/graph?center=%s&depth=4", w.campaign, w.ids["Brother Oswin"]))
	q.visible("svg.graph g.node")
	q.waitText("main h1", "Brother Oswin")
	if n := q.eval(`document.querySelectorAll("svg.graph g.node").length`); n != float64(len(cast)-1) {
		t.Errorf("the player's graph has %v nodes, want %d", n, len(cast)-1)
	}
	if strings.Contains(q.eval(`document.querySelector("svg.graph").textContent`).(string), "Drowned") {
		t.Error("the player's graph shows the GM-only character")
	}
}

// The GM downloads the export; importing that file makes a new campaign
// with the same characters and relationships.
func TestConsoleTransfer(t *testing.T) {
	c := startConsole(t)
	w := seedWorld(t, c)
	p := c.browser(t)
	p.signIn(w.gmEmail)
	p.open("#/c/" + w.campaign + "/transfer")
	p.watchErrors()
	p.click("#export-json")
	p.waitText("main [role=status]", "Downloaded saltmere-nights-")
	p.click("#export-md")
	p.waitText("main [role=status]", ".md")

	// The file the import reads is the API's export, as a user would have
	// saved it.
	export := c.call("GET", "/campaigns/"+w.campaign+"/export", w.gm, nil, 200)
	doc, err := json.Marshal(export)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "saltmere.json")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{file}))
	p.waitText("#import-progress", "7 characters, 8 relationships")
	p.setValue(`#import-form input[name="name"]`, "Saltmere Nights (copy)")
	p.click(`#import-form button[type="submit"]`)
	p.waitText("#import-result", "7 characters")
	p.waitText("#import-progress", "Imported")
	p.quiet()
	p.shot("transfer")
	p.click("#imported-link")
	p.waitText("main h1", "Saltmere Nights (copy)")
	id := strings.TrimPrefix(p.eval("location.hash").(string), "#/c/")
	if id == w.campaign || id == "" {
		t.Fatalf("the import link opens %q", id)
	}
	chars := c.call("GET", "/campaigns/"+id+"/characters", w.gm, nil, 200)["items"].([]any)
	if len(chars) != len(cast) {
		t.Errorf("the imported campaign has %d characters, want %d", len(chars), len(cast))
	}

	// Something that is not an export is refused before any upload.
	bad := filepath.Join(t.TempDir(), "notes.json")
	if err := os.WriteFile(bad, []byte(`{"hello": "world"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p.open("#/c/" + w.campaign + "/transfer")
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{bad}))
	p.waitText("#import-progress", "not a gmc campaign export")
	p.errorsSeen()
}

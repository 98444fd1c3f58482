package web_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gmc-project/gmc/internal/testenv"
)

// A player imports a D&D Beyond character by pasting its JSON (from the
// characters list's link): a new character, linked. A document that is no
// character is refused, saying so. The same character edited on D&D
// Beyond, chosen as a file, updates it and lists what changed.
func TestConsoleDndBeyondImport(t *testing.T) {
	c := startConsole(t)
	w := seedWorld(t, c)
	rel := filepath.Join("fixtures", "dndbeyond", "ddb-proxy_cleric5_141773707.json")
	raw, err := os.ReadFile(filepath.Join(testenv.SharedData(t, rel), rel))
	if err != nil {
		t.Fatal(err)
	}

	p := c.browser(t).failOnScriptErrors()
	p.signIn(w.plEmail)
	p.open("#/c/" + w.campaign + "/characters")
	p.clickText("Import from D&D Beyond")
	p.visible(`.ddb-form textarea[name="character_json"]`)

	// Not a character: the page says what is wrong and nothing is made.
	p.setValue(`.ddb-form textarea[name="character_json"]`, `{"success": true, "data": {"hello": "world"}}`)
	p.press(`.ddb-form button[type="submit"]`)
	p.waitText(".ddb-error", "not a D&D Beyond character")
	before := len(c.call("GET", "/campaigns/"+w.campaign+"/characters", w.gm, nil, 200)["items"].([]any))

	p.setValue(`.ddb-form textarea[name="character_json"]`, string(raw))
	p.press(`.ddb-form button[type="submit"]`)
	p.waitText(".ddb-done h2", "Imported")
	p.waitText(".ddb-done", "Christian Zeal")
	href := p.eval(`document.querySelector(".ddb-done a").getAttribute("href")`).(string)
	id := href[strings.LastIndex(href, "/")+1:]
	ch := c.call("GET", "/characters/"+id, w.player, nil, 200)
	if ch["name"] != "Christian Zeal" || ch["character_type"] != "pc" {
		t.Errorf("imported %v", ch)
	}
	if after := len(c.call("GET", "/campaigns/"+w.campaign+"/characters", w.gm, nil, 200)["items"].([]any)); after != before+1 {
		t.Errorf("%d characters after the import, %d before", after, before)
	}
	p.quiet()

	// Changed on D&D Beyond: a new name and more gold, chosen as a file.
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	character := doc["ddb"].(map[string]any)["character"].(map[string]any)
	character["name"] = "Christian the Zealous"
	character["currencies"].(map[string]any)["gp"] = 250
	edited, _ := json.Marshal(doc)
	file := filepath.Join(t.TempDir(), "christian.json")
	if err := os.WriteFile(file, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	p.setValue(`.ddb-form textarea[name="character_json"]`, "")
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`.ddb-form input[type="file"]`), []string{file}))
	p.waitText(".ddb-form", "Read christian.json")
	p.press(`.ddb-form button[type="submit"]`)
	p.waitText(".ddb-done h2", "Updated")
	rows := p.eval(`[...document.querySelectorAll(".ddb-changes tbody tr")].map(r => [...r.cells].map(c => c.textContent).join(" | "))`).([]any)
	got := fmt.Sprint(rows)
	for _, want := range []string{"name | Christian Zeal | Christian the Zealous", "currency.gp | 179 | 250"} {
		if !strings.Contains(got, want) {
			t.Errorf("the diff rows %v lack %q", rows, want)
		}
	}
	if ch := c.call("GET", "/characters/"+id, w.player, nil, 200); ch["name"] != "Christian the Zealous" {
		t.Errorf("after the re-import the character is %v", ch["name"])
	}
	p.quiet()
	p.calmShot("dndbeyond-import")
}

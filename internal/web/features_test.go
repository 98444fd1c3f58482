package web_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/config"
)

// The campaign settings mark the features the server has switched off,
// and a change of GMC_FEATURES_FILE shows at the next drawing, with no
// restart.
func TestConsoleServerFeatures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "features-off")
	replace := func(text string) {
		if err := os.WriteFile(path+".new", []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}
	replace("audio\n")
	c := startConsole(t, func(cfg *config.Config) { cfg.FeaturesFile = path })
	w := seedWorld(t, c)
	p := c.browser(t)
	p.signIn(w.gmEmail)
	p.open("#/c/" + w.campaign)
	p.watchErrors()
	marked := func(f string) string {
		return `(() => { const b = document.querySelector('#campaign-settings input[name="disabled_features"][value="` + f +
			`"]'); return !!b && !!b.closest(".field").querySelector(".server-off") })()`
	}
	p.waitJS(marked("audio"))
	if p.eval(marked("ai")) == true {
		t.Error("ai is marked off on the server while the file names audio only")
	}

	replace("ai\n")
	deadline := time.Now().Add(15 * time.Second)
	for {
		f := c.call("GET", "/readyz", "", nil, 200)["components"].(map[string]any)["features"].(map[string]any)
		if f["ai"] == false {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("features after the file changed: %v, want ai off", f)
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.reload()
	p.waitJS(marked("ai"))
	if p.eval(marked("audio")) == true {
		t.Error("audio is still marked off on the server after the file stopped naming it")
	}
}

package app_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
)

// startLogged is startInstance with the server's log kept.
func startLogged(t *testing.T, cfg config.Config, opts ...app.Option) (*instance, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg.DataDir, cfg.SecretKey, cfg.ShutdownTimeout = t.TempDir(), strings.Repeat("s", 32), 5*time.Second
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)), "test", opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	in := &instance{t: t, app: a, srv: srv, base: srv.URL + "/api/v1"}
	t.Cleanup(in.stop)
	return in, logs
}

// featuresOn is what /readyz says of the instance's features.
func (in *instance) featuresOn() map[string]any {
	in.t.Helper()
	out := in.call("GET", "/readyz", "", nil, 200)
	f, _ := out["components"].(map[string]any)["features"].(map[string]any)
	return f
}

// awaitFeature waits until /readyz says f is on (or off).
func (in *instance) awaitFeature(f gmc.Feature, on bool) {
	in.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if in.featuresOn()[string(f)] == on {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.t.Fatalf("feature %s not on=%v within 10 s: %v", f, on, in.featuresOn())
}

// writeFile replaces the file at once, as an operator's tool should: a
// file written in place can be read half written.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path+".new", []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// TestFeaturesFile switches features of a running server by editing
// GMC_FEATURES_FILE: the generators go off and on again over HTTP, with
// /readyz saying so; a file naming an unknown feature is logged with the
// file and the word and changes nothing; GMC_FEATURES_OFF stays off
// whatever the file says; SIGHUP has the file read at once.
func TestFeaturesFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "features-off")
	writeFile(t, path, "# nothing off yet\n")
	in, logs := startLogged(t, config.Config{FeaturesFile: path, FeaturesOff: []gmc.Feature{gmc.FeatureDiscord}}, app.WithFeaturePoll(50*time.Millisecond))
	_, gm := in.signUp("gm@example.com")
	cid := in.call("POST", "/campaigns", gm, map[string]any{"name": "Switches"}, 201)["id"].(string)
	generate := func(want int) {
		t.Helper()
		status, raw := in.send("POST", "/campaigns/"+cid+"/generate/npc?seed=1", gm, map[string]any{})
		if status != want || (want == 403 && !strings.Contains(string(raw), "feature_disabled")) {
			t.Fatalf("generate NPC = %d %s, want %d", status, raw, want)
		}
	}
	if f := in.featuresOn(); f["ai"] != true || f["discord"] != false {
		t.Fatalf("features at start = %v, want ai on, discord off (GMC_FEATURES_OFF)", f)
	}
	generate(200)

	writeFile(t, path, "ai\n")
	in.awaitFeature(gmc.FeatureAI, false)
	generate(403)

	writeFile(t, path, "ai, audio\nbogus # a typo\n")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `bogus`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if l := logs.String(); !strings.Contains(l, path) || !strings.Contains(l, `\"bogus\" is not a feature`) {
		t.Fatalf("log after a bad file lacks the file and the word:\n%s", l)
	}
	if f := in.featuresOn(); f["ai"] != false || f["audio"] != true {
		t.Errorf("features after a bad file = %v, want the last good state (ai off, audio on)", f)
	}
	generate(403)

	writeFile(t, path, "audio discord\n")
	in.awaitFeature(gmc.FeatureAI, true)
	if f := in.featuresOn(); f["audio"] != false || f["discord"] != false {
		t.Errorf("features = %v, want audio and discord off", f)
	}
	generate(200)

	// Removing the file switches its features on again; GMC_FEATURES_OFF's stay off.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	in.awaitFeature(gmc.FeatureAudio, true)
	if f := in.featuresOn(); f["discord"] != false {
		t.Errorf("features without the file = %v, want discord still off", f)
	}
}

// TestFeaturesFileSIGHUP: with a poll too slow to notice, SIGHUP has the
// file read at once.
func TestFeaturesFileSIGHUP(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "features-off")
	writeFile(t, path, "")
	in, _ := startLogged(t, config.Config{FeaturesFile: path}, app.WithFeaturePoll(time.Hour))
	writeFile(t, path, "public_signup\n")
	// The server handles SIGHUP while it runs, so the signal does not end
	// the test process.
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	in.awaitFeature(gmc.FeaturePublicSignup, false)
	if status, raw := in.send("POST", "/auth/register", "", map[string]any{"email": "new@example.com", "password": "correct horse battery", "display_name": "New"}); status != 403 {
		t.Errorf("sign-up with public_signup off = %d %s, want 403", status, raw)
	}
}

// TestFeaturesFileBadAtStart: a file naming an unknown feature stops the
// start with the setting, the file and the word.
func TestFeaturesFileBadAtStart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "features-off")
	writeFile(t, path, "ai\nspeech\n")
	cfg := config.Config{FeaturesFile: path, DataDir: t.TempDir(), SecretKey: strings.Repeat("s", 32)}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), "test")
	if err == nil {
		a.Close()
		t.Fatal("the server started with a bad features file")
	}
	for _, want := range []string{"GMC_FEATURES_FILE", path, "line 2", `"speech"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %s", err, want)
		}
	}
}

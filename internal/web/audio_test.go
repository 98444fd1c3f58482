package web_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/speech/stt/pocketsphinx"
)

// The live table's audio: a microphone streamed from the page and a
// recording uploaded from it, both recognised by PocketSphinx from speech
// made with flite. Chromium stands a WAV file in for the microphone.

// needSpeech fails under CI=true, and otherwise skips loudly, when the
// speech packages are missing.
func needSpeech(t *testing.T) {
	t.Helper()
	missing := ""
	for _, tool := range []string{"flite", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = tool + " not installed"
		}
	}
	if missing == "" {
		if err := pocketsphinx.Probe(""); err != nil {
			missing = err.Error()
		}
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(missing)
	}
	t.Skipf("SKIPPING: %s; the console's speech tests need flite, sox and pocketsphinx", missing)
}

// speakWAV writes text spoken by flite's slt voice as a 16-bit mono WAV
// at rate, with a second of silence before and two after, so that the
// voice activity detector sees a whole utterance.
func speakWAV(t *testing.T, text string, rate int) string {
	t.Helper()
	dir := t.TempDir()
	raw, wav := filepath.Join(dir, "flite.wav"), filepath.Join(dir, "speech.wav")
	if out, err := exec.Command("flite", "-voice", "slt", "-t", text, "-o", raw).CombinedOutput(); err != nil {
		t.Fatalf("flite: %v: %s", err, out)
	}
	args := []string{raw, "-r", strconv.Itoa(rate), "-c", "1", "-b", "16", wav, "pad", "1", "2"}
	if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	return wav
}

// heardJS is true once a line of the transcript holds at least need of
// the words.
func heardJS(words []string, need int) string {
	return `[...document.querySelectorAll(".transcript .seg-text")].some(l => { const said = l.textContent.toLowerCase().split(/[^a-z']+/);
		return ` + jsString(strings.Join(words, " ")) + `.split(" ").filter(w => said.includes(w)).length >= ` + strconv.Itoa(need) + ` })`
}

// audioTable sets up a campaign with a GM and a player who consented or
// not, and a live session; it returns the session page's address, the
// campaign and the player's token.
func audioTable(t *testing.T, c *console, playerConsent bool) (path, campaign, player string) {
	t.Helper()
	_, gm := c.signUp("gm@example.com")
	_, pl := c.signUp("player@example.com")
	campaign = c.call("POST", "/campaigns", gm, map[string]any{"name": "The Sunken Bell", "game_system": "dnd5e"}, 201)["id"].(string)
	code := c.call("POST", "/campaigns/"+campaign+"/invites", gm, map[string]any{"role": "player"}, 201)["code"].(string)
	c.call("POST", "/invites/"+code+"/accept", pl, nil, 200)
	c.call("PUT", "/campaigns/"+campaign+"/members/me/voice-consent", gm, map[string]any{"consent": true}, 200)
	if playerConsent {
		c.call("PUT", "/campaigns/"+campaign+"/members/me/voice-consent", pl, map[string]any{"consent": true}, 200)
	}
	session := c.call("POST", "/campaigns/"+campaign+"/sessions", gm, map[string]any{"title": "The Bell Tolls"}, 201)["id"].(string)
	c.call("POST", "/sessions/"+session+"/start", gm, nil, 200)
	return "#/c/" + campaign + "/sessions/" + session, campaign, pl
}

func withSpeech(cfg *config.Config) { cfg.STT = "pocketsphinx" }

// TestConsoleAudioMic: the GM streams the table's microphone from the
// page; what was said appears on the GM's page and on a player's. The
// player, who said no to voice processing, is offered the question again
// instead of a microphone button. Stop ends the stream the orderly way.
func TestConsoleAudioMic(t *testing.T) {
	needSpeech(t)
	const sentence = "I cast fireball at the goblin"
	wav := speakWAV(t, sentence, 48000)
	c := startConsole(t, withSpeech)
	network := c.behindCut()
	path, campaign, pl := audioTable(t, c, false)

	g := c.browser(t,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		// %noloop: the file is said once, then the microphone is silent.
		chromedp.Flag("use-file-for-fake-audio-capture", wav+"%noloop"))
	gErrs := g.watchErrors()
	g.signIn("gm@example.com")
	g.waitText("main h1", "Your campaigns")
	g.open(path)
	g.waitText(".live-status", "Connected as gm")

	p := g.tab()
	pErrs := p.watchErrors()
	p.signIn("player@example.com")
	p.waitText("main h1", "Your campaigns")
	p.open(path)
	p.visible(".consent-dialog")
	p.clickText("No, drop my audio")
	p.gone(".consent-dialog")
	p.waitText(".mic-card", "first agree that this campaign may process your voice")
	if n := p.eval(`document.querySelectorAll(".mic-toggle, .upload-card").length`); n != float64(0) {
		t.Errorf("a player without voice consent sees %v microphone buttons or upload forms", n)
	}
	// The page offers the question again; a yes brings the button.
	p.clickText("Answer the voice consent question")
	p.visible(".consent-dialog")
	p.clickText("Yes, process my voice")
	p.visible(".mic-toggle")

	// The audio socket stalls on its way to the server while the sentence
	// is said: the page holds the audio, then sends it all at once, faster
	// than real time; the server says slow down, the page waits and shows
	// it, and every word still arrives.
	network.hold("/audio/ws")
	// A real click: the browser lets audio start only after a gesture.
	g.click(".mic-toggle")
	// The meter moves while the sentence is said.
	g.waitJS(`Number(document.querySelector(".mic-meter").getAttribute("aria-valuenow")) > 20`)
	g.waitJS(`document.querySelector(".mic-meter").getAttribute("aria-valuenow") === "0"`) // said; silence follows
	network.release()
	g.waitText(".mic-state", "Slowed down by the server")
	g.waitText(".mic-state", "Live")
	words := strings.Fields(strings.ToLower(sentence))
	need := (len(words) + 1) / 2
	for _, tab := range []*page{g, p} {
		tab.waitJS(heardJS(words, need))
	}
	g.waitText(".mic-heard", "Heard")
	g.shot("live-mic")

	g.click(".mic-toggle")
	g.waitText(".mic-state", "Stopped.")
	if s := g.text(".mic-toggle"); s != "Stream my microphone" {
		t.Errorf("after Stop the button says %q", s)
	}

	// The player withdraws consent on another device: this page learns it
	// when the server refuses the stream, and asks again.
	c.call("PUT", "/campaigns/"+campaign+"/members/me/voice-consent", pl, map[string]any{"consent": false}, 200)
	p.click(".mic-toggle")
	p.waitText(".mic-card", "first agree that this campaign may process your voice")
	p.clickText("Answer the voice consent question")
	p.clickText("Yes, process my voice")
	p.visible(".mic-toggle")

	// Online play: the player streams their own voice, a track the server
	// labels with their name, so the line is theirs on the GM's page.
	p.click(".mic-toggle")
	p.waitText(".mic-state", "streaming as “player”")
	g.waitJS(`[...document.querySelectorAll(".transcript .seg")].some(l => l.querySelector(".seg-speaker").textContent === "player" && ` +
		jsString(sentence) + `.toLowerCase().split(" ").filter(w => l.querySelector(".seg-text").textContent.toLowerCase().split(/[^a-z']+/).includes(w)).length >= ` + strconv.Itoa(need) + `)`)
	p.click(".mic-toggle")
	p.waitText(".mic-state", "Stopped.")

	for who, errs := range map[string][]string{"GM": gErrs(), "player": pErrs()} {
		if len(errs) > 0 {
			t.Errorf("the %s's page logged errors: %q", who, errs)
		}
	}
}

// TestConsoleAudioUpload: the GM uploads a recording through the file
// input; the upload's progress bar reaches 100 %, the transcription job
// completes and its line appears in the transcript.
func TestConsoleAudioUpload(t *testing.T) {
	needSpeech(t)
	const sentence = "The goblin runs into the dark cave"
	wav := speakWAV(t, sentence, 22050)
	c := startConsole(t, withSpeech)
	path, _, _ := audioTable(t, c, true)

	g := c.browser(t)
	errs := g.watchErrors()
	g.signIn("gm@example.com")
	g.waitText("main h1", "Your campaigns")
	g.open(path)
	g.waitText(".live-status", "Connected as gm")

	// Not audio: the error shows beside the file input, and no job starts.
	bogus := filepath.Join(t.TempDir(), "notes.wav")
	if err := os.WriteFile(bogus, []byte("These are my session notes, not a recording."), 0o644); err != nil {
		t.Fatal(err)
	}
	g.do(chromedp.SetUploadFiles(`.upload-form input[type="file"]`, []string{bogus}))
	g.click(`.upload-form button[type="submit"]`)
	g.waitJS(`document.querySelector(".upload-form input[type=file]").getAttribute("aria-invalid") === "true" && document.querySelector(".upload-form .field-error").textContent !== ""`)
	if hidden := g.eval(`document.querySelector(".job-bar").closest(".upload-row").hidden`); hidden != true {
		t.Error("a refused upload shows a transcription job")
	}

	g.do(chromedp.SetUploadFiles(`.upload-form input[type="file"]`, []string{wav}))
	g.click(`.upload-form button[type="submit"]`)
	g.waitJS(`document.querySelector(".upload-bar").value === 100`)
	g.waitText(".upload-pct", "100 %")
	g.waitText(".upload-status", "Transcribed")
	if bad := g.eval(`document.querySelectorAll(".upload-form [aria-invalid]").length + document.querySelector(".upload-form .field-error").textContent.length`); bad != float64(0) {
		t.Error("after a good upload the form still shows the earlier error")
	}
	if v := g.eval(`document.querySelector(".job-bar").value`); v != float64(100) {
		t.Errorf("the transcription bar ends at %v", v)
	}
	words := strings.Fields(strings.ToLower(sentence))
	g.waitJS(heardJS(words, (len(words)+1)/2))
	g.shot("upload-progress")
	if e := errs(); len(e) > 0 {
		t.Errorf("the page logged errors: %q", e)
	}
}

// TestConsoleAudioOff: with speech-to-text off the page says so instead
// of offering a microphone or an upload that cannot work.
func TestConsoleAudioOff(t *testing.T) {
	c := startConsole(t)
	path, _, _ := audioTable(t, c, true)
	g := c.browser(t)
	g.signIn("gm@example.com")
	g.waitText("main h1", "Your campaigns")
	g.open(path)
	g.waitText(".mic-card", "Speech-to-text is off on this server")
	g.waitText(".upload-status", "Speech-to-text is off")
	if n := g.eval(`document.querySelectorAll(".mic-toggle").length + (document.querySelector(".upload-form button[type=submit]").disabled ? 0 : 1)`); n != float64(0) {
		t.Errorf("with speech off the page still offers %v ways to send audio", n)
	}
}

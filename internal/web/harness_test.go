package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const password = "correct horse battery"

// console is one running gmc (SQLite in a temporary folder) behind
// httptest, serving the API and the console.
type console struct {
	t    *testing.T
	app  *app.App
	srv  *httptest.Server
	url  string // the console's address
	base string // the API's
}

// startConsole starts the app; tune, when given, changes its
// configuration first (speech is off unless a test turns it on).
func startConsole(t *testing.T, tune ...func(*config.Config)) *console {
	t.Helper()
	cfg := config.Config{DataDir: t.TempDir(), SecretKey: strings.Repeat("s", 32), ShutdownTimeout: 5 * time.Second, STT: "off"}
	for _, f := range tune {
		f(&cfg)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	c := &console{t: t, app: a, srv: srv, url: srv.URL + "/", base: srv.URL + "/api/v1"}
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		a.Close()
	})
	return c
}

// call is an API request made to set up or check what a page did.
func (c *console) call(method, path, token string, body any, want int) map[string]any {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, raw, want)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// signUp registers an account through the API and returns its id and an
// access token.
func (c *console) signUp(email string) (id, token string) {
	c.t.Helper()
	u := c.call("POST", "/auth/register", "", map[string]any{"email": email, "password": password, "display_name": strings.Split(email, "@")[0]}, 201)
	tok := c.call("POST", "/auth/login", "", map[string]any{"email": email, "password": password}, 200)
	return u["id"].(string), tok["access_token"].(string)
}

// Viewports the screenshots are taken at.
var (
	desktop = [2]int64{1280, 860}
	phone   = [2]int64{390, 844}
)

// page is one browser tab driven by a test. Its methods fail the test
// with what the page shows when a step does not complete in time.
type page struct {
	t    *testing.T
	ctx  context.Context
	c    *console
	errs func() []string // set by watchErrors
}

// browser starts a headless Chromium for the test and returns its first
// tab. Without Chromium the test is skipped, loudly; under CI=true
// .ci/run installs it, so there it fails instead. extra adds launch
// options (flags), e.g. a fake microphone.
func (c *console) browser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *page {
	t.Helper()
	bin := chromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not installed (apt-get install chromium)")
		}
		t.Skip("SKIPPING: chromium not installed (apt-get install chromium); the console's browser tests need it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// The machine may have no internet: background connections would
		// fail by the dozen and slow the browser down.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(int(desktop[0]), int(desktop[1])),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &page{t: t, ctx: ctx, c: c}
}

// tab opens another tab of the same browser in a browser context of its
// own (no shared storage): a second signed-in user.
func (p *page) tab() *page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithNewBrowserContext())
	p.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		p.t.Fatal(err)
	}
	return &page{t: p.t, ctx: ctx, c: p.c}
}

func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// do runs steps with a deadline.
func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.fail(err)
	}
}

func (p *page) fail(err error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 3*time.Second)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("main") || document.body).innerText`))
	hash, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`))
	p.t.Fatalf("browser: %v\n  at %s\n  page shows: %.800s", err, hash, text)
}

// open loads a console address: "#/signin" or "" for the start page.
func (p *page) open(hash string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.c.url + hash))
}

func (p *page) reload() { p.t.Helper(); p.do(chromedp.Reload()) }

// visible waits until the element matching the CSS selector is shown.
func (p *page) visible(css string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(css)))
}

// gone waits until nothing matches the CSS selector.
func (p *page) gone(css string) {
	p.t.Helper()
	p.do(chromedp.WaitNotPresent(chromedp.CSS(css)))
}

// typeIn types text into the input matching css, as a user would.
func (p *page) typeIn(css, text string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), text))
}

// setValue replaces an input's value (and fires its input event).
func (p *page) setValue(css, value string) {
	p.t.Helper()
	p.eval(`(() => { const el = document.querySelector(` + jsString(css) + `); el.value = ` + jsString(value) + `;
		el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return true })()`)
}

// click clicks the element matching css once it is visible.
func (p *page) click(css string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(css)), chromedp.Click(chromedp.CSS(css)))
}

// clickText clicks the first visible button or link whose text is text.
func (p *page) clickText(text string) {
	p.t.Helper()
	p.waitJS(`[...document.querySelectorAll("button, a, [role=button], summary")].some(e => e.offsetParent !== null && e.textContent.trim() === ` + jsString(text) + `)`)
	p.eval(`(() => { [...document.querySelectorAll("button, a, [role=button], summary")].find(e => e.offsetParent !== null && e.textContent.trim() === ` + jsString(text) + `).click(); return true })()`)
}

// waitText waits until the element matching css contains text.
func (p *page) waitText(css, text string) {
	p.t.Helper()
	p.waitJS(`(() => { const el = document.querySelector(` + jsString(css) + `); return !!el && el.textContent.includes(` + jsString(text) + `) })()`)
}

// waitJS waits until the JavaScript expression is truthy.
func (p *page) waitJS(expr string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		p.fail(fmt.Errorf("waiting for %s: %w", expr, err))
	}
}

// eval runs a JavaScript expression and returns its JSON value.
func (p *page) eval(expr string) any {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fail(fmt.Errorf("eval %s: %w", expr, err))
	}
	return v
}

// text returns the visible text of the element matching css.
func (p *page) text(css string) string {
	p.t.Helper()
	s, _ := p.eval(`(() => { const el = document.querySelector(` + jsString(css) + `); return el ? el.innerText : "" })()`).(string)
	return s
}

// signIn signs in through the console's sign-in page.
func (p *page) signIn(email string) {
	p.t.Helper()
	p.open("#/signin")
	p.typeIn(`input[name="email"]`, email)
	p.typeIn(`input[name="password"]`, password)
	p.click(`form button[type="submit"]`)
	p.waitJS(`[...document.querySelectorAll("#nav button")].some(b => b.textContent === "Sign out") && !location.hash.startsWith("#/signin")`)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// screenshotDir is where the tests put their screenshots of the pages, for
// a reviewer to open: GMC_SCREENSHOTS, else gmc-screenshots in the
// system's temporary folder.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GMC_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "gmc-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shot saves the page at desktop and phone widths as <name>-desktop.png
// and <name>-phone.png.
func (p *page) shot(name string) {
	p.t.Helper()
	dir := screenshotDir(p.t)
	for _, vp := range []struct {
		label string
		size  [2]int64
		phone bool
	}{{"desktop", desktop, false}, {"phone", phone, true}} {
		opts := []chromedp.EmulateViewportOption{}
		if vp.phone {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		p.do(chromedp.EmulateViewport(vp.size[0], vp.size[1], opts...), chromedp.Sleep(200*time.Millisecond))
		ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 gives PNG, less a JPEG
		cancel()
		if err != nil {
			p.fail(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+vp.label+".png"), png, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
	p.do(chromedp.EmulateViewport(desktop[0], desktop[1]), chromedp.Sleep(100*time.Millisecond))
	p.t.Logf("screenshots: %s/%s-{desktop,phone}.png", dir, name)
}

// netCut stands between the browser and the server, so that a test can
// drop the network under a page: cut closes every connection through it,
// WebSockets included, and refuses new ones until restore.
// (httptest's CloseClientConnections leaves hijacked connections, the
// WebSockets, alone.)
type netCut struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	down   bool
	held   chan struct{} // while non-nil, held connections wait; closed by release
	match  []byte        // held connections are those whose request holds this
}

// behindCut makes the browser reach the console through a netCut.
func (c *console) behindCut() *netCut {
	c.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.t.Fatal(err)
	}
	n := &netCut{ln: ln, target: c.srv.Listener.Addr().String(), conns: map[net.Conn]struct{}{}}
	go n.serve()
	c.t.Cleanup(func() { ln.Close(); n.cut() })
	c.url = "http://" + ln.Addr().String() + "/"
	return n
}

func (n *netCut) serve() {
	for {
		in, err := n.ln.Accept()
		if err != nil {
			return
		}
		n.mu.Lock()
		down := n.down
		n.mu.Unlock()
		if down {
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", n.target)
		if err != nil {
			in.Close()
			continue
		}
		n.mu.Lock()
		n.conns[in], n.conns[out] = struct{}{}, struct{}{}
		n.mu.Unlock()
		pipe := func(dst, src net.Conn, fromClient bool) {
			buf := make([]byte, 32<<10)
			first, stalled := true, false
			for {
				k, err := src.Read(buf)
				if k > 0 {
					if first && fromClient {
						stalled = n.stalls(buf[:k])
					}
					first = false
					if stalled {
						n.wait()
					}
					if _, werr := dst.Write(buf[:k]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			dst.Close()
			src.Close()
			n.mu.Lock()
			delete(n.conns, dst)
			delete(n.conns, src)
			n.mu.Unlock()
		}
		go pipe(out, in, true)
		go pipe(in, out, false)
	}
}

// hold stalls the connections whose first request holds match (e.g. a
// socket's path) from the browser to the server: they open, but nothing
// they send goes through until release. (A stall, unlike a cut, is what
// makes a client's audio arrive late and all at once.)
func (n *netCut) hold(match string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.match = []byte(match)
	if n.held == nil {
		n.held = make(chan struct{})
	}
}

func (n *netCut) stalls(request []byte) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.held != nil && bytes.Contains(request, n.match)
}

// release lets the bytes held meanwhile through.
func (n *netCut) release() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.held != nil {
		close(n.held)
		n.held = nil
	}
}

func (n *netCut) wait() {
	n.mu.Lock()
	held := n.held
	n.mu.Unlock()
	if held != nil {
		<-held
	}
}

// cut drops every connection and refuses new ones.
func (n *netCut) cut() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.held != nil {
		close(n.held)
		n.held = nil
	}
	n.down = true
	for conn := range n.conns {
		conn.Close()
	}
}

// restore lets connections through again.
func (n *netCut) restore() {
	n.mu.Lock()
	n.down = false
	n.mu.Unlock()
}

// watchErrors collects the page's uncaught exceptions (unhandled
// rejections included) and console.error calls from its first call on,
// across page loads; the func it returns lists them.
func (p *page) watchErrors() func() []string {
	p.t.Helper()
	if p.errs != nil {
		return p.errs
	}
	var mu sync.Mutex
	var errs []string
	err := chromedp.Listen(p.ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *cdpruntime.EventExceptionThrown:
			msg = e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
		case *cdpruntime.EventConsoleAPICalled:
			if e.Type != cdpruntime.ConsoleAPICalledTypeError {
				return
			}
			for _, a := range e.Args {
				msg += " " + string(a.Value) + a.Description
			}
		default:
			return
		}
		mu.Lock()
		errs = append(errs, msg)
		mu.Unlock()
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.errs = func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
	return p.errs
}

// Package apibench is `gmc bench api`: it runs, in one process, a real
// gmc server and a floor — a bare net/http handler reading and writing the
// same database rows with one statement per request — and drives both over
// loopback with the same closed-loop clients, in interleaved rounds, so
// that gmc's cost over the floor is measured as a ratio in one run.
//
// Requests: GET /campaigns/{id}, GET /campaigns/{id}/characters (the demo
// campaign's 12 characters) and POST /campaigns/{id}/characters (the
// floor: one INSERT). Reads run before writes, so the list read stays the
// demo's.
package apibench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/bench/benchdb"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/demo"
	"github.com/gmc-project/gmc/internal/httpapi"
	"github.com/gmc-project/gmc/internal/service"
)

type options struct {
	databaseURL string
	clients     []int
	duration    time.Duration
	rounds      int
	endpoints   []string
	cpuProfile  string
}

var allEndpoints = []string{"campaign", "characters", "create"}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("gmc bench api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.databaseURL, "database-url", "", "PostgreSQL URL (the bench makes a schema of its own in it and drops it after); empty: SQLite in a temporary directory")
	clients := fs.String("clients", "16,64", "comma-separated numbers of concurrent clients")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "length of one timed run of one target")
	fs.IntVar(&o.rounds, "rounds", 3, "interleaved rounds (gmc, floor) per endpoint and client count")
	endpoints := fs.String("endpoints", strings.Join(allEndpoints, ","), "comma-separated requests to time: campaign, characters, create")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed runs (both servers and the clients) to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return o, fmt.Errorf("--clients: %q is not a positive number", s)
		}
		o.clients = append(o.clients, n)
	}
	for _, e := range strings.Split(*endpoints, ",") {
		e = strings.TrimSpace(e)
		if !contains(allEndpoints, e) {
			return o, fmt.Errorf("--endpoints: unknown %q (campaign, characters, create)", e)
		}
		o.endpoints = append(o.endpoints, e)
	}
	if o.rounds < 1 || o.duration <= 0 {
		return o, errors.New("--rounds and --duration must be positive")
	}
	return o, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Main runs `gmc bench api` with args (the flags after "api").
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	env, err := setUp(ctx, o)
	if err != nil {
		return err
	}
	defer env.close()
	fmt.Fprintf(stdout, "gmc bench api: backend %s, %d CPUs (GOMAXPROCS %d), load average %s, %d rounds of %s per target\n",
		env.backend, runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage(), o.rounds, o.duration)
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(stdout, "%-11s %4s  %-5s %9s %7s %7s %7s  %s\n", "request", "c", "who", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
	for _, ep := range o.endpoints {
		for _, c := range o.clients {
			if err := env.compare(ctx, stdout, ep, c, o); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "load average at the end: %s\n", loadAverage())
	return nil
}

// env is the two servers under test and what their requests need.
type env struct {
	backend    string
	gmcURL     string
	floorURL   string
	token      string
	campaignID string
	client     *http.Client
	closers    []func()
}

func (e *env) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

// setUp starts gmc on a fresh database (a temporary SQLite file, or a new
// schema in the PostgreSQL database), seeds the demo campaign, logs its
// GM in and starts the floor on the same database.
func setUp(ctx context.Context, o options) (_ *env, err error) {
	e := &env{backend: "sqlite"}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	dir, err := os.MkdirTemp("", "gmc-bench-api-")
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, func() { os.RemoveAll(dir) })
	// The floor has no rate limits, and one account sends every request:
	// limits far above what a run can send keep the limiter's cost in the
	// measured path without refusing anything.
	const unreachable = "auth=1000000000/1m,read=1000000000/1m,write=1000000000/1m,search=1000000000/1m,ai=1000000000/1m,audio=1000000000/1m"
	vars := map[string]string{"GMC_DATA_DIR": dir, "GMC_SECRET_KEY": randomHex(32), "GMC_STT": "off", "GMC_LOG_LEVEL": "error", "GMC_RATE_LIMITS": unreachable}
	if o.databaseURL != "" {
		e.backend = "postgres"
		schemaURL, drop, err := benchdb.Schema(ctx, o.databaseURL, "gmcbench_api_", "--database-url")
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, drop)
		vars["GMC_DATABASE_URL"] = schemaURL
	}
	cfg, _, err := config.Load("bench api", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		return nil, err
	}
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "bench", app.WithPasswordParams(service.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, func() { a.Close() })
	const email = "bench-gm@example.com"
	d, err := demo.Create(ctx, a.Service(), email, time.Now())
	if err != nil {
		return nil, fmt.Errorf("seed the demo campaign: %w", err)
	}
	pair, err := a.Service().Login(ctx, service.LoginParams{Email: email, Password: d.Password, ClientIP: "198.18.0.1"})
	if err != nil {
		return nil, err
	}
	e.token, e.campaignID = pair.AccessToken, d.Campaign.ID
	gmcAddr, stop, err := serve(a.Handler())
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, stop)
	e.gmcURL = "http://" + gmcAddr + httpapi.BasePath

	var fs floorStore
	if cfg.DatabaseURL != "" {
		fs, err = openPGFloor(ctx, cfg.DatabaseURL)
	} else {
		fs, err = openSQLiteFloor(filepath.Join(dir, "gmc.db"))
	}
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, fs.close)
	floorAddr, stop, err := serve(floorHandler(fs))
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, stop)
	e.floorURL = "http://" + floorAddr
	e.client = &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, DisableCompression: true}, Timeout: time.Minute}
	e.closers = append(e.closers, e.client.CloseIdleConnections)
	// Both answer before anything is timed: a broken setup fails here.
	for _, who := range []string{"gmc", "floor"} {
		for _, ep := range allEndpoints[:2] {
			if err := e.check(e.request(who, ep)); err != nil {
				return nil, fmt.Errorf("%s %s: %w", who, ep, err)
			}
		}
	}
	return e, nil
}

// check sends one request of req and wants a 2xx answer.
func (e *env) check(req request) error {
	r, err := req(0)
	if err != nil {
		return err
	}
	resp, err := e.client.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return nil
}

// serve serves h on a free loopback port.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// request is the request of endpoint ep to who (gmc or the floor).
func (e *env) request(who, ep string) request {
	base, auth := e.floorURL, ""
	if who == "gmc" {
		base, auth = e.gmcURL, "Bearer "+e.token
	}
	prefix := who + "-" + randomHex(3)
	return func(i int64) (*http.Request, error) {
		var r *http.Request
		var err error
		switch ep {
		case "campaign":
			r, err = http.NewRequest(http.MethodGet, base+"/campaigns/"+e.campaignID, nil)
		case "characters":
			r, err = http.NewRequest(http.MethodGet, base+"/campaigns/"+e.campaignID+"/characters", nil)
		case "create":
			body := fmt.Sprintf(`{"name":"Bench %s %d","character_type":"npc"}`, prefix, i)
			r, err = http.NewRequest(http.MethodPost, base+"/campaigns/"+e.campaignID+"/characters", bytes.NewBufferString(body))
			if err == nil {
				r.Header.Set("Content-Type", "application/json")
			}
		}
		if err == nil && auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return r, err
	}
}

// compare times gmc and the floor on ep with c clients in o.rounds
// interleaved rounds, alternating which goes first, and prints each
// one's medians and the medians of the per-round ratios.
func (e *env) compare(ctx context.Context, w io.Writer, ep string, c int, o options) error {
	label := map[string]string{"campaign": "GET camp", "characters": "GET chars", "create": "POST char"}[ep]
	var runs [2][]stats
	var rpsRatio, p99Ratio []float64
	who := [2]string{"gmc", "floor"}
	// A short warm-up opens the connections and fills the caches.
	for i := range who {
		drive(ctx, e.client, c, o.duration/4, e.request(who[i], ep))
	}
	for r := range o.rounds {
		var round [2]stats
		for k := range 2 {
			i := (k + r) % 2
			round[i] = drive(ctx, e.client, c, o.duration, e.request(who[i], ep))
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for i := range who {
			runs[i] = append(runs[i], round[i])
		}
		if round[1].rps > 0 && round[1].p99 > 0 {
			rpsRatio = append(rpsRatio, round[0].rps/round[1].rps)
			p99Ratio = append(p99Ratio, ms(round[0].p99)/ms(round[1].p99))
		}
	}
	for i := range who {
		var rps, p50, p95, p99 []float64
		errs, first := 0, ""
		for _, s := range runs[i] {
			rps, p50, p95, p99 = append(rps, s.rps), append(p50, ms(s.p50)), append(p95, ms(s.p95)), append(p99, ms(s.p99))
			errs += s.errors
			if first == "" {
				first = s.firstError
			}
		}
		errText := strconv.Itoa(errs)
		if first != "" {
			errText += " (" + first + ")"
		}
		fmt.Fprintf(w, "%-11s %4d  %-5s %9.0f %7.2f %7.2f %7.2f  %s\n", label, c, who[i], median(rps), median(p50), median(p95), median(p99), errText)
	}
	var rounds []string
	for _, x := range rpsRatio {
		rounds = append(rounds, fmt.Sprintf("%.2f", x))
	}
	fmt.Fprintf(w, "%-11s %4d  ratio gmc/floor: req/s %.2f (rounds %s), p99 %.2f\n", label, c, median(rpsRatio), strings.Join(rounds, " "), median(p99Ratio))
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// loadAverage is /proc/loadavg's 1, 5 and 15 minute figures; on a shared
// machine they say how far the latencies measure the neighbours.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

package wsbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/bench/benchproc"
	"github.com/gmc-project/gmc/internal/config"
)

// The external case runs the chat load against a server in a child process
// (`gmc serve`, and Centrifugo to compare with), so that the CPU time and
// resident memory read from /proc are the server's alone and not this load
// generator's.

// ExternalOptions is the shape of the load, the same for every server.
type ExternalOptions struct {
	Sessions, ClientsPerSession int
	Rate                        float64 // messages per second each client sends
	Duration                    time.Duration
	Drain                       time.Duration // wait for messages in flight (default 2 s)
}

// ExternalReport is one server under one load.
type ExternalReport struct {
	Server  string
	Sockets int
	Rate    float64 // per client, as offered
	Report          // deliveries and latencies; HeapPerConn is unused
	// CPU is the server's user and system time over the sending phase and
	// the drain; RSSBefore is its resident memory before the sockets
	// opened, RSSAfter after the drain with the sockets still open.
	CPU                 time.Duration
	RSSBefore, RSSAfter int64
	// LoadCPU is this load generator's own CPU time over the same span:
	// when it nears the machine's cores, latencies measure the generator.
	LoadCPU time.Duration
}

// Offered is the message rate the clients were asked to send, in total.
func (r ExternalReport) Offered() float64 { return r.Rate * float64(r.Sockets) }

// DeliveredShare is the fraction of expected deliveries that arrived.
func (r ExternalReport) DeliveredShare() float64 {
	return float64(r.Delivered) / float64(max(r.Expected, 1))
}

// CPUPerMessage is the server's CPU time per delivered message.
func (r ExternalReport) CPUPerMessage() time.Duration {
	return r.CPU / time.Duration(max(r.Delivered, 1))
}

// RSSPerSocket is the resident memory each open socket added, in bytes.
func (r ExternalReport) RSSPerSocket() float64 {
	return float64(r.RSSAfter-r.RSSBefore) / float64(max(r.Sockets, 1))
}

// SentPerSec is the rate the clients managed to send: below Offered when
// their writes blocked or the load generator ran short of CPU.
func (r ExternalReport) SentPerSec() float64 { return float64(r.Sent) / max(r.Elapsed.Seconds(), 1e-9) }

// Kept says whether the server kept up: at least 95% of the offered rate
// sent, everything sent delivered, no errors, p99 latency within 100 ms.
func (r ExternalReport) Kept() bool {
	return r.Expected > 0 && r.SentPerSec() >= 0.95*r.Offered() && r.Delivered == r.Expected &&
		r.Errors == 0 && r.P99 <= 100*time.Millisecond
}

// loadConn is one client socket of a server under test. Its deliveries are
// counted in the stats it was opened with.
type loadConn interface {
	publish(ctx context.Context) error // one message stamped with its send time
	close()
}

// serverUnderTest is a child process serving sockets.
type serverUnderTest interface {
	name() string
	pid() int
	// open connects every client of every session, counting into st.
	open(ctx context.Context, o ExternalOptions, st *stats) ([]loadConn, error)
	stop()
}

// measure opens the sockets, lets them settle, and runs the load while
// reading the server's CPU time and RSS from /proc.
func measure(ctx context.Context, srv serverUnderTest, o ExternalOptions) (ExternalReport, error) {
	if o.Drain <= 0 {
		o.Drain = 2 * time.Second
	}
	rep := ExternalReport{Server: srv.name(), Rate: o.Rate}
	var err error
	if rep.RSSBefore, err = vmRSS(srv.pid()); err != nil {
		return rep, err
	}
	st := &stats{lat: newSampler(1_000_000)}
	conns, err := srv.open(ctx, o, st)
	defer func() {
		var wg sync.WaitGroup
		for _, c := range conns {
			wg.Go(c.close)
		}
		wg.Wait()
	}()
	if err != nil {
		return rep, err
	}
	rep.Sockets, rep.Connections = len(conns), len(conns)
	time.Sleep(time.Second) // what the arrivals set off is over
	cpuBefore, err := cpuTime(srv.pid())
	if err != nil {
		return rep, err
	}
	loadBefore, err := cpuTime(os.Getpid())
	if err != nil {
		return rep, err
	}
	start := time.Now()
	sendCtx, cancel := context.WithTimeout(ctx, o.Duration)
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { sendAt(sendCtx, o.Rate, st, c.publish) })
	}
	wg.Wait()
	cancel()
	rep.Elapsed = time.Since(start)
	expected := st.sent.Load() * int64(o.ClientsPerSession)
	deadline := time.Now().Add(o.Drain)
	for st.delivered.Load() < expected && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	cpuAfter, err := cpuTime(srv.pid())
	if err != nil {
		return rep, err
	}
	rep.CPU = cpuAfter - cpuBefore
	loadAfter, err := cpuTime(os.Getpid())
	if err != nil {
		return rep, err
	}
	rep.LoadCPU = loadAfter - loadBefore
	if rep.RSSAfter, err = vmRSS(srv.pid()); err != nil {
		return rep, err
	}
	rep.Sent, rep.Expected, rep.Delivered = st.sent.Load(), expected, st.delivered.Load()
	rep.Errors = st.errors.Load()
	rep.DeliveredPerSec = float64(rep.Delivered) / rep.Elapsed.Seconds()
	rep.P50, rep.P99, rep.Max = st.lat.quantiles()
	return rep, nil
}

// cpuTime reads a process's user plus system time from /proc.
func cpuTime(pid int) (time.Duration, error) { return benchproc.CPUTime(pid) }

// gmcChild is `gmc serve` in a child process, with its users' access tokens.
type gmcChild struct {
	*benchproc.Server
	sockets []idleSocket // session by session, ClientsPerSession each
}

func (g *gmcChild) name() string { return "gmc" }
func (g *gmcChild) pid() int     { return g.PID() }
func (g *gmcChild) stop()        { g.Stop() }

func (g *gmcChild) open(ctx context.Context, o ExternalOptions, st *stats) ([]loadConn, error) {
	at := func(s, c int) idleSocket { return g.sockets[s*o.ClientsPerSession+c] }
	opts := Options{
		URL:      func(s, c int) string { return "ws://" + g.Addr + "/api/v1/sessions/" + at(s, c).session + "/ws" },
		Token:    func(s, c int) string { return at(s, c).token },
		Sessions: o.Sessions, ClientsPerSession: o.ClientsPerSession, Rate: o.Rate, Duration: o.Duration,
		HTTPClient: spreadClient(),
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	clients, err := connectAll(ctx, opts, st)
	conns := make([]loadConn, len(clients))
	for i, c := range clients {
		conns[i] = c
	}
	return conns, err
}

// runExternal is `gmc bench ws -external`: for each rate, a fresh `gmc
// serve` (and a fresh Centrifugo when centrifugoPath is set) under the same
// load, one table row each.
func runExternal(ctx context.Context, stdout io.Writer, cfg config.Config, gmcPath, centrifugoPath string, protobuf bool, o ExternalOptions, rates []float64) error {
	fmt.Fprintf(stdout, "setting up %d sessions × %d clients…\n", o.Sessions, o.ClientsPerSession)
	sockets, err := prepareIdle(ctx, cfg, o.Sessions, o.ClientsPerSession)
	if err != nil {
		return err
	}
	var reports []ExternalReport
	for _, rate := range rates {
		o.Rate = rate
		g, err := startChild(ctx, cfg, gmcPath)
		if err != nil {
			return err
		}
		rep, err := measureSettled(ctx, &gmcChild{Server: g, sockets: sockets}, o)
		if err != nil {
			return fmt.Errorf("gmc at %g msg/s per client: %w", rate, err)
		}
		reports = append(reports, rep)
		if centrifugoPath != "" {
			c, err := startCentrifugo(ctx, centrifugoPath, protobuf)
			if err != nil {
				return err
			}
			rep, err := measureSettled(ctx, c, o)
			if err != nil {
				return fmt.Errorf("centrifugo at %g msg/s per client: %w", rate, err)
			}
			reports = append(reports, rep)
		}
	}
	printExternal(stdout, reports, len(rates) > 1)
	return nil
}

// measureSettled measures srv a second after its start-up and stops it.
func measureSettled(ctx context.Context, srv serverUnderTest, o ExternalOptions) (ExternalReport, error) {
	defer srv.stop()
	time.Sleep(time.Second)
	return measure(ctx, srv, o)
}

func printExternal(w io.Writer, reports []ExternalReport, sweep bool) {
	fmt.Fprintf(w, "%-13s %7s %9s %7s %11s %9s %9s %9s %8s %9s %9s %9s %10s\n",
		"server", "sockets", "offered/s", "sent/s", "delivered/s", "delivered", "p50", "p99", "errors", "CPU s", "CPU µs/msg", "RSS/sock", "load gen s")
	for _, r := range reports {
		fmt.Fprintf(w, "%-13s %7d %9.0f %7.0f %11.0f %8.2f%% %9s %9s %8d %9.2f %10.1f %6.1f KiB %10.2f\n",
			r.Server, r.Sockets, r.Offered(), r.SentPerSec(), r.DeliveredPerSec, 100*r.DeliveredShare(),
			r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Errors,
			r.CPU.Seconds(), float64(r.CPUPerMessage().Nanoseconds())/1e3, r.RSSPerSocket()/1024, r.LoadCPU.Seconds())
	}
	fmt.Fprintln(w, "CPU s and RSS are the server process's (from /proc); load gen s is this program's CPU over the same span")
	byRate := map[float64]map[string]ExternalReport{}
	for _, r := range reports {
		if byRate[r.Rate] == nil {
			byRate[r.Rate] = map[string]ExternalReport{}
		}
		byRate[r.Rate][r.Server] = r
	}
	for _, r := range reports {
		c, ok := byRate[r.Rate]["centrifugo"]
		if !ok {
			c, ok = byRate[r.Rate]["centrifugo/pb"]
		}
		if r.Server != "gmc" || !ok {
			continue
		}
		fmt.Fprintf(w, "at %g msg/s per client: gmc/centrifugo CPU per delivered message %.2f×, RSS per socket %.2f×\n",
			r.Rate, float64(r.CPUPerMessage())/float64(max(c.CPUPerMessage(), 1)), r.RSSPerSocket()/max(c.RSSPerSocket(), 1))
	}
	if !sweep {
		return
	}
	best := map[string]float64{}
	for _, r := range reports {
		if r.Kept() {
			best[r.Server] = max(best[r.Server], r.Offered())
		}
	}
	for _, name := range []string{"gmc", "centrifugo", "centrifugo/pb"} {
		if _, ran := byRate[reports[0].Rate][name]; !ran {
			continue
		}
		if b, ok := best[name]; ok {
			fmt.Fprintf(w, "%s: highest offered rate with everything delivered and p99 ≤ 100 ms: %.0f msg/s\n", name, b)
		} else {
			fmt.Fprintf(w, "%s: no rate tried had everything delivered with p99 ≤ 100 ms\n", name)
		}
	}
}

func parseRates(s string) ([]float64, error) {
	var out []float64
	for f := range strings.SplitSeq(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a positive rate", f)
		}
		out = append(out, r)
	}
	return out, nil
}

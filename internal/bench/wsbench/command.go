package wsbench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/service"
)

// Main is `gmc bench ws`: it runs one gmc instance in process (or two on
// one Redis), fills it with live sessions of a GM and players each, and
// drives their WebSockets with chat through Run. args are the flags after "ws".
// -join-burst, -reconnect-storm and -idle run the crowd cases instead;
// -external runs the chat load against a child `gmc serve` (and Centrifugo
// with -compare-centrifugo) to weigh the server's own CPU and memory.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench ws", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sessions := fs.Int("sessions", 100, "live sessions")
	clients := fs.Int("clients", 15, "clients per session (one GM, the rest players)")
	rate := fs.Float64("rate", 1, "chat messages per second each client sends")
	duration := fs.Duration("duration", 20*time.Second, "how long the clients send")
	redisURL := fs.String("redis-url", "", "run two instances on this Redis (empty: one instance, memory broker)")
	databaseURL := fs.String("database-url", "", "PostgreSQL URL (empty: SQLite in a temporary directory; needed with -redis-url so both instances share it)")
	redisRestart := fs.Bool("redis-restart", false, "the Redis restart case: two instances on -database-url and a redis-server of the bench's own, killed at 40% of -duration and started again; the GMs send -rate transcript segments per second per session")
	redisDown := fs.Duration("redis-down", 1500*time.Millisecond, "with -redis-restart: how long Redis stays down")
	redisAOF := fs.Bool("redis-aof", false, "with -redis-restart: Redis keeps its data across the restart (append-only file)")
	joinBurstN := fs.Int("join-burst", 0, "instead: open this many sockets of one session at once; report time until all are welcomed and presence messages per socket")
	storm := fs.Bool("reconnect-storm", false, "instead: one player of a session of -clients reconnects in 8 loops for -duration; report the presence messages the others receive")
	idle := fs.String("idle", "", "instead: comma-separated socket counts (e.g. 1000,5000); for each, start `gmc serve` as a child process, open that many idle sockets and report its RSS per socket")
	external := fs.Bool("external", false, "instead: run the chat load of -sessions × -clients at -rate against `gmc serve` started as a child process, and report the server's own CPU time (utime+stime) per delivered message and RSS per socket, read from /proc")
	centrifugo := fs.String("compare-centrifugo", "", "with -external (implied): also run the same load against this Centrifugo v6 binary (a child process on a minimal config; clients are centrifuge-go) and give the gmc/Centrifugo ratios; empty: gmc only")
	centrifugoPB := fs.Bool("centrifugo-protobuf", false, "with -compare-centrifugo: its clients speak protobuf instead of JSON (gmc's clients speak JSON; centrifuge-go's JSON decoding is heavy on the load generator)")
	rates := fs.String("rates", "", "with -external (implied): comma-separated per-client rates (e.g. 1,2,4,8) to sweep instead of -rate, each on fresh servers; reports the highest offered rate with everything delivered and p99 ≤ 100 ms")
	gmcPath := fs.String("gmc", "", "the gmc binary -idle and -external start (default: this program)")
	settle := fs.Duration("settle", 5*time.Second, "with -idle: how long the sockets stay idle before the server's RSS is read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *redisRestart {
		return runRestart(ctx, RestartOptions{DatabaseURL: *databaseURL, Sessions: *sessions, ClientsPerSession: *clients, Rate: *rate,
			Duration: *duration, KillAt: *duration * 2 / 5, DownFor: *redisDown, AOF: *redisAOF}, stdout)
	}
	counts, err := parseCounts(*idle)
	if err != nil {
		return err
	}
	if *sessions < 1 || *clients < 2 {
		return errors.New("-sessions must be ≥ 1 and -clients ≥ 2")
	}
	if *redisURL != "" && *databaseURL == "" {
		return errors.New("-redis-url needs -database-url: two instances must share a database")
	}
	*external = *external || *centrifugo != "" || *rates != ""
	sweep := []float64{*rate}
	if *rates != "" {
		if sweep, err = parseRates(*rates); err != nil {
			return err
		}
	}
	if (*joinBurstN > 0 || *storm || counts != nil || *external) && *redisURL != "" {
		return errors.New("-join-burst, -reconnect-storm, -idle and -external run one instance: leave -redis-url empty")
	}
	dir, err := os.MkdirTemp("", "gmc-bench-ws-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config.Config{DataDir: dir, DatabaseURL: *databaseURL, RedisURL: *redisURL, RedisPrefix: fmt.Sprintf("gmcbench%d:", time.Now().UnixNano()),
		SecretKey: strings.Repeat("b", 32), ShutdownTimeout: 5 * time.Second}
	if counts != nil || *external {
		if *gmcPath == "" {
			if *gmcPath, err = os.Executable(); err != nil {
				return err
			}
		}
		if *external {
			return runExternal(ctx, stdout, cfg, *gmcPath, *centrifugo, *centrifugoPB,
				ExternalOptions{Sessions: *sessions, ClientsPerSession: *clients, Duration: *duration}, sweep)
		}
		return idleCase(ctx, stdout, cfg, *gmcPath, counts, *clients, *settle)
	}
	n := 1
	if *redisURL != "" {
		n = 2
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	instances, err := startInstances(ctx, cfg, n)
	defer stopInstances(instances)
	if err != nil {
		return err
	}
	switch {
	case *joinBurstN > 0:
		return runJoinBurst(ctx, stdout, instances[0], *joinBurstN)
	case *storm:
		return runStorm(ctx, stdout, instances[0], *clients, *duration)
	}
	fmt.Fprintf(stdout, "setting up %d sessions × %d clients on %d instance(s) (%s)…\n", *sessions, *clients, n, backendLabel(cfg))
	tables, err := setUp(ctx, instances[0].app.Service(), *sessions, *clients)
	if err != nil {
		return err
	}
	rep, err := Run(ctx, Options{
		Sessions: *sessions, ClientsPerSession: *clients, Rate: *rate, Duration: *duration,
		URL: func(s, c int) string {
			in := instances[(s*(*clients)+c)%n] // alternate instances so messages must cross Redis
			ticket, _, err := in.app.Service().CreateTicket(ctx, tables[s].users[c], tables[s].session)
			if err != nil {
				return "ws://invalid/" + err.Error()
			}
			return "ws://" + in.addr + "/api/v1/sessions/" + tables[s].session + "/ws?ticket=" + ticket
		},
	})
	// Ending the sessions closes the sockets and deletes their channels, so
	// a run on a shared Redis leaves no keys behind.
	endErr := endSessions(context.WithoutCancel(ctx), instances[0].app.Service(), tables)
	if err != nil {
		return err
	}
	printReport(stdout, rep)
	return endErr
}

func endSessions(ctx context.Context, svc *service.Service, tables []liveTable) error {
	var errs []error
	for _, t := range tables {
		if _, err := svc.EndSession(ctx, t.users[0], t.session); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type instance struct {
	app  *app.App
	addr string
	done chan error
	stop context.CancelFunc
}

func startInstances(ctx context.Context, cfg config.Config, n int) ([]*instance, error) {
	var out []*instance
	for range n {
		a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "bench", app.WithPasswordParams(service.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}))
		if err != nil {
			return out, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			a.Close()
			return out, err
		}
		sctx, stop := context.WithCancel(ctx)
		in := &instance{app: a, addr: ln.Addr().String(), done: make(chan error, 1), stop: stop}
		go func() { in.done <- a.Serve(sctx, ln) }()
		out = append(out, in)
	}
	return out, nil
}

func stopInstances(instances []*instance) {
	for _, in := range instances {
		in.stop()
		<-in.done
		in.app.Close()
	}
}

// liveTable is one live session and the users who connect to it, GM first.
type liveTable struct {
	session string
	users   []string
}

// setUp makes, per session, a GM with a campaign and a live session, and
// players who joined it by invite. It goes through the service, as the API would.
func setUp(ctx context.Context, svc *service.Service, sessions, clients int) ([]liveTable, error) {
	tables := make([]liveTable, sessions)
	errs := make([]error, sessions)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for s := range sessions {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			tables[s], errs[s] = setUpTable(ctx, svc, s, clients)
		})
	}
	wg.Wait()
	return tables, errors.Join(errs...)
}

func setUpTable(ctx context.Context, svc *service.Service, s, clients int) (liveTable, error) {
	var t liveTable
	for c := range clients {
		u, err := svc.Register(ctx, service.RegisterParams{Email: fmt.Sprintf("bench-%d-%d@example.com", s, c), Password: "bench password", DisplayName: fmt.Sprintf("S%d C%d", s, c)})
		if err != nil {
			return t, err
		}
		t.users = append(t.users, u.ID)
	}
	gm := t.users[0]
	camp, err := svc.CreateCampaign(ctx, gm, service.CampaignParams{Name: fmt.Sprintf("Bench %d", s)})
	if err != nil {
		return t, err
	}
	inv, err := svc.CreateInvite(ctx, gm, camp.ID, service.InviteParams{MaxUses: clients})
	if err != nil {
		return t, err
	}
	for _, u := range t.users[1:] {
		if _, err := svc.AcceptInvite(ctx, u, inv.Code, ""); err != nil {
			return t, err
		}
	}
	gs, err := svc.CreateSession(ctx, gm, camp.ID, service.SessionParams{Title: "Bench"})
	if err != nil {
		return t, err
	}
	if _, err := svc.StartSession(ctx, gm, gs.ID); err != nil {
		return t, err
	}
	t.session = gs.ID
	return t, nil
}

func backendLabel(cfg config.Config) string {
	if cfg.RedisURL != "" {
		return "Redis broker, PostgreSQL"
	}
	return "memory broker, " + cfg.DatabaseBackend()
}

func printReport(w io.Writer, r Report) {
	fmt.Fprintf(w, "connections          %d\n", r.Connections)
	fmt.Fprintf(w, "chat sent            %d over %s\n", r.Sent, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "delivered            %d of %d expected (%.2f%%)\n", r.Delivered, r.Expected, 100*float64(r.Delivered)/float64(max(r.Expected, 1)))
	fmt.Fprintf(w, "delivered/s          %.0f\n", r.DeliveredPerSec)
	fmt.Fprintf(w, "latency p50/p99/max  %s / %s / %s\n", r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond))
	fmt.Fprintf(w, "heap per connection  %.1f KiB (client and server sides, both in this process)\n", float64(r.HeapPerConn)/1024)
	fmt.Fprintf(w, "errors               %d\n", r.Errors)
}

func parseCounts(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-idle: %q is not a socket count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// socketURL is the URL of a user's socket on a session, with a fresh ticket.
func (in *instance) socketURL(ctx context.Context, user, session string) string {
	ticket, _, err := in.app.Service().CreateTicket(ctx, user, session)
	if err != nil {
		return "ws://invalid/" + err.Error()
	}
	return "ws://" + in.addr + "/api/v1/sessions/" + session + "/ws?ticket=" + ticket
}

func runJoinBurst(ctx context.Context, stdout io.Writer, in *instance, n int) error {
	fmt.Fprintf(stdout, "setting up one session of %d members…\n", n)
	tables, err := setUp(ctx, in.app.Service(), 1, max(n, 2))
	if err != nil {
		return err
	}
	defer endSessions(context.WithoutCancel(ctx), in.app.Service(), tables)
	urls := make([]string, n)
	for i := range urls {
		urls[i] = in.socketURL(ctx, tables[0].users[i], tables[0].session)
	}
	rep, err := joinBurst(ctx, urls)
	if err != nil {
		return err
	}
	rep.print(stdout)
	return nil
}

func runStorm(ctx context.Context, stdout io.Writer, in *instance, clients int, d time.Duration) error {
	svc := in.app.Service()
	tables, err := setUp(ctx, svc, 1, clients+1)
	if err != nil {
		return err
	}
	t := tables[0]
	defer endSessions(context.WithoutCancel(ctx), svc, tables)
	watchers := make([]string, clients)
	for i := range watchers {
		watchers[i] = in.socketURL(ctx, t.users[i], t.session)
	}
	// The reconnecting player uses a bearer token, as a native client
	// would, so that the storm does not wait on ticket writes.
	pair, err := svc.Login(ctx, service.LoginParams{Email: fmt.Sprintf("bench-0-%d@example.com", clients), Password: "bench password", ClientIP: "198.18.0.1"})
	if err != nil {
		return err
	}
	u := "ws://" + in.addr + "/api/v1/sessions/" + t.session + "/ws"
	rep, err := reconnectStorm(ctx, watchers, func() (string, string) { return u, pair.AccessToken }, d)
	if err != nil {
		return err
	}
	rep.print(stdout)
	return nil
}

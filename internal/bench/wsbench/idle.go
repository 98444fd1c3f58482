package wsbench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/bench/benchproc"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/service"
)

// The idle case weighs a server holding sockets that do nothing. It runs
// `gmc serve` as a child process, so the resident memory it reads from /proc
// is the server's alone and not this load generator's.

// IdleReport is the server's memory before and after N idle sockets.
type IdleReport struct {
	Sockets             int
	RSSBefore, RSSAfter int64 // bytes (VmRSS)
}

// PerSocket is the resident memory each socket added.
func (r IdleReport) PerSocket() float64 {
	return float64(r.RSSAfter-r.RSSBefore) / float64(max(r.Sockets, 1))
}

func (r IdleReport) print(w io.Writer) {
	fmt.Fprintf(w, "idle sockets %-7d server RSS %.1f MiB → %.1f MiB: %.1f KiB per socket\n",
		r.Sockets, float64(r.RSSBefore)/(1<<20), float64(r.RSSAfter)/(1<<20), r.PerSocket()/1024)
}

// idleCase prepares enough users for the largest count (one socket each, in
// sessions of clients), then for each count starts a fresh server, opens
// that many idle sockets and reads its RSS.
func idleCase(ctx context.Context, stdout io.Writer, cfg config.Config, gmcPath string, counts []int, clients int, settle time.Duration) error {
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	fmt.Fprintf(stdout, "setting up %d users in sessions of %d…\n", most, clients)
	sockets, err := prepareIdle(ctx, cfg, (most+clients-1)/clients, clients)
	if err != nil {
		return err
	}
	for _, n := range counts {
		rep, err := idleRun(ctx, cfg, gmcPath, sockets[:n], settle)
		if err != nil {
			return err
		}
		rep.print(stdout)
	}
	return nil
}

// idleSocket is one socket to open: its session and its user's access token.
type idleSocket struct{ session, token string }

func prepareIdle(ctx context.Context, cfg config.Config, sessions, clients int) ([]idleSocket, error) {
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "bench", app.WithPasswordParams(service.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		return nil, err
	}
	defer a.Close()
	svc := a.Service()
	tables, err := setUp(ctx, svc, sessions, clients)
	if err != nil {
		return nil, err
	}
	var out []idleSocket
	for s, t := range tables {
		for c := range t.users {
			// Each login from its own documentation address, so the login
			// limit per address does not get in the way.
			ip := fmt.Sprintf("198.18.%d.%d", len(out)/250, len(out)%250+1)
			pair, err := svc.Login(ctx, service.LoginParams{Email: fmt.Sprintf("bench-%d-%d@example.com", s, c), Password: "bench password", ClientIP: ip})
			if err != nil {
				return nil, err
			}
			out = append(out, idleSocket{session: t.session, token: pair.AccessToken})
		}
	}
	return out, nil
}

// idleRun starts a server, measures it with the sockets open, and stops it.
func idleRun(ctx context.Context, cfg config.Config, gmcPath string, sockets []idleSocket, settle time.Duration) (IdleReport, error) {
	srv, err := startChild(ctx, cfg, gmcPath)
	if err != nil {
		return IdleReport{}, err
	}
	defer srv.Stop()
	time.Sleep(time.Second) // let start-up work settle before the baseline
	rep := IdleReport{Sockets: len(sockets)}
	if rep.RSSBefore, err = vmRSS(srv.PID()); err != nil {
		return rep, err
	}
	urls, tokens := make([]string, len(sockets)), make([]string, len(sockets))
	for i, s := range sockets {
		urls[i], tokens[i] = "ws://"+srv.Addr+"/api/v1/sessions/"+s.session+"/ws", s.token
	}
	ws, err := openAll(ctx, spreadClient(), urls, tokens, 32)
	if err != nil {
		return rep, err
	}
	defer func() {
		for _, w := range ws {
			w.hangUp()
		}
	}()
	// Welcomes and presence have gone out after a few seconds; an idle
	// server's runtime collects and returns freed memory within minutes.
	time.Sleep(settle)
	rep.RSSAfter, err = vmRSS(srv.PID())
	return rep, err
}

// startChild runs `gmc serve` on a free loopback port with cfg's database and
// secret, and waits until it is ready.
func startChild(ctx context.Context, cfg config.Config, gmcPath string) (*benchproc.Server, error) {
	return benchproc.StartServer(ctx, gmcPath, []string{
		"GMC_DATA_DIR=" + cfg.DataDir, "GMC_DATABASE_URL=" + cfg.DatabaseURL,
		"GMC_SECRET_KEY=" + cfg.SecretKey, "GMC_REDIS_URL=", "GMC_LOG_LEVEL=error", "GMC_STT=off",
	}, 30*time.Second)
}

// vmRSS reads a process's resident set size from /proc.
func vmRSS(pid int) (int64, error) {
	rss, _, err := benchproc.Memory(pid)
	return rss, err
}

package wsbench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/app"
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
	defer srv.stop()
	time.Sleep(time.Second) // let start-up work settle before the baseline
	rep := IdleReport{Sockets: len(sockets)}
	if rep.RSSBefore, err = vmRSS(srv.cmd.Process.Pid); err != nil {
		return rep, err
	}
	urls, tokens := make([]string, len(sockets)), make([]string, len(sockets))
	for i, s := range sockets {
		urls[i], tokens[i] = "ws://"+srv.addr+"/api/v1/sessions/"+s.session+"/ws", s.token
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
	rep.RSSAfter, err = vmRSS(srv.cmd.Process.Pid)
	return rep, err
}

type child struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// startChild runs `gmc serve` on a free loopback port with cfg's database and
// secret, and waits until it is ready.
func startChild(ctx context.Context, cfg config.Config, gmcPath string) (*child, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(gmcPath, "serve")
	cmd.Env = append(os.Environ(),
		"GMC_ADDR="+addr, "GMC_DATA_DIR="+cfg.DataDir, "GMC_DATABASE_URL="+cfg.DatabaseURL,
		"GMC_SECRET_KEY="+cfg.SecretKey, "GMC_REDIS_URL=", "GMC_LOG_LEVEL=error")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", gmcPath, err)
	}
	c := &child{cmd: cmd, addr: addr, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		select {
		case err := <-c.done:
			return nil, fmt.Errorf("%s serve exited: %v", gmcPath, err)
		case <-ctx.Done():
			c.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("%s serve not ready on %s after 30 s", gmcPath, addr)
		}
	}
}

func (c *child) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// vmRSS reads a process's resident set size from /proc.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

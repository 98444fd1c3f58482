package speechbench

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/service"
)

// table is one file's live session and the GM's access token.
type table struct{ session, token string }

// prepare registers a GM and opens one live session per file, each in a
// campaign of its own, in process on cfg's database before the server
// starts, so that none of this work is counted in the server's CPU.
func prepare(ctx context.Context, cfg config.Config, files int) ([]table, error) {
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "bench", app.WithPasswordParams(service.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		return nil, err
	}
	defer a.Close()
	svc := a.Service()
	const email, password = "bench-gm@example.com", "bench password"
	u, err := svc.Register(ctx, service.RegisterParams{Email: email, Password: password, DisplayName: "Bench GM"})
	if err != nil {
		return nil, err
	}
	pair, err := svc.Login(ctx, service.LoginParams{Email: email, Password: password, ClientIP: "198.18.0.1"})
	if err != nil {
		return nil, err
	}
	out := make([]table, files)
	for i := range out {
		camp, err := svc.CreateCampaign(ctx, u.ID, service.CampaignParams{Name: fmt.Sprintf("Speech bench %d", i+1)})
		if err != nil {
			return nil, err
		}
		gs, err := svc.CreateSession(ctx, u.ID, camp.ID, service.SessionParams{Title: "Speech bench"})
		if err != nil {
			return nil, err
		}
		if _, err := svc.StartSession(ctx, u.ID, gs.ID); err != nil {
			return nil, err
		}
		out[i] = table{session: gs.ID, token: pair.AccessToken}
	}
	return out, nil
}

// child is `gmc serve` in a child process, so that the CPU time and
// memory read from /proc are the server's alone, not the client's.
type child struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// startChild runs `gmc serve` on a free loopback port with cfg's database
// and secret and the diarization provider asked for, and waits until it
// is ready. GMC_STT and the rest of the environment are passed through.
func startChild(ctx context.Context, cfg config.Config, gmcPath, diarization string) (*child, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(gmcPath, "serve")
	cmd.Env = append(os.Environ(),
		"GMC_ADDR="+addr, "GMC_DATA_DIR="+cfg.DataDir, "GMC_DATABASE_URL="+cfg.DatabaseURL,
		"GMC_SECRET_KEY="+cfg.SecretKey, "GMC_REDIS_URL=", "GMC_LOG_LEVEL=error",
		"GMC_DIARIZATION="+diarization)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", gmcPath, err)
	}
	c := &child{cmd: cmd, addr: addr, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	// Loading the acoustic model takes a few seconds on a busy machine.
	deadline := time.Now().Add(60 * time.Second)
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
			return nil, fmt.Errorf("%s serve not ready on %s after 60 s", gmcPath, addr)
		}
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// clockTicks is USER_HZ, the unit of the times in /proc/<pid>/stat: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// cpuTime reads a process's user plus system time from /proc/<pid>/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces; utime and stime
	// are the 12th and 13th fields after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// memory reads a process's resident set size and its peak (VmRSS, VmHWM)
// from /proc, in bytes.
func memory(pid int) (rss, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		for key, dst := range map[string]*int64{"VmRSS:": &rss, "VmHWM:": &peak} {
			if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err != nil {
					return 0, 0, fmt.Errorf("/proc/%d/status %s %w", pid, key, err)
				}
				*dst = kb << 10
			}
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return rss, peak, sc.Err()
}

// loadAverage is the machine's 1, 5 and 15 minute load averages as
// /proc/loadavg gives them, for the record: on a shared machine they say
// how far the latencies measure the neighbours.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func numCPU() int { return runtime.NumCPU() }

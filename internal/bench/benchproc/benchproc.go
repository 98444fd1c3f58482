// Package benchproc runs `gmc serve` as a child process for benchmarks and
// reads its CPU time and memory from /proc, so that what a benchmark
// reports is the server's alone, not its load generator's.
package benchproc

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Server is `gmc serve` running in a child process.
type Server struct {
	// Addr is where it listens (host:port on loopback).
	Addr string
	cmd  *exec.Cmd
	// done is closed when the process has exited, with its Wait error in
	// exitErr, so that any number of callers may wait for it.
	done    chan struct{}
	exitErr error
}

// StartServer runs `gmcPath serve` on a free loopback port with the
// environment of this process plus env (GMC_ADDR is set here), and waits
// up to wait for its /readyz to answer 200.
func StartServer(ctx context.Context, gmcPath string, env []string, wait time.Duration) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(gmcPath, "serve")
	cmd.Env = append(append(os.Environ(), env...), "GMC_ADDR="+addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", gmcPath, err)
	}
	s := &Server{Addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() {
		s.exitErr = cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(wait)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s serve exited: %v", gmcPath, s.exitErr)
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s serve not ready on %s after %s", gmcPath, addr, wait)
		}
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop interrupts the server and waits for it to exit, killing it after
// 15 s. A server that has exited already is left as it is.
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Err waits for the server to exit and returns how it did: nil for a
// clean exit.
func (s *Server) Err() error {
	<-s.done
	return s.exitErr
}

// Kill ends the server with SIGKILL, as a crash or the OOM killer would:
// nothing of it runs after, no shutdown hook, no handing back of work.
func (s *Server) Kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// clockTicks is USER_HZ, the unit of the times in /proc/<pid>/stat: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// CPUTime reads a process's user plus system time from /proc/<pid>/stat.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces; the fields after
	// it are fixed: utime and stime are the 12th and 13th.
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

// Memory reads a process's resident set size and its peak (VmRSS, VmHWM)
// from /proc, in bytes.
func Memory(pid int) (rss, peak int64, err error) {
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

// Package redisproc runs a throw-away redis-server on a free local port, for
// the fault tests and the benchmark that kill Redis and start it again. It
// never touches a Redis it did not start.
package redisproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is one redis-server process and what is needed to start it again
// on the same port and directory.
type Server struct {
	bin, dir string
	port     int
	persist  bool
	cmd      *exec.Cmd
}

// Start runs redis-server (found on PATH) with its files in dir. With
// persist it writes an append-only file synced on every write, so a restart
// brings the data back; without, a restart starts empty.
func Start(dir string, persist bool) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &Server{bin: bin, dir: dir, port: port, persist: persist}
	return s, s.start()
}

// URL is the server's redis:// address.
func (s *Server) URL() string { return "redis://127.0.0.1:" + strconv.Itoa(s.port) + "/0" }

// Kill ends the process at once, as a crash would (SIGKILL).
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the killed server again on the same port and directory.
func (s *Server) Restart() error {
	s.Kill()
	return s.start()
}

func (s *Server) start() error {
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "", "--dir", s.dir}
	if s.persist {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	cmd := exec.Command(s.bin, args...)
	logf, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err == nil {
		cmd.Stdout, cmd.Stderr = logf, logf
		defer logf.Close()
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	return s.waitReady()
}

func (s *Server) waitReady() error {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(s.port), MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.Kill()
			return errors.Join(fmt.Errorf("redis-server on port %d not ready", s.port), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package wsbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/centrifugal/centrifuge-go"
	"github.com/golang-jwt/jwt/v5"
)

// Centrifugo is the reference the live socket is compared with: the same
// load (a channel per session, every client subscribed to its session's
// channel and publishing into it) on a Centrifugo v6 child process with a
// minimal configuration, driven by its own Go client, centrifuge-go, over
// JSON on WebSocket as gmc's clients speak.

// centrifugoChild is a Centrifugo server in a child process.
type centrifugoChild struct {
	*exec.Cmd
	addr   string
	secret string
	dir    string
	done   chan error
	// firstErr logs the first client error, so that a count comes with a cause.
	firstErr sync.Once
	// protobuf has the clients speak Centrifugo's protobuf protocol instead
	// of JSON: centrifuge-go's JSON decoding costs the load generator about
	// three times what gmc's clients cost it.
	protobuf bool
}

// centrifugoConfig allows authenticated clients to subscribe to, and publish
// into, the channels of the bench namespace; nothing else is on.
func centrifugoConfig(secret string, port int) map[string]any {
	return map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": port},
		"log":         map[string]any{"level": "error"},
		"client":      map[string]any{"token": map[string]any{"hmac_secret_key": secret}, "allowed_origins": []string{"*"}},
		"channel": map[string]any{"namespaces": []map[string]any{{
			"name": "bench", "allow_subscribe_for_client": true, "allow_publish_for_subscriber": true,
		}}},
		"http_api":    map[string]any{"disabled": true},
		"admin":       map[string]any{"enabled": false},
		"health":      map[string]any{"enabled": true},
		"usage_stats": map[string]any{"disabled": true},
	}
}

// startCentrifugo writes a configuration to a temporary directory, starts
// the binary at path on a free loopback port and waits for its health check.
func startCentrifugo(ctx context.Context, path string, protobuf bool) (*centrifugoChild, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	dir, err := os.MkdirTemp("", "gmc-bench-centrifugo-")
	if err != nil {
		return nil, err
	}
	secret := strconv.FormatInt(time.Now().UnixNano(), 36) + "-bench-secret"
	conf, _ := json.Marshal(centrifugoConfig(secret, port))
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, conf, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(path, "--config", cfgPath)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	c := &centrifugoChild{Cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), secret: secret, dir: dir, done: make(chan error, 1), protobuf: protobuf}
	go func() { c.done <- cmd.Wait() }()
	if err := waitHealthy(ctx, "http://"+c.addr+"/health", c.done); err != nil {
		c.stop()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// waitHealthy polls u until it answers 200, the process ends, or 30 s pass.
func waitHealthy(ctx context.Context, u string, exited <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("not healthy after 30 s")
}

func (c *centrifugoChild) name() string {
	if c.protobuf {
		return "centrifugo/pb"
	}
	return "centrifugo"
}
func (c *centrifugoChild) pid() int { return c.Process.Pid }

func (c *centrifugoChild) stop() {
	defer os.RemoveAll(c.dir)
	select {
	case <-c.done: // already gone
		return
	default:
	}
	_ = c.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		_ = c.Process.Kill()
		<-c.done
	}
}

// token is a connection JWT for user, signed with the server's HMAC secret.
func (c *centrifugoChild) token(user string) (string, error) {
	claims := jwt.MapClaims{"sub": user, "exp": time.Now().Add(time.Hour).Unix()}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(c.secret))
}

func (c *centrifugoChild) open(ctx context.Context, o ExternalOptions, st *stats) ([]loadConn, error) {
	dialer := spreadClient().Transport.(*http.Transport).DialContext
	conns := make([]loadConn, o.Sessions*o.ClientsPerSession)
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	limit := make(chan struct{}, 16) // as gmc's clients dial
	for i := range conns {
		limit <- struct{}{}
		wg.Go(func() {
			defer func() { <-limit }()
			s, n := i/o.ClientsPerSession, i%o.ClientsPerSession
			tok, err := c.token(fmt.Sprintf("s%d-c%d", s, n))
			if err == nil {
				conns[i], err = c.dial(ctx, tok, fmt.Sprintf("bench:s%d", s), dialer, st)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	var ok []loadConn
	for _, cc := range conns {
		if cc != nil {
			ok = append(ok, cc)
		}
	}
	return ok, errors.Join(errs...)
}

// centrifugoConn is one centrifuge-go client subscribed to its session's channel.
type centrifugoConn struct {
	cl       *centrifuge.Client
	sub      *centrifuge.Subscription
	closing  atomic.Bool
	inFlight sync.WaitGroup // publishes awaiting their reply
	failed   func(error)    // counts an error; the first of the run is logged
}

// stamp is the payload every client publishes: its send time.
type stamp struct {
	ClientTS int64 `json:"client_ts"`
}

func (c *centrifugoChild) dial(ctx context.Context, token, channel string, dialer func(context.Context, string, string) (net.Conn, error), st *stats) (*centrifugoConn, error) {
	newClient := centrifuge.NewJsonClient
	if c.protobuf {
		newClient = centrifuge.NewProtobufClient
	}
	cl := newClient("ws://"+c.addr+"/connection/websocket", centrifuge.Config{
		Token: token, NetDialContext: dialer, HandshakeTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
	})
	cc := &centrifugoConn{cl: cl, failed: func(err error) {
		st.errors.Add(1)
		c.firstErr.Do(func() { fmt.Fprintf(os.Stderr, "centrifugo client: first error of the run: %v\n", err) })
	}}
	sub, err := cl.NewSubscription(channel)
	if err != nil {
		cl.Close()
		return nil, err
	}
	cc.sub = sub
	subscribed := make(chan struct{})
	var once sync.Once
	sub.OnSubscribed(func(centrifuge.SubscribedEvent) { once.Do(func() { close(subscribed) }) })
	sub.OnPublication(func(e centrifuge.PublicationEvent) {
		now := time.Now()
		var s stamp
		if err := json.Unmarshal(e.Data, &s); err != nil {
			cc.failed(err)
			return
		}
		st.delivered.Add(1)
		if s.ClientTS > 0 {
			st.lat.add(now.Sub(time.Unix(0, s.ClientTS)))
		}
	})
	failed := make(chan error, 1)
	sub.OnError(func(e centrifuge.SubscriptionErrorEvent) {
		cc.failed(e.Error)
		select {
		case failed <- e.Error:
		default:
		}
	})
	cl.OnDisconnected(func(e centrifuge.DisconnectedEvent) {
		if !cc.closing.Load() {
			cc.failed(fmt.Errorf("disconnected: code %d, %s", e.Code, e.Reason))
		}
	})
	if err := sub.Subscribe(); err != nil {
		cl.Close()
		return nil, err
	}
	if err := cl.Connect(); err != nil {
		cl.Close()
		return nil, err
	}
	select {
	case <-subscribed:
		return cc, nil
	case err := <-failed:
		cl.Close()
		return nil, fmt.Errorf("subscribe %s: %w", channel, err)
	case <-time.After(10 * time.Second):
		cl.Close()
		return nil, fmt.Errorf("subscribe %s: no answer in 10 s", channel)
	case <-ctx.Done():
		cl.Close()
		return nil, ctx.Err()
	}
}

// publish hands the message to the client and returns: centrifuge-go's
// Publish waits for the server's reply, and a sender that waited would
// offer less than the rate when the server is slow, where gmc's clients
// only wait for their write. A publish the server refuses counts as an error.
func (cc *centrifugoConn) publish(ctx context.Context) error {
	b, _ := json.Marshal(stamp{ClientTS: time.Now().UnixNano()})
	cc.inFlight.Go(func() {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := cc.sub.Publish(pctx, b); err != nil {
			cc.failed(err)
		}
	})
	return nil
}

func (cc *centrifugoConn) close() {
	cc.inFlight.Wait()
	cc.closing.Store(true)
	cc.cl.Close()
}

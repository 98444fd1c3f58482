package wsbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/redisproc"
	"github.com/gmc-project/gmc/internal/service"
)

// RestartOptions configures the Redis restart case.
type RestartOptions struct {
	DatabaseURL       string // PostgreSQL, shared by the two instances
	Sessions          int
	ClientsPerSession int
	Rate              float64       // transcript segments per second per session
	Duration          time.Duration // how long the GMs send
	KillAt, DownFor   time.Duration // when Redis is killed, and for how long
	AOF               bool          // Redis keeps its data across the restart
}

// RestartReport is what the clients saw across the restart.
type RestartReport struct {
	Connections             int
	Segments, Alerts        int           // stored in the database
	WriterErrors            int64         // ingestions that failed
	WriterMax               time.Duration // the slowest ingestion
	Lost                    int64         // segments and alerts stored but never seen by a client
	Duplicated, Regressions int64         // frames with a seq equal to, or below, the last the client had
	FreshWelcomes           int64         // welcomes that said the resume was not served
	FromDatabase            int64         // segments a client read from the database after such a welcome
	Again                   int64         // segments and alerts that arrived live with an id the client had (dropped by id)
	Reconnects              int64
}

// runRestart is `gmc bench ws -redis-restart`: two instances on PostgreSQL
// and a redis-server of its own, clients of every session on both, the GMs
// sending transcript segments (each raising a keyword alert), and Redis
// killed and started again in the middle. Clients behave as the protocol
// asks: reconnect, resume from their last seq, drop any frame whose seq is
// not above it, and read the database after a welcome with a reason.
func runRestart(ctx context.Context, o RestartOptions, stdout io.Writer) error {
	if o.DatabaseURL == "" {
		return errors.New("-redis-restart needs -database-url: two instances must share a PostgreSQL database")
	}
	dir, err := os.MkdirTemp("", "gmc-bench-restart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := redisproc.Start(dir, o.AOF)
	if err != nil {
		return fmt.Errorf("starting redis-server: %w", err)
	}
	defer srv.Kill()
	cfg := config.Config{DataDir: dir, DatabaseURL: o.DatabaseURL, RedisURL: srv.URL(), RedisPrefix: "gmcbench:",
		SecretKey: strings.Repeat("b", 32), ShutdownTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	instances, err := startInstances(ctx, cfg, 2)
	defer stopInstances(instances)
	if err != nil {
		return err
	}
	svc := instances[0].app.Service()
	mode := "empty"
	if o.AOF {
		mode = "with AOF"
	}
	fmt.Fprintf(stdout, "setting up %d sessions × %d clients on 2 instances (Redis broker, PostgreSQL); Redis killed at %s, back %s later, %s…\n",
		o.Sessions, o.ClientsPerSession, o.KillAt, o.DownFor, mode)
	tables, err := setUp(ctx, svc, o.Sessions, o.ClientsPerSession)
	if err != nil {
		return err
	}
	for _, t := range tables {
		gs, _, err := svc.Session(ctx, t.users[0], t.session)
		if err == nil {
			_, err = svc.CreateKeyword(ctx, t.users[0], gs.CampaignID, service.KeywordParams{Term: "Cragmaw", Visibility: gmc.VisiblePlayers})
		}
		if err != nil {
			return err
		}
	}

	var clients []*resumer
	var wg sync.WaitGroup
	for s, t := range tables {
		for c, user := range t.users {
			in := instances[(s*o.ClientsPerSession+c)%2]
			r := &resumer{svc: in.app.Service(), addr: in.addr, session: t.session, user: user, segments: map[string]bool{}, alerts: map[string]bool{}}
			clients = append(clients, r)
			wg.Go(func() { r.run(ctx) })
		}
	}
	defer wg.Wait()
	defer cancel()
	if err := waitAll(ctx, clients, 30*time.Second); err != nil {
		return err
	}

	var writerErrors, writerMax atomic.Int64
	go func() {
		time.Sleep(o.KillAt)
		srv.Kill()
		time.Sleep(o.DownFor)
		if err := srv.Restart(); err != nil {
			fmt.Fprintln(stdout, "restarting redis-server:", err)
		}
	}()
	var writers sync.WaitGroup
	for s, t := range tables {
		in := instances[s%2]
		writers.Go(func() { write(ctx, in.app.Service(), t, o, &writerErrors, &writerMax) })
	}
	writers.Wait()

	rep := RestartReport{Connections: len(clients), WriterErrors: writerErrors.Load(), WriterMax: time.Duration(writerMax.Load())}
	want := map[*resumer][2][]string{}
	for _, t := range tables {
		segs, hits, err := stored(ctx, svc, t)
		if err != nil {
			return err
		}
		rep.Segments += len(segs)
		rep.Alerts += len(hits)
		for _, r := range clients {
			if r.session == t.session {
				want[r] = [2][]string{segs, hits}
			}
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var lost int64
		for _, r := range clients {
			lost += r.missing(want[r][0], want[r][1])
		}
		rep.Lost = lost
		if lost == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, r := range clients {
		r.mu.Lock()
		rep.Duplicated += r.duplicated
		rep.Regressions += r.regressions
		rep.FreshWelcomes += r.fresh
		rep.FromDatabase += r.fromDB
		rep.Again += r.again
		rep.Reconnects += r.dials - 1
		r.mu.Unlock()
	}
	_ = endSessions(context.WithoutCancel(ctx), svc, tables)
	fmt.Fprintf(stdout, "connections          %d\n", rep.Connections)
	fmt.Fprintf(stdout, "stored               %d segments, %d keyword alerts\n", rep.Segments, rep.Alerts)
	fmt.Fprintf(stdout, "writer errors        %d (slowest ingestion %s)\n", rep.WriterErrors, rep.WriterMax.Round(time.Millisecond))
	fmt.Fprintf(stdout, "lost                 %d (segments and alerts stored but never seen, summed over clients)\n", rep.Lost)
	fmt.Fprintf(stdout, "duplicated           %d (frames with a seq the client already had)\n", rep.Duplicated)
	fmt.Fprintf(stdout, "seq regressions      %d (frames with a seq below the client's last)\n", rep.Regressions)
	fmt.Fprintf(stdout, "reconnects           %d; welcomes with replay_window_lost %d; segments read from the database %d\n", rep.Reconnects, rep.FreshWelcomes, rep.FromDatabase)
	fmt.Fprintf(stdout, "arrived again by id  %d (a segment or alert a client already had, under a new seq; dropped by id)\n", rep.Again)
	return nil
}

// write ingests segments for one session at o.Rate for o.Duration, each
// naming the session's keyword a minute of session time after the last, so
// each raises an alert.
func write(ctx context.Context, svc *service.Service, t liveTable, o RestartOptions, errs, slowest *atomic.Int64) {
	tick := time.NewTicker(time.Duration(float64(time.Second) / o.Rate))
	defer tick.Stop()
	end := time.After(o.Duration)
	for i := 0; ; i++ {
		seg := &gmc.TranscriptSegment{SpeakerLabel: "gm", StartMS: int64(i) * 60000, EndMS: int64(i)*60000 + 900, Text: fmt.Sprintf("Line %d: the goblins of Cragmaw", i)}
		start := time.Now()
		if _, err := svc.IngestSegments(ctx, t.users[0], t.session, []*gmc.TranscriptSegment{seg}); err != nil {
			errs.Add(1)
		}
		for took := int64(time.Since(start)); ; {
			cur := slowest.Load()
			if took <= cur || slowest.CompareAndSwap(cur, took) {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-end:
			return
		case <-tick.C:
		}
	}
}

func stored(ctx context.Context, svc *service.Service, t liveTable) (segs, hits []string, err error) {
	gm := t.users[0]
	after := int64(0)
	for {
		page, more, err := svc.Transcript(ctx, gm, service.TranscriptQuery{SessionID: t.session, AfterSeq: after, Limit: 200})
		if err != nil {
			return nil, nil, err
		}
		for _, s := range page {
			segs = append(segs, s.ID)
			after = s.Seq
		}
		if !more {
			break
		}
	}
	hits, err = alertHits(ctx, svc, gm, t.session)
	return segs, hits, err
}

// alertHits lists the hits that raised an alert (merged ones did not).
func alertHits(ctx context.Context, svc *service.Service, user, session string) ([]string, error) {
	var ids []string
	cursor := ""
	for {
		page, next, err := svc.KeywordHits(ctx, user, service.KeywordHitQuery{SessionID: session, Page: gmc.Page{Limit: 200, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, h := range page {
			if !h.Merged {
				ids = append(ids, h.ID)
			}
		}
		if next == "" {
			return ids, nil
		}
		cursor = next
	}
}

func waitAll(ctx context.Context, clients []*resumer, d time.Duration) error {
	deadline := time.Now().Add(d)
	for _, r := range clients {
		for !r.welcomed() {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return errors.New("wsbench: not every client was welcomed")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(1100 * time.Millisecond) // past the resume grace: live messages flow
	return nil
}

// resumer is one client of the restart case.
type resumer struct {
	svc                 *service.Service
	addr, session, user string

	mu          sync.Mutex
	dials       int64
	lastSeq     int64
	lastSegSeq  int64
	segments    map[string]bool
	alerts      map[string]bool
	duplicated  int64
	regressions int64
	fresh       int64
	fromDB      int64
	again       int64
}

func (r *resumer) welcomed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dials > 0
}

func (r *resumer) run(ctx context.Context) {
	for ctx.Err() == nil {
		ticket, _, err := r.svc.CreateTicket(ctx, r.user, r.session)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		ws, _, err := websocket.Dial(ctx, "ws://"+r.addr+"/api/v1/sessions/"+r.session+"/ws?ticket="+ticket, nil)
		if err != nil {
			time.Sleep(100 * time.Millisecond) // Redis down: 1013, try again
			continue
		}
		ws.SetReadLimit(1 << 20)
		r.serve(ctx, ws)
		_ = ws.CloseNow()
	}
}

func (r *resumer) serve(ctx context.Context, ws *websocket.Conn) {
	first := true
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var f struct {
			Type string          `json:"type"`
			Seq  int64           `json:"seq"`
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(raw, &f) != nil {
			continue
		}
		if f.Type == realtime.TypeWelcome {
			var w realtime.WelcomeData
			_ = json.Unmarshal(f.Data, &w)
			r.welcome(ctx, ws, w, first)
			first = false
			continue
		}
		if f.Seq == 0 {
			continue
		}
		r.mu.Lock()
		switch {
		case f.Seq < r.lastSeq:
			r.regressions++
		case f.Seq == r.lastSeq:
			r.duplicated++
		default:
			r.lastSeq = f.Seq
			r.take(f.Type, f.Data)
		}
		r.mu.Unlock()
	}
}

func (r *resumer) welcome(ctx context.Context, ws *websocket.Conn, w realtime.WelcomeData, first bool) {
	r.mu.Lock()
	if first { // a second welcome on one socket is no new connection
		r.dials++
	}
	resume, last := first && r.dials > 1, r.lastSeq
	r.lastSeq = max(r.lastSeq, w.LastSeq)
	if w.Reason != "" {
		r.fresh++
	}
	r.mu.Unlock()
	if resume {
		_ = writeJSON(ctx, ws, map[string]any{"type": realtime.TypeResume, "data": realtime.ResumeRequest{LastSeq: last}})
		return
	}
	if w.Reason != "" {
		r.catchUp(ctx)
	}
}

func (r *resumer) take(typ string, data json.RawMessage) {
	var v struct {
		ID    string `json:"id"`
		HitID string `json:"hit_id"`
		Seq   int64  `json:"seq"`
	}
	_ = json.Unmarshal(data, &v)
	switch typ {
	case realtime.TypeTranscriptSegment:
		if r.segments[v.ID] {
			r.again++
		}
		r.segments[v.ID] = true
		r.lastSegSeq = max(r.lastSegSeq, v.Seq)
	case realtime.TypeKeywordAlert:
		if r.alerts[v.HitID] {
			r.again++
		}
		r.alerts[v.HitID] = true
	}
}

// catchUp reads what the database has after the last segment the client
// holds, and the keyword hits, as a client does after a fresh welcome.
func (r *resumer) catchUp(ctx context.Context) {
	r.mu.Lock()
	after := r.lastSegSeq
	r.mu.Unlock()
	for {
		page, more, err := r.svc.Transcript(ctx, r.user, service.TranscriptQuery{SessionID: r.session, AfterSeq: after, Limit: 200})
		if err != nil {
			return // the next fresh welcome tries again
		}
		r.mu.Lock()
		for _, s := range page {
			if !r.segments[s.ID] {
				r.fromDB++
				r.segments[s.ID] = true
			}
			r.lastSegSeq = max(r.lastSegSeq, s.Seq)
			after = s.Seq
		}
		r.mu.Unlock()
		if !more {
			break
		}
	}
	hits, err := alertHits(ctx, r.svc, r.user, r.session)
	if err != nil {
		return
	}
	r.mu.Lock()
	for _, id := range hits {
		r.alerts[id] = true
	}
	r.mu.Unlock()
}

// missing counts the stored segments and alerts the client does not have.
func (r *resumer) missing(segs, hits []string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for _, id := range segs {
		if !r.segments[id] {
			n++
		}
	}
	for _, id := range hits {
		if !r.alerts[id] {
			n++
		}
	}
	return n
}

package wsbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/bench/benchdb"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/speech/audio"
)

// An evening is the load of real groups at the table, all at once: per
// group a GM who edits entities, players who browse and search, one live
// session into which a transcript segment naming the campaign's people
// arrives every few seconds (so keyword alerts fire), and a socket for
// everyone. It reports every route's latency percentiles and errors, and
// how late segments reach the sockets.

// EveningOptions shape one run.
type EveningOptions struct {
	Groups       int
	Players      int           // per group, besides the GM
	Duration     time.Duration // measured part
	SegmentEvery time.Duration // per live session
	Think        time.Duration // mean pause of a browsing player between requests
	GMEvery      time.Duration // mean pause of a GM between edits
	// Speech, when set, is played looped into every live session's audio
	// socket instead of typed segments (see speech.go).
	Speech *audio.Clip
}

// LoadMain is `gmc bench load`.
func LoadMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o EveningOptions
	fs.IntVar(&o.Groups, "groups", 10, "groups playing at once (each: a campaign, a GM, players, a live session)")
	fs.IntVar(&o.Players, "players", 14, "players per group")
	fs.DurationVar(&o.Duration, "duration", 60*time.Second, "how long the evening is measured")
	fs.DurationVar(&o.SegmentEvery, "segment-every", 2*time.Second, "a transcript segment per live session this often")
	fs.DurationVar(&o.Think, "think", 3*time.Second, "mean pause of a player between two requests")
	fs.DurationVar(&o.GMEvery, "gm-every", 2*time.Second, "mean pause of a GM between two edits")
	databaseURL := fs.String("database-url", "", "PostgreSQL URL (the bench makes a schema of its own in it and drops it after); empty: SQLite in a temporary directory")
	redisURL := fs.String("redis-url", "", "run two instances on this Redis, every group's members spread over both (needs -database-url)")
	speechFile := fs.String("speech", "", "a recording (WAV, FLAC, …) every live session's room microphone plays, looped, at real time, instead of typed segments")
	stt := fs.String("stt", "pocketsphinx", "with -speech: the server's speech-to-text, pocketsphinx (on gmc's cores) or whisper")
	whisperURL := fs.String("whisper-url", "", "with -stt whisper: an OpenAI-compatible speech-to-text server (empty: a loopback stand-in, see -standin-rtf)")
	standInRTF := fs.Float64("standin-rtf", 0.1, "the stand-in's answer time per second of audio")
	diarization := fs.String("diarization", "builtin", "with -speech: the server's diarization (builtin, or tracks for none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Groups < 1 || o.Players < 1 || o.Duration <= 0 || o.SegmentEvery <= 0 || o.Think <= 0 || o.GMEvery <= 0 {
		return errors.New("-groups and -players must be ≥ 1, the durations positive")
	}
	if *redisURL != "" && *databaseURL == "" {
		return errors.New("-redis-url needs -database-url: two instances must share a database")
	}
	dir, err := os.MkdirTemp("", "gmc-bench-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *databaseURL != "" {
		schemaURL, drop, err := benchdb.Schema(ctx, *databaseURL, "gmcbench_load_", "-database-url")
		if err != nil {
			return err
		}
		defer drop()
		*databaseURL = schemaURL
	}
	cfg := config.Config{DataDir: dir, DatabaseURL: *databaseURL, RedisURL: *redisURL, RedisPrefix: fmt.Sprintf("gmcbench%d:", time.Now().UnixNano()),
		SecretKey: strings.Repeat("b", 32), ShutdownTimeout: 5 * time.Second,
		// The bench stands in for the proxy in front of many homes: each
		// member sends from an address of their own, so per-address limits
		// count people, not the bench.
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	if *speechFile != "" {
		if o.Speech, err = loadClip(*speechFile); err != nil {
			return err
		}
		cfg.STT, cfg.Diarization, cfg.WhisperURL = *stt, *diarization, *whisperURL
		if cfg.STT == "whisper" && cfg.WhisperURL == "" {
			w, err := startWhisperStandIn(*standInRTF)
			if err != nil {
				return err
			}
			defer w.close()
			cfg.WhisperURL = w.url
		}
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
	fmt.Fprintf(stdout, "setting up %d groups of 1 GM + %d players on %d instance(s) (%s)…\n", o.Groups, o.Players, n, backendLabel(cfg))
	svc := instances[0].app.Service()
	tables, err := setUp(ctx, svc, o.Groups, o.Players+1)
	if err != nil {
		return err
	}
	defer endSessions(context.WithoutCancel(ctx), svc, tables)
	groups, err := prepareGroups(ctx, svc, instances, tables)
	if err != nil {
		return err
	}
	rep := runEvening(ctx, o, groups)
	rep.print(stdout, o, n, backendLabel(cfg))
	return nil
}

// member is one user of a group, with the instance they talk to.
type member struct {
	base, token, session string
	addr                 string // the client address the member sends from
	wsURL                func(context.Context) (string, error)
}

type group struct {
	campaign   string
	gm         member
	players    []member
	characters []string // ids
	names      []string
}

var eveningNames = []string{"Sildar", "Gundren", "Nezznar", "Halia", "Toblen", "Daran", "Linene", "Qelline", "Harbin", "Sister Garaele",
	"Klarg", "Yeemik", "Glasstaff", "Hamun", "Agatha", "Reidoth", "Venomfang", "Droop", "Mirna", "Elmar"}

// prepareGroups signs every member in (each from an address of its own,
// as people at home would be) and gives each campaign its people and
// places, through the HTTP API.
func prepareGroups(ctx context.Context, svc *service.Service, instances []*instance, tables []liveTable) ([]*group, error) {
	out := make([]*group, len(tables))
	for gi, t := range tables {
		g := &group{}
		for ui, uid := range t.users {
			in := instances[(gi+ui)%len(instances)]
			addr := fmt.Sprintf("198.18.%d.%d", gi%250, ui%250+1)
			pair, err := svc.Login(ctx, service.LoginParams{Email: fmt.Sprintf("bench-%d-%d@example.com", gi, ui), Password: "bench password", ClientIP: addr})
			if err != nil {
				return nil, err
			}
			m := member{base: "http://" + in.addr + "/api/v1", token: pair.AccessToken, session: t.session, addr: addr}
			m.wsURL = func(ctx context.Context) (string, error) {
				ticket, _, err := in.app.Service().CreateTicket(ctx, uid, t.session)
				return "ws://" + in.addr + "/api/v1/sessions/" + t.session + "/ws?ticket=" + ticket, err
			}
			if ui == 0 {
				g.gm = m
			} else {
				g.players = append(g.players, m)
			}
		}
		var sess struct {
			CampaignID string `json:"campaign_id"`
		}
		if _, err := call(ctx, g.gm, "GET", "/sessions/"+t.session, nil, &sess); err != nil {
			return nil, err
		}
		g.campaign = sess.CampaignID
		for i, name := range eveningNames {
			var c struct {
				ID string `json:"id"`
			}
			kind := "npc"
			if i < 4 {
				kind = "pc"
			}
			body := map[string]any{"name": name, "character_type": kind, "visibility": "players", "voice_notes": "Speaks softly of the old road to " + eveningNames[(i+3)%len(eveningNames)]}
			if _, err := call(ctx, g.gm, "POST", "/campaigns/"+g.campaign+"/characters", body, &c); err != nil {
				return nil, err
			}
			g.characters, g.names = append(g.characters, c.ID), append(g.names, name)
		}
		for _, place := range []string{"Phandalin", "Cragmaw Hideout", "Tresendar Manor", "Wave Echo Cave", "Thundertree"} {
			if _, err := call(ctx, g.gm, "POST", "/campaigns/"+g.campaign+"/locations", map[string]any{"name": place, "location_type": "landmark", "visibility": "players"}, nil); err != nil {
				return nil, err
			}
		}
		out[gi] = g
	}
	return out, nil
}

// call sends one request and decodes a 2xx answer into out; any other
// status is an error.
func call(ctx context.Context, m member, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+m.token)
	req.Header.Set("X-Forwarded-For", m.addr)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := eveningClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		return res.StatusCode, json.Unmarshal(raw, out)
	}
	return res.StatusCode, nil
}

// eveningClient keeps connections alive for all members at once.
var eveningClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0}, Timeout: 30 * time.Second}

// routeStats collects one route's latencies and failures.
type routeStats struct {
	mu       sync.Mutex
	lat      []time.Duration
	errors   int
	firstErr string
}

func (r *routeStats) add(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat = append(r.lat, d)
	if err != nil {
		r.errors++
		if r.firstErr == "" {
			r.firstErr = err.Error()
		}
	}
}

type eveningReport struct {
	routes      map[string]*routeStats
	sockets     int
	socketErrs  atomic.Int64
	socketErr   sync.Once
	firstSocket string
	segmentsOut atomic.Int64
	delivered   atomic.Int64
	alerts      atomic.Int64
	delivery    routeStats
	elapsed     time.Duration
	speech      *speechReport
}

func (r *eveningReport) route(name string) *routeStats { return r.routes[name] }

var eveningRoutes = []string{"GET campaign", "GET characters", "GET character", "GET locations", "GET search",
	"PATCH character", "POST character", "POST segment"}

func runEvening(ctx context.Context, o EveningOptions, groups []*group) *eveningReport {
	rep := &eveningReport{routes: map[string]*routeStats{}, speech: &speechReport{}}
	for _, r := range eveningRoutes {
		rep.routes[r] = &routeStats{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sent := sync.Map{} // segment marker → time posted
	var wg, mics sync.WaitGroup
	// Sockets first, for everyone, and wait until all are welcomed.
	var welcomed sync.WaitGroup
	clocks := make([]*micClock, len(groups))
	for gi, g := range groups {
		if o.Speech != nil {
			clocks[gi] = &micClock{}
		}
		for _, m := range append([]member{g.gm}, g.players...) {
			rep.sockets++
			welcomed.Add(1)
			wg.Go(func() { readSocket(ctx, m, rep, &sent, clocks[gi], &welcomed) })
		}
	}
	welcomed.Wait()
	measure, stop := context.WithTimeout(ctx, o.Duration)
	defer stop()
	start := time.Now()
	rep.speech.cpuStart = processCPU()
	var seq atomic.Int64
	for gi, g := range groups {
		rng := rand.New(rand.NewPCG(uint64(gi), 7))
		if o.Speech != nil {
			mics.Go(func() {
				playMic(ctx, measure, g, o.Speech, float64(gi)/float64(len(groups)), clocks[gi], rep.speech, 15*time.Second)
			})
		}
		wg.Go(func() { // the table's typed speech
			if o.Speech != nil {
				return
			}
			t := time.NewTicker(o.SegmentEvery)
			defer t.Stop()
			for at := 0; ; at += int(o.SegmentEvery / time.Millisecond) {
				select {
				case <-measure.Done():
					return
				case <-t.C:
				}
				mark := "#" + strconv.FormatInt(seq.Add(1), 10)
				text := fmt.Sprintf("%s says we should ask %s about the road %s", g.names[rng.IntN(4)], g.names[4+rng.IntN(len(g.names)-4)], mark)
				sent.Store(mark, time.Now())
				// A post is finished and counted even when the measured
				// part ends during it: the server may already have sent
				// it out, and one not counted would show as delivered but
				// never sent. (A slow first segment, which builds the
				// campaign's dictionary, can outlast a short run.)
				t0 := time.Now()
				_, err := call(ctx, g.gm, "POST", "/sessions/"+g.gm.session+"/transcript/segments",
					map[string]any{"segments": []any{map[string]any{"speaker_label": "A", "start_ms": at, "end_ms": at + 1500, "text": text}}}, nil)
				if ctx.Err() != nil {
					return // the run was stopped, not the server
				}
				if err == nil {
					rep.segmentsOut.Add(1)
				}
				rep.route("POST segment").add(time.Since(t0), err)
			}
		})
		wg.Go(func() { gmLoop(measure, o, g, rep, rand.New(rand.NewPCG(uint64(gi), 11))) })
		for pi, p := range g.players {
			wg.Go(func() { playerLoop(measure, o, g, p, rep, rand.New(rand.NewPCG(uint64(gi), uint64(pi)+100))) })
		}
	}
	<-measure.Done()
	rep.elapsed = time.Since(start)
	rep.speech.cpu = processCPU() - rep.speech.cpuStart
	mics.Wait()
	// Segments posted in the last moments are given time to arrive.
	time.Sleep(2 * time.Second)
	cancel()
	wg.Wait()
	return rep
}

// timed runs fn and records its latency and error under r, unless the
// measured part ended while it ran (a cancelled request is no error of
// the server's).
func timed(ctx context.Context, r *routeStats, fn func(context.Context) error) {
	t0 := time.Now()
	err := fn(ctx)
	if ctx.Err() != nil {
		return
	}
	r.add(time.Since(t0), err)
}

func pause(ctx context.Context, rng *rand.Rand, mean time.Duration) bool {
	d := time.Duration(rng.ExpFloat64() * float64(mean))
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func gmLoop(ctx context.Context, o EveningOptions, g *group, rep *eveningReport, rng *rand.Rand) {
	for n := 0; pause(ctx, rng, o.GMEvery); n++ {
		if n%5 == 4 {
			timed(ctx, rep.route("POST character"), func(ctx context.Context) error {
				_, err := call(ctx, g.gm, "POST", "/campaigns/"+g.campaign+"/characters",
					map[string]any{"name": fmt.Sprintf("Passer-by %d", n), "character_type": "npc"}, nil)
				return err
			})
			continue
		}
		id := g.characters[rng.IntN(len(g.characters))]
		timed(ctx, rep.route("PATCH character"), func(ctx context.Context) error {
			_, err := call(ctx, g.gm, "PATCH", "/characters/"+id, map[string]any{"voice_notes": fmt.Sprintf("Edited at the table, take %d", n)}, nil)
			return err
		})
	}
}

func playerLoop(ctx context.Context, o EveningOptions, g *group, p member, rep *eveningReport, rng *rand.Rand) {
	for pause(ctx, rng, o.Think) {
		var name, path string
		switch k := rng.IntN(10); {
		case k < 2:
			name, path = "GET campaign", "/campaigns/"+g.campaign
		case k < 5:
			name, path = "GET characters", "/campaigns/"+g.campaign+"/characters"
		case k < 7:
			name, path = "GET character", "/characters/"+g.characters[rng.IntN(len(g.characters))]
		case k < 8:
			name, path = "GET locations", "/campaigns/"+g.campaign+"/locations"
		default:
			q := g.names[rng.IntN(len(g.names))]
			if len(q) > 4 && rng.IntN(2) == 0 { // a typo, as people type
				q = q[:2] + q[3:]
			}
			name, path = "GET search", "/campaigns/"+g.campaign+"/search?q="+strings.ReplaceAll(q, " ", "+")
		}
		timed(ctx, rep.route(name), func(ctx context.Context) error {
			_, err := call(ctx, p, "GET", path, nil, nil)
			return err
		})
	}
}

// readSocket holds one member's live socket and counts what arrives.
// With speech, clock is the group's microphone, which says when the end
// of a segment was spoken.
func readSocket(ctx context.Context, m member, rep *eveningReport, sent *sync.Map, clock *micClock, welcomed *sync.WaitGroup) {
	once := sync.OnceFunc(welcomed.Done)
	defer once()
	fail := func(err error) {
		rep.socketErrs.Add(1)
		rep.socketErr.Do(func() { rep.firstSocket = err.Error() })
	}
	u, err := m.wsURL(ctx)
	if err != nil {
		fail(err)
		return
	}
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"X-Forwarded-For": {m.addr}}})
	if err != nil {
		fail(err)
		return
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				fail(err)
			}
			return
		}
		var f struct {
			Type string `json:"type"`
			Data struct {
				Text  string `json:"text"`
				EndMS int64  `json:"end_ms"`
			} `json:"data"`
		}
		if json.Unmarshal(raw, &f) != nil {
			continue
		}
		switch f.Type {
		case "welcome":
			once()
		case "transcript.segment":
			if clock != nil {
				if t0, ok := clock.spokenAt(f.Data.EndMS); ok {
					rep.delivered.Add(1)
					rep.speech.toSockets.add(time.Since(t0), nil)
				}
				continue
			}
			if i := strings.LastIndexByte(f.Data.Text, '#'); i >= 0 {
				if t0, ok := sent.Load(f.Data.Text[i:]); ok {
					rep.delivered.Add(1)
					rep.delivery.add(time.Since(t0.(time.Time)), nil)
				}
			}
		case "keyword.alert":
			rep.alerts.Add(1)
		}
	}
}

func (r *eveningReport) print(w io.Writer, o EveningOptions, instances int, backend string) {
	fmt.Fprintf(w, "\nevening: %d groups × (1 GM + %d players), %d instance(s), %s, measured %s\n", o.Groups, o.Players, instances, backend, r.elapsed.Round(time.Second))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\trequests\treq/s\tp50\tp95\tp99\terrors\t")
	var worstErr string
	for _, name := range eveningRoutes {
		s := r.routes[name]
		p50, p95, p99 := percentiles(s.lat)
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%d\t\n", name, len(s.lat), float64(len(s.lat))/r.elapsed.Seconds(), ms(p50), ms(p95), ms(p99), s.errors)
		if worstErr == "" && s.firstErr != "" {
			worstErr = name + ": " + s.firstErr
		}
	}
	p50, p95, p99 := percentiles(r.delivery.lat)
	fmt.Fprintf(tw, "segment → sockets\t%d\t%.1f\t%s\t%s\t%s\t\t\n", len(r.delivery.lat), float64(len(r.delivery.lat))/r.elapsed.Seconds(), ms(p50), ms(p95), ms(p99))
	if o.Speech != nil {
		for _, row := range []struct {
			name string
			s    *routeStats
		}{{"utterance end → heard", &r.speech.heard}, {"utterance end → sockets", &r.speech.toSockets}} {
			p50, p95, p99 := percentiles(row.s.lat)
			fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t\t\n", row.name, len(row.s.lat), float64(len(row.s.lat))/r.elapsed.Seconds(), ms(p50), ms(p95), ms(p99))
		}
	}
	tw.Flush()
	perGroup := o.Players + 1
	if o.Speech != nil {
		sp := r.speech
		audioS := float64(sp.audioMS.Load()) / 1000
		fmt.Fprintf(w, "speech: %d of %d microphones streaming (stt %s, diarization %s), %.0f s of audio sent, %d utterances heard, %d slow_down, "+
			"unheard at the end %.1f s per stream, latest frame %d ms late, errors %d\n",
			sp.streams.Load(), o.Groups, sp.stt, sp.dia, audioS, sp.utts.Load(), sp.slowDowns.Load(),
			float64(sp.backlogMS.Load())/1000/float64(max(1, sp.streams.Load())), sp.maxLagMS.Load(), sp.errs.Load())
		if audioS > 0 {
			fmt.Fprintf(w, "CPU of this process (server and bench client) while measured: %.1f s, %.2f s per second of audio\n", sp.cpu.Seconds(), sp.cpu.Seconds()/audioS)
		}
		if sp.firstErr != "" {
			fmt.Fprintf(w, "first speech error: %s\n", sp.firstErr)
		}
		fmt.Fprintf(w, "sockets %d (errors %d); transcript segments delivered %d; keyword alerts received %d\n",
			r.sockets, r.socketErrs.Load(), r.delivered.Load(), r.alerts.Load())
	} else {
		fmt.Fprintf(w, "sockets %d (errors %d); segments posted %d, delivered %d of %d expected; keyword alerts received %d\n",
			r.sockets, r.socketErrs.Load(), r.segmentsOut.Load(), r.delivered.Load(), r.segmentsOut.Load()*int64(perGroup), r.alerts.Load())
	}
	if worstErr != "" {
		fmt.Fprintf(w, "first error: %s\n", worstErr)
	}
	if r.firstSocket != "" {
		fmt.Fprintf(w, "first socket error: %s\n", r.firstSocket)
	}
}

func percentiles(lat []time.Duration) (p50, p95, p99 time.Duration) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return at(0.50), at(0.95), at(0.99)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

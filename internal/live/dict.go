package live

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmc-project/gmc/internal/cache"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/store"
)

// Live keyword dictionaries.
//
// Each campaign whose sessions are transcribed gets a keywords.Engine: the
// SRD terms (read from the stored reference entries once per process and
// shared by every campaign) plus the campaign's own names — characters
// (name and aliases; category pc or npc), locations, plot threads (title)
// and custom keywords — with GMOnly set on those players may not see.
//
// A dictionary is built on the first segment of its campaign (or when a
// session starts, see Table.Warm) and then kept current lazily: a write of
// campaign data only marks its campaign's dictionary stale (Table.Changed
// runs on the request path of every write, so it reads nothing), and the
// next segment of that campaign re-reads the campaign's terms whole and
// applies the differences before it is detected. A burst of writes costs
// one re-read, paid by the segment after it; a new name is detected from
// the next segment on.
//
// Several instances behind Redis each keep their own dictionaries, and
// Changed runs only on the instance that made the write. With shared
// generations (Config.Generations, bumped by the service for every write)
// a segment also compares its campaign's generation with the one its
// dictionary was read under, so a change made on another instance is
// detected from the next segment on too. Without them, a dictionary older
// than dictRefresh is re-read whole at its campaign's next segment, so a
// change made elsewhere reaches this instance's alerts within dictRefresh.
// Either way the SRD part is reloaded when the counts of reference entries
// have changed (an import by `gmc reference import` or another instance),
// checked at most once per dictRefresh; updated entries of an import that
// only changed existing entries are picked up at the next restart.
// Dictionaries and session trackers unused for dictIdle are dropped.
const (
	dictRefresh = 2 * time.Minute
	dictIdle    = 30 * time.Minute
	// minThreshold stands in for a campaign threshold of 0 ("alert
	// everything"), which the engine would read as its default.
	minThreshold = 0.01
)

// keywordCache holds the live keyword dictionaries of one process.
type keywordCache struct {
	store Store
	log   *slog.Logger
	now   func() time.Time
	// gens are the campaigns' generations, nil when not shared.
	gens cache.Generations

	mu        sync.Mutex // guards the maps and swept
	campaigns map[string]*campaignDict
	trackers  map[string]*sessionTracker
	swept     time.Time

	srdMu      sync.Mutex // serialises SRD loads and checks
	srd        *srdDict   // guarded by srdMu; nil until first loaded
	srdChecked time.Time  // guarded by srdMu
}

// campaignDict is one campaign's dictionary.
type campaignDict struct {
	id string
	// mu is held by whoever changes the dictionary (build, entity change,
	// refresh); Detect never takes it.
	mu     sync.Mutex
	ready  chan struct{} // closed once built, or failed to
	err    error         // the build's error, set before ready is closed
	engine *keywords.Engine
	view   atomic.Pointer[dictView]
	synced time.Time // guarded by mu: when last read whole
	used   time.Time // guarded by keywordCache.mu
	// stale is set by a change reported on this instance and cleared
	// when a re-read starts, so a change reported during it sets it
	// again.
	stale atomic.Bool
	// gen is the campaign's generation read before the last whole read
	// ("" without generations); written under mu.
	gen atomic.Pointer[string]
}

// dictView is what alerts read besides the engine: the cards. It is
// replaced whole on every change, so readers need no lock.
type dictView struct {
	srd *srdDict
	own ownTerms
}

// sessionTracker merges repeated mentions within one session.
type sessionTracker struct {
	tracker *keywords.Tracker
	used    time.Time
}

func newKeywordCache(st Store, log *slog.Logger, now func() time.Time, gens cache.Generations) *keywordCache {
	return &keywordCache{store: st, log: log, now: now, gens: gens, campaigns: map[string]*campaignDict{}, trackers: map[string]*sessionTracker{}}
}

// dict returns the campaign's dictionary, building it on first use and
// re-reading it when a change was reported here or its generation moved
// on, or when it is older than dictRefresh.
func (c *keywordCache) dict(ctx context.Context, campaignID string) (*campaignDict, error) {
	c.mu.Lock()
	c.sweep()
	d, ok := c.campaigns[campaignID]
	if !ok {
		d = &campaignDict{id: campaignID, ready: make(chan struct{})}
		d.mu.Lock() // held until built, so changes wait for the build
		c.campaigns[campaignID] = d
	}
	d.used = c.now()
	c.mu.Unlock()
	if !ok {
		c.buildOnce(ctx, d)
	}
	select {
	case <-d.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if d.err != nil {
		return nil, d.err
	}
	// Without the generation (Redis unreachable) a change made elsewhere
	// cannot be ruled out: every segment re-reads until it is back.
	gen, genErr := c.generation(ctx, campaignID)
	behind := func() bool { return d.stale.Load() || genErr != nil || gen != d.readUnder() }
	if behind() {
		// A change this segment must see: wait for the re-read.
		d.mu.Lock()
		defer d.mu.Unlock()
		if behind() { // unless one that ran while this waited caught up
			c.refresh(ctx, d, gen)
		}
		return d, nil
	}
	// The periodic re-read: one caller does it; the others go on with
	// the current snapshot.
	if d.mu.TryLock() {
		defer d.mu.Unlock()
		if c.now().Sub(d.synced) >= dictRefresh {
			c.refresh(ctx, d, gen)
		}
	}
	return d, nil
}

// readUnder is the generation the dictionary was last read whole under.
func (d *campaignDict) readUnder() string {
	if g := d.gen.Load(); g != nil {
		return *g
	}
	return ""
}

// generation is the campaign's current generation, "" without
// generations. Read it before the data it will stand for.
func (c *keywordCache) generation(ctx context.Context, campaignID string) (string, error) {
	if c.gens == nil {
		return "", nil
	}
	return c.gens.Current(ctx, campaignID)
}

// buildOnce builds a new dictionary whose d.mu the caller locked, then
// unlocks it and releases the waiters, even if the build panics. A failed
// build is forgotten, so the next segment tries again.
func (c *keywordCache) buildOnce(ctx context.Context, d *campaignDict) {
	d.err = errors.New("keyword dictionary build did not finish")
	defer func() {
		if d.err != nil {
			c.forget(d)
		}
		d.mu.Unlock()
		close(d.ready)
	}()
	d.err = c.build(ctx, d)
}

// build loads a campaign's dictionary. The caller holds d.mu.
func (c *keywordCache) build(ctx context.Context, d *campaignDict) error {
	// What is kept must not come from a lagging read replica.
	ctx = store.ReadPrimary(ctx)
	gen, err := c.generation(ctx, d.id)
	if err != nil {
		gen = "" // unknown: the next segment re-reads
	}
	d.gen.Store(&gen)
	srd, err := c.srdPart(ctx, false)
	if err != nil {
		return err
	}
	camp, err := c.store.Campaign(ctx, d.id)
	if err != nil {
		return err
	}
	own, err := loadOwnTerms(ctx, c.store, d.id)
	if err != nil {
		return err
	}
	d.engine = keywords.New(allTerms(srd, own), engineOptions(camp, srd))
	d.view.Store(&dictView{srd: srd, own: own})
	d.synced = c.now()
	return nil
}

func allTerms(srd *srdDict, own ownTerms) []keywords.Term {
	terms := slices.Clip(srd.terms) // appending must not write into the shared slice
	for _, t := range own {
		terms = append(terms, t.term)
	}
	return terms
}

func engineOptions(camp *gmc.Campaign, srd *srdDict) keywords.Options {
	return keywords.Options{Threshold: max(camp.Settings.KeywordThreshold, minThreshold), Lexicon: srd.lexicon}
}

// refresh re-reads the campaign, whose generation was gen before the
// read, and applies what changed. The caller holds d.mu. Failures are
// logged: the dictionary stays as it was, still stale, so the next
// segment tries again.
func (c *keywordCache) refresh(ctx context.Context, d *campaignDict, gen string) {
	d.synced = c.now()
	d.stale.Store(false)
	err := c.resync(store.ReadPrimary(ctx), d)
	if errors.Is(err, gmc.ErrNotFound) {
		c.forget(d) // the campaign is gone
	} else if err != nil {
		d.stale.Store(true)
		c.log.WarnContext(ctx, "keyword dictionary refresh failed", "campaign_id", d.id, "error", err.Error())
	} else {
		d.gen.Store(&gen)
	}
}

func (c *keywordCache) resync(ctx context.Context, d *campaignDict) error {
	srd, err := c.srdPart(ctx, true)
	if err != nil {
		return err
	}
	camp, err := c.store.Campaign(ctx, d.id)
	if err != nil {
		return err
	}
	own, err := loadOwnTerms(ctx, c.store, d.id)
	if err != nil {
		return err
	}
	if v := d.view.Load(); v.srd != srd {
		// New reference data: rebuild whole, it touches every shard.
		d.engine.Reset(allTerms(srd, own))
		d.view.Store(&dictView{srd: srd, own: own})
	} else {
		d.apply(own, func(string) bool { return true })
	}
	d.engine.SetOptions(engineOptions(camp, srd))
	return nil
}

// apply replaces the campaign terms that selected picks with fresh,
// touching the engine only for terms that differ. The caller holds d.mu.
func (d *campaignDict) apply(fresh ownTerms, selected func(key string) bool) {
	v := d.view.Load()
	own := make(ownTerms, len(v.own)+len(fresh))
	var remove []string
	var add []keywords.Term
	for key, t := range v.own {
		if !selected(key) {
			own[key] = t
		} else if _, ok := fresh[key]; !ok {
			remove = append(remove, key)
		}
	}
	for key, t := range fresh {
		own[key] = t
		if old, ok := v.own[key]; !ok || !reflect.DeepEqual(old.term, t.term) {
			add = append(add, t.term)
		}
	}
	if len(remove) > 0 || len(add) > 0 {
		d.engine.Update(remove, add)
	}
	d.view.Store(&dictView{srd: v.srd, own: own})
}

// forget drops d from the cache, unless it was replaced already.
func (c *keywordCache) forget(d *campaignDict) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.campaigns[d.id] == d {
		delete(c.campaigns, d.id)
	}
}

// entityChanged marks the campaign's dictionary stale after a committed
// change: it runs on the request path of every write, so it reads nothing;
// the campaign's next segment re-reads the dictionary (see dict). Campaigns
// without a dictionary are left alone: theirs will be read whole when it
// is built.
func (c *keywordCache) entityChanged(ref gmc.EntityRef) {
	switch ref.Type {
	case gmc.EntityCharacter, gmc.EntityLocation, gmc.EntityPlot, gmc.EntityKeyword, gmc.EntityCampaign:
		// the terms and the campaign's threshold
	default:
		return // sessions, relationships … change no term
	}
	c.mu.Lock()
	d := c.campaigns[ref.CampaignID]
	c.mu.Unlock()
	if d != nil {
		d.stale.Store(true)
	}
}

// tracker returns the session's mention tracker.
func (c *keywordCache) tracker(sessionID string) *keywords.Tracker {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.trackers[sessionID]
	if st == nil {
		st = &sessionTracker{tracker: keywords.NewTracker(keywords.DefaultWindow)}
		c.trackers[sessionID] = st
	}
	st.used = c.now()
	return st.tracker
}

// sweep drops dictionaries and trackers unused for dictIdle, at most once
// a minute. The caller holds c.mu.
func (c *keywordCache) sweep() {
	now := c.now()
	if now.Sub(c.swept) < time.Minute {
		return
	}
	c.swept = now
	for id, d := range c.campaigns {
		if now.Sub(d.used) > dictIdle {
			delete(c.campaigns, id)
		}
	}
	for id, st := range c.trackers {
		if now.Sub(st.used) > dictIdle {
			delete(c.trackers, id)
		}
	}
}

package live

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/keywords"
)

// Live keyword dictionaries.
//
// Each campaign whose sessions are transcribed gets a keywords.Engine: the
// SRD terms (read from the stored reference entries once per process and
// shared by every campaign) plus the campaign's own names — characters
// (name and aliases; category pc or npc), locations, plot threads (title)
// and custom keywords — with GMOnly set on those players may not see.
//
// A dictionary is built on the first segment of its campaign and then kept
// current incrementally: Table.Changed reports every committed write of
// campaign data, and the term it concerns is re-read and replaced or
// removed. A location change re-reads the campaign's location tree, since
// hiding, moving or deleting a location changes its whole subtree; a
// campaign change re-reads the confidence threshold.
//
// Several instances behind Redis each keep their own dictionaries, and
// Changed runs only on the instance that made the write. So a dictionary
// older than dictRefresh is re-read whole at its campaign's next segment
// and the differences applied, and the SRD part is reloaded when the
// counts of reference entries have changed (an import by `gmc reference
// import` or another instance): a change made elsewhere reaches this
// instance's alerts within dictRefresh. Updated entries of an import that
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

func newKeywordCache(st Store, log *slog.Logger, now func() time.Time) *keywordCache {
	return &keywordCache{store: st, log: log, now: now, campaigns: map[string]*campaignDict{}, trackers: map[string]*sessionTracker{}}
}

// dict returns the campaign's dictionary, building it on first use and
// refreshing it when it is older than dictRefresh.
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
	// One caller refreshes; the others go on with the current snapshot.
	if d.mu.TryLock() {
		defer d.mu.Unlock()
		if c.now().Sub(d.synced) >= dictRefresh {
			c.refresh(ctx, d)
		}
	}
	return d, nil
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

// refresh re-reads the campaign and applies what changed. The caller
// holds d.mu. Failures are logged: the dictionary stays as it was and the
// next refresh is due in dictRefresh.
func (c *keywordCache) refresh(ctx context.Context, d *campaignDict) {
	d.synced = c.now()
	err := c.resync(ctx, d)
	if errors.Is(err, gmc.ErrNotFound) {
		c.forget(d) // the campaign is gone
	} else if err != nil {
		c.log.WarnContext(ctx, "keyword dictionary refresh failed", "campaign_id", d.id, "error", err.Error())
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

// entityChanged brings a cached dictionary up to date with one committed
// change. Campaigns without a dictionary are left alone: theirs will be
// read whole when it is built.
func (c *keywordCache) entityChanged(ctx context.Context, ref gmc.EntityRef) {
	c.mu.Lock()
	d := c.campaigns[ref.CampaignID]
	c.mu.Unlock()
	if d == nil {
		return
	}
	d.mu.Lock() // waits for a build in progress
	defer d.mu.Unlock()
	if d.err != nil || d.engine == nil {
		return
	}
	if err := c.applyChange(ctx, d, ref); err != nil {
		c.log.WarnContext(ctx, "keyword dictionary update failed", "campaign_id", d.id, "entity", ref.String(), "error", err.Error())
	}
}

func (c *keywordCache) applyChange(ctx context.Context, d *campaignDict, ref gmc.EntityRef) error {
	switch ref.Type {
	case gmc.EntityCharacter, gmc.EntityPlot, gmc.EntityKeyword:
		t, ok, err := loadEntityTerm(ctx, c.store, ref)
		if err != nil {
			return err
		}
		key := ref.Type + ":" + ref.ID // keyCharacter, keyPlot, keyKeyword
		fresh := ownTerms{}
		if ok {
			add(fresh, t)
		}
		d.apply(fresh, func(k string) bool { return k == key })
	case gmc.EntityLocation:
		fresh := ownTerms{}
		if err := loadLocationTerms(ctx, c.store, d.id, fresh); err != nil {
			return err
		}
		d.apply(fresh, func(k string) bool { return strings.HasPrefix(k, keyLocation) })
	case gmc.EntityCampaign:
		camp, err := c.store.Campaign(ctx, d.id)
		if err != nil {
			return err
		}
		d.engine.SetOptions(engineOptions(camp, d.view.Load().srd))
	}
	return nil
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

// Package live runs what the table of a live game session sees: it shows
// every stored transcript segment, detects the keywords and rule phrases in
// it, stores those hits and raises keyword alerts, and keeps the keyword
// dictionaries current with every change to campaign data, announcing that
// change too. It acts only after the service has decided and committed a
// write; it decides nothing about permissions, and it reaches clients
// through package realtime.
package live

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/cache"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/store"
)

// Store is what the live table reads and writes: the campaign data its
// dictionaries are made of, the reference entries, the live session of a
// campaign and the keyword hits.
type Store interface {
	Campaign(ctx context.Context, id string) (*gmc.Campaign, error)
	Sessions(ctx context.Context, f store.SessionFilter) ([]*gmc.GameSession, string, error)
	Character(ctx context.Context, id string) (*gmc.Character, error)
	Characters(ctx context.Context, f store.CharacterFilter) ([]*gmc.Character, string, error)
	Locations(ctx context.Context, f store.LocationFilter) ([]*gmc.Location, string, error)
	Plot(ctx context.Context, id string, forPlayers bool) (*gmc.PlotThread, error)
	Plots(ctx context.Context, f store.PlotFilter) ([]*gmc.PlotThread, string, error)
	Keyword(ctx context.Context, id string) (*gmc.Keyword, error)
	Keywords(ctx context.Context, f store.KeywordFilter) ([]*gmc.Keyword, string, error)
	ReferenceKinds(ctx context.Context) (map[string]int, error)
	ReferenceEntries(ctx context.Context, f store.ReferenceFilter) ([]reference.Entry, string, error)
	CreateKeywordHits(ctx context.Context, hits []*gmc.KeywordHit) error
}

// Config is what a Table needs. Store is required.
type Config struct {
	Store  Store
	Logger *slog.Logger
	// Now and NewID (of keyword hits) default to the wall clock and UUIDv7.
	Now   func() time.Time
	NewID func() string
	// Hub reaches the clients of live sessions, and Broker is the hub's
	// broker, whose channel of an ended session is dropped. Without a hub
	// (tools, tests) messages go nowhere; hits are still stored.
	Hub    *realtime.Hub
	Broker realtime.Broker
	// Metrics records keyword detection's latency; nil records nothing.
	Metrics *metrics.Metrics
	// Generations are the campaigns' generations the service bumps for
	// every committed write (service.Config.Generations). Shared between
	// instances (Redis), they bring a change made on another instance
	// into this one's keyword dictionaries at the next segment; nil
	// leaves that to the periodic re-read (see dict.go).
	Generations cache.Generations
}

// Table is the live table of every session this process serves. Its
// methods never fail: what they report has committed, so problems are
// logged.
type Table struct {
	store   Store
	log     *slog.Logger
	now     func() time.Time
	newID   func() string
	hub     *realtime.Hub
	broker  realtime.Broker
	dicts   *keywordCache
	outbox  *outbox
	metrics *metrics.Metrics
}

// New builds a Table.
func New(cfg Config) (*Table, error) {
	if cfg.Store == nil {
		return nil, errors.New("live: Store is required")
	}
	if cfg.Hub != nil && cfg.Broker == nil {
		return nil, errors.New("live: a Hub needs its Broker")
	}
	t := &Table{store: cfg.Store, log: cfg.Logger, now: cfg.Now, newID: cfg.NewID, hub: cfg.Hub, broker: cfg.Broker, metrics: cfg.Metrics}
	if t.log == nil {
		t.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.newID == nil {
		t.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	t.dicts = newKeywordCache(t.store, t.log, t.now, cfg.Generations)
	t.outbox = &outbox{table: t}
	return t, nil
}

// TranscriptSegment is the data of a transcript.segment message: the
// stored segment.
type TranscriptSegment struct {
	*gmc.TranscriptSegment
}

// EntityChanged is the data of an entity.changed message.
type EntityChanged struct {
	Type   string `json:"entity_type"`
	ID     string `json:"entity_id"`
	Action string `json:"action"`
}

func (TranscriptSegment) messageType() string { return realtime.TypeTranscriptSegment }
func (EntityChanged) messageType() string     { return realtime.TypeEntityChanged }

// Segments shows stored segments of a session to everyone at its table,
// then runs keyword detection over them: hits are stored and alerts sent.
func (t *Table) Segments(ctx context.Context, gs *gmc.GameSession, segs []*gmc.TranscriptSegment) {
	for _, seg := range segs {
		t.publish(ctx, gs.ID, TranscriptSegment{seg}, false)
	}
	t.detectKeywords(ctx, gs, segs)
}

// Changed reports a committed write of campaign data: the campaign's
// keyword dictionary is marked stale (its next segment re-reads it), and
// its live session, if one is running, is told. GM-only entities are
// announced to GMs only, so a player never learns that one exists.
func (t *Table) Changed(ctx context.Context, ref gmc.EntityRef) {
	t.dicts.entityChanged(ref)
	t.announceChange(ctx, ref)
}

func (t *Table) announceChange(ctx context.Context, ref gmc.EntityRef) {
	if t.hub == nil {
		return
	}
	live, _, err := t.store.Sessions(ctx, store.SessionFilter{CampaignID: ref.CampaignID, Status: gmc.SessionLive, Page: gmc.Page{Limit: 1}})
	if err != nil {
		t.log.WarnContext(ctx, "find live session", "campaign_id", ref.CampaignID, "error", err.Error())
		return
	}
	for _, gs := range live {
		t.publish(ctx, gs.ID, EntityChanged{Type: ref.Type, ID: ref.ID, Action: ref.Action}, ref.Visibility == gmc.VisibleGM)
	}
}

// Warm builds the campaign's keyword dictionary in the background when a
// session starts, so that the first segment of the evening does not wait
// for the build (a quarter to half a second with the whole SRD).
func (t *Table) Warm(ctx context.Context, campaignID string) {
	go func() {
		// The request that started the session ends before the build does.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if _, err := t.dicts.dict(ctx, campaignID); err != nil {
			t.log.WarnContext(ctx, "warm keyword dictionary", "campaign_id", campaignID, "error", err.Error())
		}
	}()
}

// Close ends a session's live table: every client is told why and
// disconnected, and the channel's replay window, state and presence are
// dropped.
func (t *Table) Close(ctx context.Context, sessionID, reason string) {
	if err := t.closeChannel(ctx, sessionID, reason); err != nil {
		t.log.WarnContext(ctx, "close live session", "session_id", sessionID, "error", err.Error())
	}
}

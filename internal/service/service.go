// Package service holds gmc's business rules: who may do what, input
// validation, audit events and the invariants that span entities. HTTP
// handlers call it; it calls the store.
package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/cache"
	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/live"
	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/store"
)

// Config is what a Service needs. Store and SecretKey are required.
type Config struct {
	Store store.Store
	// SecretKey is the server's master secret; signing keys are derived from it.
	SecretKey []byte
	// Limiter keeps the counts of the rate limits (Limits); nil counts in
	// process memory.
	Limiter ratelimit.Limiter
	// Limits defaults to DefaultLimits.
	Limits *Limits
	Logger *slog.Logger
	// Now and NewID default to the wall clock and UUIDv7.
	Now   func() time.Time
	NewID func() string
	// PasswordParams defaults to DefaultPasswordParams.
	PasswordParams *PasswordParams
	// Live is the live table, told about every committed write it shows
	// or learns from; nil builds one that reaches no clients (tools, tests).
	Live *live.Table
	// Accounts caches the token versions Authenticate checks; nil reads
	// the database on every request (tools, tests).
	Accounts AccountCache
	// Blobs is the file store recordings are kept in; nil refuses every
	// operation on recordings (tools, tests that keep none).
	Blobs blob.Store
	// Jobs runs background work; nil refuses everything that needs it
	// (tools, tests).
	Jobs Jobs
	// Generator makes NPC, location, encounter and plot-hook drafts; nil
	// is the built-in procedural generator.
	Generator generate.Generator
	// DndBeyond fetches characters from D&D Beyond; nil imports only
	// documents sent in the request.
	DndBeyond DndBeyond
	// Embeddings adds similarity of meaning to search and AI context; nil
	// leaves both lexical.
	Embeddings *Embeddings
	// Files bounds uploaded files; a zero field takes its value from
	// DefaultFileLimits.
	Files FileLimits
	// Scanner checks uploaded files for viruses; nil stores them
	// unscanned.
	Scanner VirusScanner
	// PreviousSecretKeys are secret keys used before SecretKey; what was
	// sealed under them still opens (see sealer).
	PreviousSecretKeys [][]byte
	// Discord calls Discord's API; nil refuses the Discord features that
	// need it (ErrUnavailable).
	Discord *discord.Client
	// Recaps gives the player-safe recap of a session that is posted to
	// Discord; nil takes the player recap of the session's summary, or
	// without one the opening of its transcript (SummaryRecaps).
	Recaps RecapSource
	// BundleThresholds defaults to DefaultBundleThresholds.
	BundleThresholds *BundleThresholds
	// DisabledFeatures are the features switched off on this instance
	// at start (GMC_FEATURES_OFF and GMC_FEATURES_FILE); SetFeaturesOff
	// changes them while it runs. Campaigns can switch off more for
	// themselves.
	DisabledFeatures []gmc.Feature
	// Budgets are every campaign's monthly cost limits (see Budgets);
	// zero fields are unlimited.
	Budgets Budgets
	// Generations are bumped for every committed write of a campaign's
	// data (scope: the campaign's id) and of the reference entries (scope
	// ReferenceScope); the live table must read the same ones. nil keeps
	// them in process memory.
	Generations cache.Generations
	// CacheReads keeps hot reads (the location tree, reference entries)
	// in memory while their generation holds (see package cache). Set it
	// only when every instance writing the database bumps the same
	// Generations: one instance, or all of them on one Redis.
	CacheReads bool
}

// ReferenceScope is the generation scope of the reference entries.
const ReferenceScope = "reference"

// AccountCache holds each account's token version (gmc.User.TokenVersion)
// for Authenticate, so that a request costs no database read.
type AccountCache interface {
	// TokenVersion returns the account's token version, calling load when
	// it holds none or a stale one; load's gmc.ErrNotFound (the account is
	// gone) is returned as it is.
	TokenVersion(ctx context.Context, userID string, load func(ctx context.Context, userID string) (int64, error)) (int64, error)
	// Forget drops what is held about the account, on every instance;
	// called after a write that raised its token version or deleted it.
	Forget(ctx context.Context, userID string)
}

// uncachedAccounts reads the database every time.
type uncachedAccounts struct{}

func (uncachedAccounts) TokenVersion(ctx context.Context, userID string, load func(context.Context, string) (int64, error)) (int64, error) {
	return load(ctx, userID)
}

func (uncachedAccounts) Forget(context.Context, string) {}

// Service implements the use cases of gmc.
type Service struct {
	// featuresOff: see Config.DisabledFeatures. A pointer, so the copies
	// bound to transactions see a change too.
	featuresOff *featureSwitch
	budgets     Budgets
	store       store.Store
	tokens      tokenKeys
	verified    *verifiedTokens
	limiter     ratelimit.Limiter
	limits      Limits
	log         *slog.Logger
	now         func() time.Time
	newID       func() string
	password    PasswordParams
	live        *live.Table
	accounts    AccountCache
	blobs       blob.Store
	jobs        Jobs
	gen         generate.Generator
	embed       *Embeddings
	bestiary    *bestiary
	dndbeyond   DndBeyond
	// bundleThresholds say which exports and imports run as jobs.
	bundleThresholds BundleThresholds
	files            FileLimits
	scanner          VirusScanner
	sealer           *sealer
	discord          *discord.Client
	recaps           RecapSource
	// loadTokenVersion is s.tokenVersion, bound once so that handing it
	// to the cache on every request allocates nothing.
	loadTokenVersion func(context.Context, string) (int64, error)
	// dummyHash is verified against when a login names an unknown email,
	// so that answer takes as long as a wrong password.
	dummyHash string
	// held, on a copy of the service bound to a transaction (inTx),
	// keeps the changes to tell the live table once it commits.
	held *[]gmc.EntityRef
	// gens are bumped by every committed write (see Config.Generations).
	gens cache.Generations
	// locationTrees and references are nil unless Config.CacheReads.
	locationTrees *cache.Cache[*locationTree]
	references    *cache.Cache[*reference.Entry]
}

// New builds a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("service: Store is required")
	}
	if len(cfg.SecretKey) < 32 {
		return nil, errors.New("service: SecretKey must be at least 32 bytes")
	}
	s := &Service{store: cfg.Store, verified: &verifiedTokens{}, limiter: cfg.Limiter, limits: DefaultLimits, log: cfg.Logger, now: cfg.Now, newID: cfg.NewID, password: DefaultPasswordParams,
		live: cfg.Live, accounts: cfg.Accounts, blobs: cfg.Blobs, jobs: cfg.Jobs, gen: cfg.Generator, embed: cfg.Embeddings, bestiary: &bestiary{}, dndbeyond: cfg.DndBeyond,
		files: cfg.Files.withDefaults(), scanner: cfg.Scanner, discord: cfg.Discord, recaps: cfg.Recaps,
		featuresOff: newFeatureSwitch(cfg.DisabledFeatures), budgets: cfg.Budgets}
	if s.recaps == nil {
		s.recaps = SummaryRecaps{Store: cfg.Store, Fallback: TranscriptRecaps{Store: cfg.Store}}
	}
	s.gens = cfg.Generations
	if s.gens == nil {
		s.gens = cache.NewMemory()
	}
	if s.gen == nil {
		s.gen = generate.Builtin{}
	}
	if s.accounts == nil {
		s.accounts = uncachedAccounts{}
	}
	s.loadTokenVersion = s.tokenVersion
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if cfg.CacheReads {
		s.locationTrees = cache.New[*locationTree](s.gens, cache.Opts{Now: s.now})
		s.references = cache.New[*reference.Entry](s.gens, cache.Opts{Now: s.now})
	}
	if s.limiter == nil {
		s.limiter = ratelimit.NewMemory(s.now)
	}
	s.bundleThresholds = DefaultBundleThresholds
	if cfg.BundleThresholds != nil {
		s.bundleThresholds = *cfg.BundleThresholds
	}
	if cfg.Limits != nil {
		s.limits = *cfg.Limits
	}
	if cfg.PasswordParams != nil {
		s.password = *cfg.PasswordParams
	}
	keys, err := deriveTokenKeys(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	s.tokens = keys
	if s.sealer, err = newSealer(cfg.SecretKey, cfg.PreviousSecretKeys); err != nil {
		return nil, err
	}
	if s.live == nil {
		if s.live, err = live.New(live.Config{Store: s.store, Logger: s.log, Now: s.now, NewID: s.newID, Generations: s.gens}); err != nil {
			return nil, err
		}
	}
	if s.dummyHash, err = s.hashPassword("not a real password"); err != nil {
		return nil, err
	}
	return s, nil
}

// clock returns the current time in UTC at the microsecond precision both
// databases keep, so what is written equals what is read back.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// event builds an audit event; before and after are marshalled as JSON.
func (s *Service) event(campaignID, actorID, action, entityType, entityID string, before, after any) *gmc.Event {
	return &gmc.Event{
		ID: s.newID(), CampaignID: campaignID, ActorID: actorID, Action: action,
		EntityType: entityType, EntityID: entityID,
		Before: marshalOrNil(before), After: marshalOrNil(after), At: s.clock(),
	}
}

func marshalOrNil(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own domain types reach here; they always marshal.
		panic(fmt.Sprintf("audit: marshal %T: %v", v, err))
	}
	return b
}

// changed reports a committed write of campaign data to the cached reads
// and the live table; inside inTx, once the transaction has committed.
func (s *Service) changed(ctx context.Context, ref gmc.EntityRef) {
	if s.held != nil {
		*s.held = append(*s.held, ref)
		return
	}
	s.bump(ctx, ref.CampaignID)
	s.live.Changed(ctx, ref)
}

// bump moves a scope's generation on after a committed write, before the
// response is sent, so that no read of the scope cached before it is
// served again. The write stands whether or not the bump worked.
func (s *Service) bump(ctx context.Context, scope string) {
	// A client that hung up after the commit must not stop the bump.
	ctx = context.WithoutCancel(ctx)
	if err := s.gens.Bump(ctx, scope); err != nil {
		s.log.WarnContext(ctx, "cache generation bump failed; other instances may serve cached reads from before this write until they expire",
			"scope", scope, "error", err.Error())
	}
}

// inTx runs fn with a copy of the service whose every store call goes
// through one transaction, so that several use cases (with their checks
// and audit events) commit or roll back together; the live table hears of
// their changes only after the commit.
func (s *Service) inTx(ctx context.Context, fn func(t *Service, tx store.Store) error) error {
	var held []gmc.EntityRef
	err := s.store.InTx(ctx, func(tx store.Store) error {
		held = held[:0]
		t := *s
		t.store, t.held = tx, &held
		return fn(&t, tx)
	})
	if err != nil {
		return err
	}
	for _, ref := range held {
		s.changed(ctx, ref)
	}
	return nil
}

// access returns the caller's membership of a campaign when their role is
// at least min. A non-member gets ErrNotFound, never ErrForbidden, so that
// the existence of other people's campaigns does not leak.
func (s *Service) access(ctx context.Context, campaignID, userID string, min gmc.Role) (*gmc.Member, error) {
	m, err := s.store.Member(ctx, campaignID, userID)
	if err != nil {
		return nil, accessError(err)
	}
	if err := checkRole(m.Role, min); err != nil {
		return nil, err
	}
	return m, nil
}

// accessError is what a caller who is not in a campaign is told, alike
// whether the campaign exists or not.
func accessError(err error) error {
	if errors.Is(err, gmc.ErrNotFound) {
		return gmc.Errorf(gmc.ErrNotFound, "campaign_not_found", "campaign not found")
	}
	return err
}

// checkRole refuses a member whose role is below min.
func checkRole(role, min gmc.Role) error {
	if !role.AtLeast(min) {
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "this needs the %s role in the campaign; you are %s", min, role)
	}
	return nil
}

// checkVersion compares an If-Match version with the stored one; 0 means
// the client sent none.
func checkVersion(ifMatch, current int64) error {
	if ifMatch != 0 && ifMatch != current {
		return gmc.StaleVersion(current)
	}
	return nil
}

// notFound gives a missing entity of a kind its own code ("session_not_found").
func notFound(err error, kind string) error {
	if errors.Is(err, gmc.ErrNotFound) {
		return gmc.Errorf(gmc.ErrNotFound, kind+"_not_found", "%s not found", kind)
	}
	return err
}

// Package store declares the persistence contract of gmc: one small
// interface per entity, implemented by the sqlite and postgres backends and
// proven by the storetest contract suite. Methods take ctx first and return
// the sentinel errors of package gmc; none returns (nil, nil) for "not found".
package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/store/migration"
)

// Store is everything the service layer needs from a database.
type Store interface {
	UserStore
	TokenStore
	CampaignStore
	MemberStore
	InviteStore
	EventStore
	SessionStore
	TranscriptStore
	ReferenceStore
	TicketStore
	CharacterStore
	AchievementStore
	RelationshipStore
	GraphStore
	LocationStore
	PlotStore
	PlotDependencyStore
	ForeshadowingStore
	SearchStore
	SegmentSearchStore
	KeywordStore
	BundleStore
	RecordingStore
	DndBeyondStore
	SummaryStore
	FileStore
	DiscordStore
	EmbeddingStore
	RetentionStore
	UsageStore
	Transactor
	Migrator

	// Backend names the implementation for logs ("sqlite", "postgres").
	Backend() string
	// Ping checks the database is reachable (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Migrator applies and reports the schema migrations of a backend.
type Migrator interface {
	// Migrate applies every pending migration and returns how many ran.
	Migrate(ctx context.Context) (int, error)
	// MigrateTo applies the pending migrations up to and including version
	// and returns how many ran (tests of a migration on older data).
	MigrateTo(ctx context.Context, version int64) (int, error)
	// MigrationStatus lists every migration and whether it is applied.
	MigrationStatus(ctx context.Context) ([]migration.Status, error)
}

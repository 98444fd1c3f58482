package gmc

import (
	"encoding/json"
	"time"
)

// BundleFormatVersion is the version of the export document this build
// writes and the only one it imports. Raise it when a field changes
// meaning; adding a field does not.
const BundleFormatVersion = 1

// Bundle is a whole campaign as one self-contained document: what export
// writes and import reads. Entities refer to each other by the ids they
// had where they were exported; an import gives everything fresh ids.
// Users appear by email, since user ids mean nothing on another server.
// Lists are in creation order (locations in tree order, parents first),
// so an import recreates them in the same order.
type Bundle struct {
	FormatVersion int                   `json:"format_version"`
	ExportedAt    time.Time             `json:"exported_at"`
	Campaign      BundleCampaign        `json:"campaign"`
	Members       []BundleMember        `json:"members"`
	Sessions      []BundleSession       `json:"sessions"`
	Characters    []BundleCharacter     `json:"characters"`
	Achievements  []BundleAchievement   `json:"achievements"`
	Relationships []BundleRelationship  `json:"relationships"`
	Locations     []BundleLocation      `json:"locations"`
	Plots         []BundlePlot          `json:"plots"`
	Dependencies  []BundleDependency    `json:"plot_dependencies"`
	Foreshadowing []BundleForeshadowing `json:"foreshadowing"`
	Keywords      []BundleKeyword       `json:"keywords"`
}

// EntityCount is how many entities of every kind the bundle holds, the
// measure of the work its import is.
func (b *Bundle) EntityCount() int {
	return len(b.Members) + len(b.Sessions) + len(b.Characters) + len(b.Achievements) + len(b.Relationships) +
		len(b.Locations) + len(b.Plots) + len(b.Dependencies) + len(b.Foreshadowing) + len(b.Keywords)
}

// BundleCampaign is the campaign's own fields.
type BundleCampaign struct {
	Name        string           `json:"name"`
	Description string           `json:"description"`
	GameSystem  string           `json:"game_system"`
	Settings    CampaignSettings `json:"settings"`
}

// BundleMember is a member by email.
type BundleMember struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
}

// BundleSession is a game session with its number and state.
type BundleSession struct {
	ID          string        `json:"id"`
	Number      int           `json:"number"`
	Title       string        `json:"title"`
	ScheduledAt *time.Time    `json:"scheduled_at"`
	Status      SessionStatus `json:"status"`
	StartedAt   *time.Time    `json:"started_at"`
	EndedAt     *time.Time    `json:"ended_at"`
	Notes       string        `json:"notes"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// BundleCharacter is a character with every field, GM notes included;
// OwnerEmail names the player of a PC.
type BundleCharacter struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	CharacterType CharacterType   `json:"character_type"`
	Stats         json.RawMessage `json:"stats"`
	Notes         json.RawMessage `json:"notes"`
	GMNotes       json.RawMessage `json:"gm_notes"`
	VoiceNotes    string          `json:"voice_notes"`
	Aliases       []string        `json:"aliases"`
	Tags          []string        `json:"tags"`
	Visibility    Visibility      `json:"visibility"`
	OwnerEmail    *string         `json:"owner_email"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// BundleAchievement is an achievement of a character of the bundle.
type BundleAchievement struct {
	ID          string    `json:"id"`
	CharacterID string    `json:"character_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	SessionID   *string   `json:"session_id"`
	AwardedAt   time.Time `json:"awarded_at"`
	CreatedAt   time.Time `json:"created_at"`
}

// BundleRelationship is one directed edge with its history. Both edges of
// a mutual pair are listed, each naming the other in PairID.
type BundleRelationship struct {
	ID          string         `json:"id"`
	SourceID    string         `json:"source_id"`
	TargetID    string         `json:"target_id"`
	Kind        string         `json:"kind"`
	Attitude    int            `json:"attitude"`
	Description string         `json:"description"`
	Visibility  Visibility     `json:"visibility"`
	PairID      *string        `json:"pair_id"`
	History     []BundleChange `json:"history"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// BundleChange is one history entry of a relationship.
type BundleChange struct {
	At             time.Time `json:"at"`
	SessionID      *string   `json:"session_id"`
	AttitudeBefore *int      `json:"attitude_before"`
	AttitudeAfter  int       `json:"attitude_after"`
	Note           string    `json:"note"`
}

// BundleLocation is one node of the location tree; ParentID refers to
// another location of the bundle.
type BundleLocation struct {
	ID           string          `json:"id"`
	ParentID     *string         `json:"parent_id"`
	Name         string          `json:"name"`
	LocationType string          `json:"location_type"`
	Description  string          `json:"description"`
	Metadata     json.RawMessage `json:"metadata"`
	Coordinates  json.RawMessage `json:"coordinates"`
	Visibility   Visibility      `json:"visibility"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

// BundlePlot is a plot thread with its milestones and links.
type BundlePlot struct {
	ID                       string      `json:"id"`
	Title                    string      `json:"title"`
	Summary                  string      `json:"summary"`
	Status                   PlotStatus  `json:"status"`
	Progress                 int         `json:"progress"`
	Milestones               []Milestone `json:"milestones"`
	CharacterIDs             []string    `json:"character_ids"`
	LocationIDs              []string    `json:"location_ids"`
	Visibility               Visibility  `json:"visibility"`
	LastTouchedSessionID     *string     `json:"last_touched_session_id"`
	LastTouchedSessionNumber int         `json:"last_touched_session_number"`
	CreatedAt                time.Time   `json:"created_at"`
	UpdatedAt                time.Time   `json:"updated_at"`
}

// BundleDependency says PlotID depends on DependsOnID.
type BundleDependency struct {
	PlotID      string    `json:"plot_id"`
	DependsOnID string    `json:"depends_on_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// BundleForeshadowing is a planted hint of a plot thread.
type BundleForeshadowing struct {
	ID                   string     `json:"id"`
	PlotID               string     `json:"plot_id"`
	Description          string     `json:"description"`
	PlantedSessionID     *string    `json:"planted_session_id"`
	PlantedSessionNumber int        `json:"planted_session_number"`
	Revealed             bool       `json:"revealed"`
	RevealedSessionID    *string    `json:"revealed_session_id"`
	RevealedAt           *time.Time `json:"revealed_at"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
}

// BundleKeyword is a custom keyword of the live dictionary.
type BundleKeyword struct {
	ID         string     `json:"id"`
	Term       string     `json:"term"`
	Aliases    []string   `json:"aliases"`
	Category   string     `json:"category"`
	Visibility Visibility `json:"visibility"`
	Common     bool       `json:"common"`
	Notes      string     `json:"notes"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

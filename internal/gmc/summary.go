package gmc

import (
	"encoding/json"
	"time"
)

// SceneKind is what a stretch of a session was about.
type SceneKind string

// Scene kinds.
const (
	SceneCombat      SceneKind = "combat"
	SceneRoleplay    SceneKind = "roleplay"
	SceneExploration SceneKind = "exploration"
	SceneRest        SceneKind = "rest"
	SceneShopping    SceneKind = "shopping"
)

// SceneKinds lists every scene kind.
var SceneKinds = []SceneKind{SceneCombat, SceneRoleplay, SceneExploration, SceneRest, SceneShopping}

// Evidence names the transcript segments a fact of a summary was taken
// from, so that the GM can read what was said.
type Evidence struct {
	SegmentIDs []string `json:"segment_ids" doc:"Transcript segments the fact was taken from"`
}

// Scene is one stretch of a session, split off by a pause or a change of
// topic.
type Scene struct {
	Kind     SceneKind `json:"kind" enum:"combat,roleplay,exploration,rest,shopping"`
	StartMS  int64     `json:"start_ms"`
	EndMS    int64     `json:"end_ms"`
	FirstSeq int64     `json:"first_seq"`
	LastSeq  int64     `json:"last_seq"`
	// Cues are the words that decided the kind.
	Cues []string `json:"cues"`
	Evidence
}

// RecapLine is one sentence of a recap, with who said it.
type RecapLine struct {
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
	Evidence
}

// EntityMention is a campaign entity or SRD entry named in the session.
type EntityMention struct {
	// Key is the keyword engine's term key ("character:<id>",
	// "srd:monster:goblin").
	Key      string `json:"key"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Ref      string `json:"ref"`
	Count    int    `json:"count"`
	GMOnly   bool   `json:"gm_only"`
	Evidence
}

// PlotPoint is a plot thread the session moved: its name or people came
// up with a decisive word.
type PlotPoint struct {
	PlotID string `json:"plot_id"`
	Title  string `json:"title"`
	// Word is the decisive word heard ("defeated", "found"…).
	Word   string `json:"word"`
	Text   string `json:"text"`
	GMOnly bool   `json:"gm_only"`
	Evidence
}

// RelationshipShift is two characters named together with a word of
// attitude.
type RelationshipShift struct {
	SourceID   string `json:"source_id"`
	SourceName string `json:"source_name"`
	TargetID   string `json:"target_id"`
	TargetName string `json:"target_name"`
	// Delta is the suggested change of attitude (-100…100 scale).
	Delta  int    `json:"delta"`
	Word   string `json:"word"`
	Text   string `json:"text"`
	GMOnly bool   `json:"gm_only"`
	Evidence
}

// Kinds of achievements a summary finds.
const (
	FeatFirstKill    = "first_kill"
	FeatNatural20    = "natural_20"
	FeatLevelUp      = "level_up"
	FeatBossDefeated = "boss_defeated"
)

// Feat is an achievement heard in a session.
type Feat struct {
	Kind          string `json:"kind" enum:"first_kill,natural_20,level_up,boss_defeated"`
	CharacterID   string `json:"character_id,omitempty"`
	CharacterName string `json:"character_name,omitempty"`
	// Target is the foe of a kill or boss defeat.
	Target string `json:"target,omitempty"`
	Title  string `json:"title"`
	Text   string `json:"text"`
	GMOnly bool   `json:"gm_only"`
	Evidence
}

// SessionSummary is what a session's summary job made of its transcript.
// Facts marked GMOnly, and the GM recap, are for GMs only.
type SessionSummary struct {
	SessionID  string `json:"session_id"`
	CampaignID string `json:"campaign_id"`
	// Version counts the summaries made of the session, from 1.
	Version int64 `json:"version"`
	// Mode is "builtin" or "llm": what made this view's recap. The GM
	// view's facts (scenes, entities, plot points…) are always the
	// built-in extraction, which cites its evidence.
	Mode string `json:"mode" enum:"builtin,llm"`
	// PlayerMode is what made the player recap, which falls back to the
	// built-in one on its own when the model's would name GM-only
	// things. GM view only.
	PlayerMode string `json:"player_mode,omitempty" enum:"builtin,llm"`
	// Model is the language model that wrote the recap, when one did.
	Model string `json:"model,omitempty"`
	// Fallback says why a recap is the built-in one although a language
	// model is configured. GM view only.
	Fallback string `json:"fallback,omitempty"`
	// View is "gm" or "players": which recap and facts this is.
	View          string              `json:"view" enum:"gm,players"`
	GMRecap       []RecapLine         `json:"gm_recap,omitempty"`
	PlayerRecap   []RecapLine         `json:"player_recap"`
	Scenes        []Scene             `json:"scenes"`
	Entities      []EntityMention     `json:"entities"`
	PlotPoints    []PlotPoint         `json:"plot_points"`
	Relationships []RelationshipShift `json:"relationship_changes"`
	Achievements  []Feat              `json:"achievements"`
	JobID         string              `json:"job_id,omitempty"`
	CreatedAt     time.Time           `json:"created_at"`
	// ApprovedAt and ApprovedBy say when and which GM approved this
	// summary; a summary made again is not approved.
	ApprovedAt *time.Time `json:"approved_at,omitempty" doc:"When a GM approved this summary; absent until then"`
	ApprovedBy *string    `json:"approved_by,omitempty" doc:"The GM who approved it"`
}

// ForPlayers returns the player view: the player recap and only the
// facts players may know.
func (s *SessionSummary) ForPlayers() *SessionSummary {
	out := *s
	out.View = "players"
	out.GMRecap = nil
	if s.PlayerMode != "" {
		out.Mode = s.PlayerMode
	}
	if out.Mode != "llm" {
		out.Model = ""
	}
	out.PlayerMode, out.Fallback = "", ""
	out.Entities = keep(s.Entities, func(e EntityMention) bool { return !e.GMOnly })
	out.PlotPoints = keep(s.PlotPoints, func(p PlotPoint) bool { return !p.GMOnly })
	out.Relationships = keep(s.Relationships, func(r RelationshipShift) bool { return !r.GMOnly })
	out.Achievements = keep(s.Achievements, func(f Feat) bool { return !f.GMOnly })
	return &out
}

func keep[T any](in []T, ok func(T) bool) []T {
	out := []T{}
	for _, v := range in {
		if ok(v) {
			out = append(out, v)
		}
	}
	return out
}

// ProposalKind is the kind of database update a summary proposes.
type ProposalKind string

// Proposal kinds.
const (
	ProposeNewNPC          ProposalKind = "new_npc"
	ProposeAttitudeChange  ProposalKind = "attitude_change"
	ProposePlotProgress    ProposalKind = "plot_progress"
	ProposeMilestoneDone   ProposalKind = "milestone_done"
	ProposeAchievement     ProposalKind = "achievement"
	ProposeLocationVisited ProposalKind = "location_visited"
)

// ProposalKinds lists every proposal kind.
var ProposalKinds = []ProposalKind{ProposeNewNPC, ProposeAttitudeChange, ProposePlotProgress, ProposeMilestoneDone, ProposeAchievement, ProposeLocationVisited}

// Valid reports whether k is known.
func (k ProposalKind) Valid() bool {
	for _, v := range ProposalKinds {
		if k == v {
			return true
		}
	}
	return false
}

// ProposalStatus is where a proposal stands.
type ProposalStatus string

// Proposal statuses.
const (
	ProposalPending  ProposalStatus = "pending"
	ProposalApplied  ProposalStatus = "applied"
	ProposalRejected ProposalStatus = "rejected"
)

// Proposal is a database update a session's summary suggests; the GM
// applies or rejects it. Target names what it is about (an entity id, or
// a folded name for a new NPC): one proposal per session, kind and
// target, so a summary made again never doubles one.
type Proposal struct {
	ID         string          `json:"id"`
	CampaignID string          `json:"campaign_id"`
	SessionID  string          `json:"session_id"`
	Kind       ProposalKind    `json:"kind" enum:"new_npc,attitude_change,plot_progress,milestone_done,achievement,location_visited"`
	Target     string          `json:"target"`
	Payload    json.RawMessage `json:"payload"`
	Status     ProposalStatus  `json:"status" enum:"pending,applied,rejected"`
	DecidedBy  *string         `json:"decided_by"`
	DecidedAt  *time.Time      `json:"decided_at"`
	// Result names what applying it wrote, e.g. {"character_id": …}.
	Result    json.RawMessage `json:"result,omitempty"`
	JobID     string          `json:"job_id,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	Evidence
}

// Payloads of the proposal kinds.
type (
	NewNPCPayload struct {
		Name     string `json:"name"`
		Mentions int    `json:"mentions"`
	}
	AttitudePayload struct {
		SourceID   string `json:"source_id"`
		SourceName string `json:"source_name"`
		TargetID   string `json:"target_id"`
		TargetName string `json:"target_name"`
		Delta      int    `json:"delta"`
		Word       string `json:"word"`
	}
	PlotProgressPayload struct {
		PlotID string `json:"plot_id"`
		Title  string `json:"title"`
		Word   string `json:"word"`
		// Progress is the suggested new progress (0–100), Status the
		// suggested status.
		Progress int        `json:"progress"`
		Status   PlotStatus `json:"status"`
	}
	MilestonePayload struct {
		PlotID      string `json:"plot_id"`
		MilestoneID string `json:"milestone_id"`
		Title       string `json:"title"`
	}
	AchievementPayload struct {
		CharacterID   string `json:"character_id"`
		CharacterName string `json:"character_name"`
		Kind          string `json:"kind"`
		Title         string `json:"title"`
		Description   string `json:"description"`
	}
	LocationPayload struct {
		LocationID string `json:"location_id"`
		Name       string `json:"name"`
	}
)

// ProposalDecided is the conflict of deciding a proposal twice.
func ProposalDecided() error {
	return Errorf(ErrConflict, "proposal_decided", "this proposal was already applied or rejected")
}

// SummaryReplaced is the error of approving a summary that a new one
// replaced since it was read.
func SummaryReplaced() error {
	return Errorf(ErrConflict, "summary_replaced", "the session was summarised again since this summary was read; read the new one and approve it")
}

package llm

// The answer types of the prompt templates. They live here, beside the
// prompts that describe them to the model, so a prompt and its schema
// change together; generators and the summary code map them onto their
// own records.

// NPC is the answer of the npc prompt.
type NPC struct {
	Name        string `json:"name" schema:"minLength=1,maxLength=80"`
	Ancestry    string `json:"ancestry" doc:"e.g. human, dwarf, half-elf" schema:"minLength=1,maxLength=40"`
	Occupation  string `json:"occupation" schema:"minLength=1,maxLength=80"`
	Appearance  string `json:"appearance" doc:"one or two sentences the GM can read out" schema:"minLength=1,maxLength=400"`
	Personality string `json:"personality" schema:"minLength=1,maxLength=300"`
	Ideal       string `json:"ideal" schema:"minLength=1,maxLength=200"`
	Bond        string `json:"bond" schema:"minLength=1,maxLength=200"`
	Flaw        string `json:"flaw" schema:"minLength=1,maxLength=200"`
	Motivation  string `json:"motivation" schema:"minLength=1,maxLength=200"`
	Secret      string `json:"secret" doc:"known to the GM only" schema:"minLength=1,maxLength=300"`
	VoiceNotes  string `json:"voice_notes" doc:"how to voice them: accent, pace, a verbal tic" schema:"minLength=1,maxLength=200"`
	Attitude    string `json:"attitude" doc:"towards the party at first" enum:"friendly,indifferent,hostile"`
}

// Location is the answer of the location prompt.
type Location struct {
	Name        string   `json:"name" schema:"minLength=1,maxLength=80"`
	Description string   `json:"description" doc:"what the party sees on arrival" schema:"minLength=1,maxLength=800"`
	Features    []string `json:"features" doc:"things the players can interact with" schema:"minItems=1,maxItems=8"`
	Inhabitants []string `json:"inhabitants" doc:"who or what is found there" schema:"maxItems=8"`
	Hooks       []string `json:"hooks" doc:"reasons for the party to get involved" schema:"minItems=1,maxItems=5"`
}

// EncounterFlavour is the answer of the encounter prompt: the telling of
// an encounter whose monsters the rules chose.
type EncounterFlavour struct {
	Title     string   `json:"title" schema:"minLength=1,maxLength=80"`
	ReadAloud string   `json:"read_aloud" doc:"two to four sentences the GM reads aloud as it starts" schema:"minLength=1,maxLength=800"`
	Terrain   []string `json:"terrain" doc:"features of the ground the fight can use" schema:"maxItems=5"`
	Tactics   string   `json:"tactics" doc:"how the monsters fight and when they flee" schema:"minLength=1,maxLength=600"`
	Twist     string   `json:"twist" schema:"maxLength=300"`
}

// PlotHooks is the answer of the plot_hooks prompt.
type PlotHooks struct {
	Hooks []PlotHook `json:"hooks" schema:"minItems=1,maxItems=10"`
}

// PlotHook is one suggested hook.
type PlotHook struct {
	Title   string `json:"title" schema:"minLength=1,maxLength=100"`
	Summary string `json:"summary" schema:"minLength=1,maxLength=600"`
	// Involves names campaign entities exactly as the context wrote them.
	Involves []string `json:"involves" doc:"names of the campaign's entities it involves" schema:"maxItems=8"`
	Source   string   `json:"source" doc:"what in the campaign it grows from" enum:"thread,npc_motivation,foreshadowing,relationship,new"`
	Urgency  string   `json:"urgency" enum:"low,medium,high"`
}

// SessionSummary is the answer of the session_summary_gm and
// session_summary_player prompts.
type SessionSummary struct {
	Title        string         `json:"title" schema:"minLength=1,maxLength=120"`
	Recap        string         `json:"recap" doc:"the session told in a few paragraphs" schema:"minLength=1,maxLength=4000"`
	Scenes       []SummaryScene `json:"scenes" schema:"minItems=1,maxItems=30"`
	PlotPoints   []SummaryFact  `json:"plot_points" schema:"maxItems=20"`
	Achievements []SummaryFact  `json:"achievements" doc:"first kill of a named foe, natural 20s, level-ups, a boss defeated" schema:"maxItems=20"`
}

// SessionRecap is the answer of the session_recap_combine_gm and
// session_recap_combine_player prompts: a long session's recap told from
// the recaps of its parts, each summarised on its own.
type SessionRecap struct {
	Title string `json:"title" schema:"minLength=1,maxLength=120"`
	Recap string `json:"recap" doc:"the whole session told in a few paragraphs" schema:"minLength=1,maxLength=4000"`
}

// SummaryScene is one scene of a session.
type SummaryScene struct {
	Kind         string `json:"kind" enum:"combat,roleplay,exploration,rest,shopping"`
	Summary      string `json:"summary" schema:"minLength=1,maxLength=600"`
	FirstSegment int64  `json:"first_segment" doc:"id of the scene's first transcript segment" schema:"minimum=0"`
	LastSegment  int64  `json:"last_segment" doc:"id of the scene's last transcript segment" schema:"minimum=0"`
}

// SummaryFact is a fact with the transcript segments it comes from.
type SummaryFact struct {
	Text     string  `json:"text" schema:"minLength=1,maxLength=400"`
	Segments []int64 `json:"segments" doc:"ids of the transcript segments this comes from" schema:"minItems=1,maxItems=20"`
}

// Proposals is the answer of the proposals prompt.
type Proposals struct {
	Proposals []ProposalDraft `json:"proposals" schema:"maxItems=30"`
}

// ProposalDraft is one proposed update of the campaign's records.
type ProposalDraft struct {
	Kind string `json:"kind" enum:"new_npc,attitude_change,plot_progress,milestone_done,achievement,location_visited"`
	// Target is the existing entity the update changes, or the new NPC's
	// name.
	Target   string  `json:"target" doc:"the entity's name as the records write it, or the new NPC's name" schema:"minLength=1,maxLength=120"`
	Summary  string  `json:"summary" doc:"the change in one sentence" schema:"minLength=1,maxLength=400"`
	Value    string  `json:"value" doc:"the new value: an attitude (friendly, indifferent, hostile), a progress note, or a short description" schema:"maxLength=400"`
	Segments []int64 `json:"segments" doc:"ids of the transcript segments that show it" schema:"minItems=1,maxItems=20"`
}

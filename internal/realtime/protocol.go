package realtime

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/coder/websocket"
)

// The WebSocket protocol (API.md, "Game sessions and the live table").
//
// Every frame is a JSON text message {"type","seq","ts","data"}. seq is the
// channel's sequence number; messages that belong to one connection only
// (welcome, pong, error) carry seq 0. seq never goes backwards for a session,
// even when the broker loses its data: it is epoch × SeqEpochSpan + counter,
// the epoch being the Unix second at which the channel (re)started in the
// broker. Within an epoch seq rises by one; a jump to a new epoch means the
// broker lost what came before, and clients then get a fresh welcome. A connection only
// receives the messages its member may see, so the seqs it sees can skip: the
// skipped ones were for someone else. The server never drops a message meant
// for a connection silently: it closes the socket with CloseResume, or sends a
// fresh welcome, which replaces everything the client knew.
//
// Connecting: the server sends welcome at once. A client that was connected
// before sends resume {last_seq} as its first message and receives exactly the
// messages it missed up to the welcome's last_seq (or a fresh welcome when they
// have left the replay window, with reason replay_window_lost); live messages
// follow. Transcript segments and keyword alerts are also in the database,
// which is their source of truth: after a welcome with a reason, a client
// pages GET /sessions/{id}/transcript?after_seq= from the last segment seq it
// holds and GET /sessions/{id}/keywords, and drops segments and alerts it
// already has (by id) when they also arrive live. Segments and alerts whose
// publication failed while the broker was down are published again once it
// is back (package live), so a connected client gets them too. Live messages start
// after the client's first message, or after HubOpts.ResumeGrace, so that a
// resume can be answered in order. A resume sent after live messages have
// started is answered with a fresh welcome (reason resume_too_late).
//
// Who may do what:
//   - chat: GMs and players; observers only watch. chat with "to" is a
//     whisper: it reaches the sender, the recipient and the GMs.
//   - state.update: GMs may change any key (scene, initiative, round, notes…).
//     Players may change only the keys in HubOpts.PlayerStateKeys (by default
//     "party_notes", the party's shared notes), because initiative and scene
//     are the GM's to run. Observers may not change the state.
//   - ping, resume: everyone.

// Message types sent by the server.
const (
	TypeWelcome           = "welcome"
	TypePresence          = "presence"
	TypeChat              = "chat"
	TypeStatePatch        = "state.patch"
	TypeTranscriptSegment = "transcript.segment"
	TypeKeywordAlert      = "keyword.alert"
	TypeEntityChanged     = "entity.changed"
	TypeJobProgress       = "job.progress"
	TypeSessionEnded      = "session.ended"
	TypePong              = "pong"
	TypeError             = "error"
)

// Message types sent by clients (chat is shared with the server's).
const (
	TypeResume      = "resume"
	TypeStateUpdate = "state.update"
	TypePing        = "ping"
)

// Close codes the hub uses besides the standard ones. Clients should answer
// CloseResume, 1001 (going away) and abnormal closures by reconnecting and
// sending resume.
const (
	// CloseSessionEnded: the session is over; do not reconnect.
	CloseSessionEnded websocket.StatusCode = 4001
	// CloseResume: the client fell behind; reconnect and resume.
	CloseResume websocket.StatusCode = 4008
	// CloseTooManyConnections: the user has too many open connections
	// (normally refused before the upgrade, see Hub.Admit).
	CloseTooManyConnections websocket.StatusCode = 4029
)

// Error codes in ErrorData.Code.
const (
	ErrCodeBadRequest   = "bad_request"
	ErrCodeUnknownType  = "unknown_type"
	ErrCodeRateLimited  = "rate_limited"
	ErrCodeForbidden    = "forbidden"
	ErrCodeStaleState   = "stale_state"
	ErrCodeInvalidPatch = "invalid_patch"
	ErrCodeUnavailable  = "unavailable"
)

// PresentUser is one member in presence lists.
type PresentUser struct {
	UserID      string `json:"user_id"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
}

// WelcomeData is the data of welcome: everything a client needs to start.
// State reflects at least every state.patch up to LastSeq; patches that
// follow with a version not above State.Version are already applied.
type WelcomeData struct {
	UserID  string        `json:"user_id"`
	Role    string        `json:"role"`
	LastSeq int64         `json:"last_seq"`
	State   State         `json:"state"`
	Present []PresentUser `json:"present"`
	// Resumed is false in every welcome: a welcome starts the client over,
	// it never continues what the client had.
	Resumed bool `json:"resumed" doc:"Always false: a welcome starts the client over"`
	// Reason is set when the welcome answers a resume that could not be
	// served by replay (one of the WelcomeReason constants).
	Reason string `json:"reason,omitempty" enum:"replay_window_lost,resume_too_late" doc:"Why this welcome answers a resume; then page the transcript and keyword hits over HTTP"`
	// ConsentRequired asks the member whether the campaign may process
	// their voice: they have not answered yet, so their audio is dropped.
	// It reflects the answer when the connection was opened.
	ConsentRequired bool `json:"consent_required,omitempty" doc:"You have not said whether this campaign may process your voice (PUT /api/v1/campaigns/{campaign_id}/members/me/voice-consent); until you say yes your audio is dropped"`
}

// Reasons for a welcome that answers resume. After either, the client
// refetches what the database keeps (the transcript after the last segment
// seq it holds, and the keyword hits), because messages it missed may
// never reach it over the socket.
const (
	// WelcomeReplayWindowLost: the messages after last_seq are no longer in
	// the replay window: too many or too old, or lost with the broker (a
	// Redis restarted without its data; last_seq is then from an earlier
	// seq epoch).
	WelcomeReplayWindowLost = "replay_window_lost"
	// WelcomeResumeTooLate: the resume came after live messages had
	// started on this connection.
	WelcomeResumeTooLate = "resume_too_late"
)

// PresenceData is the data of presence: the members who arrived and those
// who went since the previous presence message, each ordered by user id.
// Clients keep welcome's present list and apply it: add joined, remove left.
// Several connections of one member count as one: the member is joined with
// the first and left with the last. Changes are gathered for
// HubOpts.PresenceWindow, so a burst of arrivals is one message, and a member
// who left and came back within it (a reconnect) is in neither list.
type PresenceData struct {
	Joined []PresentUser `json:"joined"`
	Left   []PresentUser `json:"left"`
}

// ChatData is the data of a chat message as delivered.
type ChatData struct {
	From string `json:"from"`
	Name string `json:"name"`
	Role string `json:"role"`
	Text string `json:"text"`
	To   string `json:"to,omitempty"`
	// ClientTS is echoed from the request; load tests use it for latency.
	ClientTS int64 `json:"client_ts,omitempty"`
}

// StatePatchData is the data of state.patch: the patch that was applied and
// the whole state after it, so a client that missed a version can recover.
type StatePatchData struct {
	Version int64           `json:"version"`
	Patch   json.RawMessage `json:"patch"`
	Data    json.RawMessage `json:"data"`
	By      string          `json:"by"`
}

// SessionEndedData is the data of session.ended, the last message of a session.
type SessionEndedData struct {
	Reason string `json:"reason"`
}

// ErrorData is the data of error, sent to one connection.
type ErrorData struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// RetryAfterMS is set with rate_limited.
	RetryAfterMS int64 `json:"retry_after_ms,omitempty"`
	// State is the current state, set with stale_state.
	State *State `json:"state,omitempty"`
}

// ResumeRequest is the data of resume.
type ResumeRequest struct {
	LastSeq int64 `json:"last_seq"`
}

// ChatRequest is the data of chat sent by a client.
type ChatRequest struct {
	Text     string `json:"text"`
	To       string `json:"to,omitempty"`
	ClientTS int64  `json:"client_ts,omitempty"`
}

// StateUpdateRequest is the data of state.update.
type StateUpdateRequest struct {
	BaseVersion int64           `json:"base_version"`
	Patch       json.RawMessage `json:"patch"`
}

// clientFrame is what clients send; seq and ts, if present, are ignored.
type clientFrame struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// localMessage builds a message for one connection (seq 0).
func localMessage(typ string, data any, now time.Time) Message {
	b, err := json.Marshal(data)
	if err != nil {
		// Only our own protocol structs reach here; they always encode.
		panic(fmt.Sprintf("realtime: encode %s: %v", typ, err))
	}
	return Message{Type: typ, TS: now.UTC(), Data: b}
}

// mustData encodes protocol data for Publish.
func mustData(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("realtime: encode %T: %v", v, err))
	}
	return b
}

// presentUsers turns presence entries into the list clients see: one entry
// per user however many connections they have.
func presentUsers(ps []Presence) []PresentUser {
	out := make([]PresentUser, 0, len(ps))
	for _, p := range ps {
		if len(out) > 0 && out[len(out)-1].UserID == p.UserID {
			continue // sorted by user id, so repeats are adjacent
		}
		out = append(out, PresentUser{UserID: p.UserID, DisplayName: p.DisplayName, Role: p.Role})
	}
	return out
}

// stateUpdateAllowed applies the permission rule above.
func stateUpdateAllowed(role string, patch map[string]json.RawMessage, playerKeys []string) error {
	switch role {
	case RoleGM:
		return nil
	case RolePlayer:
		for k := range patch {
			if !slices.Contains(playerKeys, k) {
				return fmt.Errorf("players may change only %v, not %q", playerKeys, k)
			}
		}
		return nil
	}
	return fmt.Errorf("%ss may not change the session state", role)
}

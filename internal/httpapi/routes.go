package httpapi

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// routes lists every API operation: the whole v1 surface in one place
// (the WebSocket upgrade with its ticket, and the health probes, are plain
// handlers next to it in live.go and health.go).
func (a *api) routes(h huma.API) {
	const get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete

	register(h, public(operation(post, "/auth/register", "register", "Create an account", "auth")), a.handleRegister, a)
	register(h, withStatus(public(operation(post, "/auth/login", "login", "Log in and get tokens", "auth")), http.StatusOK), a.handleLogin, a)
	register(h, withStatus(public(operation(post, "/auth/refresh", "refresh", "Trade a refresh token for a new pair", "auth")), http.StatusOK), a.handleRefresh, a)
	register(h, withStatus(public(operation(post, "/auth/logout", "logout", "Revoke a refresh token's family", "auth")), http.StatusNoContent), a.handleLogout, a)

	authed(h, operation(get, "/users/me", "get-me", "Your account", "users"), a.handleMeGet, a)
	authed(h, operation(patch, "/users/me", "patch-me", "Change your account", "users"), a.handleMePatch, a)
	authed(h, operation(get, "/users/me/export", "export-me", "All your data as JSON", "users"), a.handleMeExport, a)
	authed(h, operation(del, "/users/me", "delete-me", "Delete your account", "users"), a.handleMeDelete, a)

	authed(h, operation(get, "/campaigns", "list-campaigns", "Your campaigns", "campaigns"), a.handleCampaignList, a)
	authed(h, operation(post, "/campaigns", "create-campaign", "Create a campaign (you become its GM)", "campaigns"), a.handleCampaignCreate, a)
	authed(h, operation(get, "/campaigns/{campaign_id}", "get-campaign", "A campaign", "campaigns"), a.handleCampaignGet, a)
	authed(h, operation(put, "/campaigns/{campaign_id}", "put-campaign", "Replace a campaign's fields", "campaigns"), a.handleCampaignPut, a)
	authed(h, operation(patch, "/campaigns/{campaign_id}", "patch-campaign", "Change some of a campaign's fields", "campaigns"), a.handleCampaignPatch, a)
	authed(h, operation(del, "/campaigns/{campaign_id}", "delete-campaign", "Delete a campaign and everything in it", "campaigns"), a.handleCampaignDelete, a)
	authed(h, operation(get, "/campaigns/{campaign_id}/events", "list-events", "The campaign's audit log (GM only)", "campaigns"), a.handleEventList, a)
	authed(h, operation(get, "/campaigns/{campaign_id}/usage", "get-campaign-usage",
		"What the campaign spent this month of its AI and audio budgets, and the budgets (GM only)", "campaigns"), a.handleCampaignUsage, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/members", "list-members", "Members and their roles", "members"), a.handleMemberList, a)
	authed(h, operation(put, "/campaigns/{campaign_id}/members/{user_id}", "set-member-role", "Change a member's role (GM only)", "members"), a.handleMemberPut, a)
	authed(h, operation(del, "/campaigns/{campaign_id}/members/{user_id}", "remove-member", "Remove a member, or leave", "members"), a.handleMemberDelete, a)
	authed(h, operation(post, "/campaigns/{campaign_id}/invites", "create-invite", "Make an invite code (GM only)", "members"), a.handleInviteCreate, a)
	authed(h, operation(put, "/campaigns/{campaign_id}/members/me/voice-consent", "put-voice-consent", "Let the campaign process your voice, or stop it", "members"), a.handleVoiceConsentPut, a)
	authed(h, operation(get, "/sessions/{session_id}/consent", "get-session-consent", "Who at the table has consented to voice processing (GM only)", "members"), a.handleSessionConsent, a)
	authed(h, withStatus(operation(post, "/invites/{code}/accept", "accept-invite", "Join a campaign with an invite code", "members"), http.StatusOK), a.handleInviteAccept, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/sessions", "list-sessions", "The campaign's game sessions", "sessions"), a.handleSessionList, a)
	authed(h, operation(post, "/campaigns/{campaign_id}/sessions", "create-session", "Schedule a session (GM only)", "sessions"), a.handleSessionCreate, a)
	authed(h, operation(get, "/sessions/{session_id}", "get-session", "A game session", "sessions"), a.handleSessionGet, a)
	authed(h, operation(patch, "/sessions/{session_id}", "patch-session", "Change a session's record (GM only)", "sessions"), a.handleSessionPatch, a)
	authed(h, operation(del, "/sessions/{session_id}", "delete-session", "Delete a session that is not live (GM only)", "sessions"), a.handleSessionDelete, a)
	authed(h, withStatus(operation(post, "/sessions/{session_id}/start", "start-session", "Make a session live (GM only; one per campaign)", "sessions"), http.StatusOK), a.handleSessionStart, a)
	authed(h, withStatus(operation(post, "/sessions/{session_id}/end", "end-session", "End a live session (GM only)", "sessions"), http.StatusOK), a.handleSessionEnd, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/characters", "list-characters", "The campaign's characters you can see", "characters"), a.handleCharacterList, a)
	authed(h, a.bigBody(operation(post, "/campaigns/{campaign_id}/characters", "create-character", "Create a character (GMs any; players their own PC)", "characters")), a.handleCharacterCreate, a)
	authed(h, operation(get, "/characters/{character_id}", "get-character", "A character", "characters"), a.handleCharacterGet, a)
	authed(h, a.bigBody(operation(put, "/characters/{character_id}", "put-character", "Replace a character's fields (GM, or the PC's owner)", "characters")), a.handleCharacterPut, a)
	authed(h, a.bigBody(operation(patch, "/characters/{character_id}", "patch-character", "Change some of a character's fields (GM, or the PC's owner)", "characters")), a.handleCharacterPatch, a)
	authed(h, operation(del, "/characters/{character_id}", "delete-character", "Delete a character with its relationships and achievements (GM only)", "characters"), a.handleCharacterDelete, a)
	authed(h, operation(get, "/characters/{character_id}/voice-notes", "get-voice-notes", "How the character is voiced", "characters"), a.handleVoiceNotesGet, a)
	authed(h, operation(put, "/characters/{character_id}/voice-notes", "put-voice-notes", "Replace the voice notes (GM, or the PC's owner)", "characters"), a.handleVoiceNotesPut, a)

	ddb := operation(post, "/characters/import/dndbeyond", "import-dndbeyond-character",
		"Import a character from D&D Beyond, or update the one imported before and list what changed (GM, or a player for their own PC)", "characters")
	ddb.MaxBodyBytes = maxDndBeyondBytes
	authed(h, ddb, a.handleDndBeyondImport, a)
	authed(h, operation(get, "/characters/{character_id}/achievements", "list-achievements", "A character's achievements", "characters"), a.handleAchievementList, a)
	authed(h, operation(post, "/characters/{character_id}/achievements", "award-achievement", "Award a character an achievement (GM only)", "characters"), a.handleAchievementCreate, a)

	authed(h, operation(get, "/characters/{character_id}/relationships", "list-relationships", "Relationships from and to a character, with their history", "relationships"), a.handleRelationshipList, a)
	authed(h, operation(post, "/characters/{character_id}/relationships", "create-relationship", "Relate a character to another (GM only)", "relationships"), a.handleRelationshipCreate, a)
	authed(h, operation(get, "/relationships/{relationship_id}", "get-relationship", "A relationship with its history", "relationships"), a.handleRelationshipGet, a)
	authed(h, operation(put, "/relationships/{relationship_id}", "put-relationship", "Replace a relationship's fields (GM only)", "relationships"), a.handleRelationshipPut, a)
	authed(h, operation(patch, "/relationships/{relationship_id}", "patch-relationship", "Change some of a relationship's fields (GM only)", "relationships"), a.handleRelationshipPatch, a)
	authed(h, operation(del, "/relationships/{relationship_id}", "delete-relationship", "Delete a relationship, both edges when mutual (GM only)", "relationships"), a.handleRelationshipDelete, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/graph", "get-graph", "The relationships around a character, as nodes and edges", "relationships"), a.handleGraph, a)
	authed(h, operation(get, "/campaigns/{campaign_id}/graph/path", "get-graph-path", "A shortest chain of relationships between two characters", "relationships"), a.handleGraphPath, a)

	authed(h, operation(post, "/sessions/{session_id}/transcript/segments", "ingest-segments", "Add text segments from an outside recogniser (GM only)", "transcript"), a.handleSegmentsIngest, a)
	authed(h, operation(get, "/sessions/{session_id}/transcript", "get-transcript", "Page through a session's transcript", "transcript"), a.handleTranscriptGet, a)
	authed(h, operation(get, "/sessions/{session_id}/speakers", "get-speakers", "Who each diarization label is", "transcript"), a.handleSpeakersGet, a)
	authed(h, operation(put, "/sessions/{session_id}/speakers", "put-speakers", "Map diarization labels to members and characters (GM only)", "transcript"), a.handleSpeakersPut, a)

	authed(h, operation(get, "/sessions/{session_id}/recordings", "list-recordings", "A session's recordings (GM only)", "recordings"), a.handleRecordingList, a)
	authed(h, operation(del, "/recordings/{recording_id}", "delete-recording", "Delete a recording and its audio (GM only)", "recordings"), a.handleRecordingDelete, a)
	authed(h, audioDownload(operation(get, "/recordings/{recording_id}/audio", "get-recording-audio", "A recording's audio (GM only)", "recordings")), a.handleRecordingAudio, a)
	a.summaryRoutes(h)
	authed(h, operation(get, "/jobs/{job_id}", "get-job", "A background job's state and progress", "jobs"), a.handleJobGet, a)
	authed(h, operation(get, "/jobs/{job_id}/result", "get-job-result", "The file a finished job wrote: a campaign export's document (GM only)", "jobs"), a.handleJobResult, a)

	authed(h, operation(post, "/discord/webhooks", "create-discord-webhook", "Register a Discord webhook for the campaign's recaps (GM only)", "discord"), a.handleDiscordWebhookCreate, a)
	authed(h, operation(get, "/discord/webhooks", "list-discord-webhooks", "A campaign's Discord webhooks, without their tokens (GM only)", "discord"), a.handleDiscordWebhookList, a)
	authed(h, operation(del, "/discord/webhooks/{webhook_id}", "delete-discord-webhook", "Forget a Discord webhook (GM only)", "discord"), a.handleDiscordWebhookDelete, a)
	authed(h, withStatus(operation(post, "/sessions/{session_id}/discord/post", "post-session-discord", "Post the session's recap to Discord (a job; GM only)", "discord"), http.StatusAccepted), a.handleSessionDiscordPost, a)
	authed(h, operation(get, "/discord/guilds", "list-discord-guilds", "The guilds of the server's Discord bot", "discord"), a.handleDiscordGuilds, a)

	authed(h, operation(get, "/reference", "list-reference", "SRD rules entries (imported with `gmc reference import`)", "reference"), a.handleReferenceList, a)
	authed(h, operation(get, "/reference/{kind}/{slug}", "get-reference", "One SRD entry with its card", "reference"), a.handleReferenceGet, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/keywords", "list-keywords", "The campaign's custom keywords you can see", "keywords"), a.handleKeywordList, a)
	authed(h, operation(post, "/campaigns/{campaign_id}/keywords", "create-keyword", "Add a custom term to the live keyword dictionary (GM only)", "keywords"), a.handleKeywordCreate, a)
	authed(h, operation(get, "/keywords/{keyword_id}", "get-keyword", "A custom keyword", "keywords"), a.handleKeywordGet, a)
	authed(h, operation(put, "/keywords/{keyword_id}", "put-keyword", "Replace a custom keyword's fields (GM only)", "keywords"), a.handleKeywordPut, a)
	authed(h, operation(patch, "/keywords/{keyword_id}", "patch-keyword", "Change some of a custom keyword's fields (GM only)", "keywords"), a.handleKeywordPatch, a)
	authed(h, operation(del, "/keywords/{keyword_id}", "delete-keyword", "Delete a custom keyword (GM only)", "keywords"), a.handleKeywordDelete, a)
	authed(h, operation(get, "/sessions/{session_id}/keywords", "list-keyword-hits", "Keyword hits detected in a session's transcript", "keywords"), a.handleKeywordHitList, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/search", "search-campaign",
		"Search a campaign's characters, locations, plot threads and sessions, forgiving typos and sound-alikes", "search"), a.handleSearch, a)
	authed(h, operation(get, "/reference/search", "search-reference",
		"Search the SRD reference entries, forgiving typos and sound-alikes", "reference"), a.handleReferenceSearch, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/locations", "list-locations", "The location tree: roots, one level (?parent_id=) or everything (?flat=true)", "locations"), a.handleLocationList, a)
	authed(h, a.bigBody(operation(post, "/campaigns/{campaign_id}/locations", "create-location", "Create a location (GM only)", "locations")), a.handleLocationCreate, a)
	authed(h, operation(get, "/locations/{location_id}", "get-location", "A location with its breadcrumb and children count", "locations"), a.handleLocationGet, a)
	authed(h, a.bigBody(operation(put, "/locations/{location_id}", "put-location", "Replace a location's fields (GM only)", "locations")), a.handleLocationPut, a)
	authed(h, a.bigBody(operation(patch, "/locations/{location_id}", "patch-location", "Change some of a location's fields (GM only)", "locations")), a.handleLocationPatch, a)
	authed(h, operation(del, "/locations/{location_id}", "delete-location", "Delete a location; with children only with ?cascade=true (GM only)", "locations"), a.handleLocationDelete, a)
	authed(h, withStatus(operation(post, "/locations/{location_id}/move", "move-location", "Move a location with its subtree below another, or to the top (GM only)", "locations"), http.StatusOK), a.handleLocationMove, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/plots", "list-plots", "The campaign's plot threads you can see", "plots"), a.handlePlotList, a)
	authed(h, operation(post, "/campaigns/{campaign_id}/plots", "create-plot", "Create a plot thread (GM only)", "plots"), a.handlePlotCreate, a)
	authed(h, operation(get, "/campaigns/{campaign_id}/plots/reminders", "plot-reminders", "Hooks, active threads and foreshadowing left alone for settings.reminder_sessions sessions (GM only)", "plots"), a.handlePlotReminders, a)
	authed(h, operation(get, "/plots/{plot_id}", "get-plot", "A plot thread with its foreshadowing", "plots"), a.handlePlotGet, a)
	authed(h, operation(put, "/plots/{plot_id}", "put-plot", "Replace a plot thread's fields (GM only)", "plots"), a.handlePlotPut, a)
	authed(h, operation(patch, "/plots/{plot_id}", "patch-plot", "Change some of a plot thread's fields (GM only)", "plots"), a.handlePlotPatch, a)
	authed(h, operation(del, "/plots/{plot_id}", "delete-plot", "Delete a plot thread with its dependencies and foreshadowing (GM only)", "plots"), a.handlePlotDelete, a)
	authed(h, operation(put, "/plots/{plot_id}/progress", "put-plot-progress", "Record progress, status and a milestone, in a session (GM only)", "plots"), a.handlePlotProgress, a)
	authed(h, operation(get, "/plots/{plot_id}/status", "get-plot-status", "Status, progress, milestones and blockers of a plot thread", "plots"), a.handlePlotStatus, a)
	authed(h, operation(get, "/plots/{plot_id}/dependencies", "get-plot-dependencies", "The threads this one waits on (upstream) and that wait on it (downstream)", "plots"), a.handlePlotDependencies, a)
	authed(h, operation(post, "/plots/{plot_id}/dependencies", "add-plot-dependency", "Make the thread depend on another; 409 naming the cycle it would close (GM only)", "plots"), a.handlePlotDependencyAdd, a)
	authed(h, operation(del, "/plots/{plot_id}/dependencies/{depends_on_id}", "remove-plot-dependency", "Remove a dependency (GM only)", "plots"), a.handlePlotDependencyRemove, a)
	authed(h, operation(post, "/plots/{plot_id}/foreshadowing", "plant-foreshadowing", "Plant a hint for the thread, in a session (GM only)", "plots"), a.handleForeshadowingCreate, a)
	authed(h, operation(patch, "/foreshadowing/{foreshadowing_id}", "patch-foreshadowing", "Reveal a hint (or change it) (GM only)", "plots"), a.handleForeshadowingPatch, a)
	authed(h, operation(del, "/foreshadowing/{foreshadowing_id}", "delete-foreshadowing", "Delete a hint (GM only)", "plots"), a.handleForeshadowingDelete, a)

	authed(h, withStatus(operation(post, "/campaigns/{campaign_id}/generate/npc", "generate-npc", "Draft an NPC, or store one with ?save=true (GM only)", "generate"), http.StatusOK), a.handleGenerateNPC, a)
	authed(h, withStatus(operation(post, "/campaigns/{campaign_id}/generate/location", "generate-location", "Draft a location, or store one with ?save=true (GM only)", "generate"), http.StatusOK), a.handleGenerateLocation, a)
	authed(h, withStatus(operation(post, "/campaigns/{campaign_id}/generate/encounter", "generate-encounter", "Build a combat encounter from the SRD monsters (GM only)", "generate"), http.StatusOK), a.handleGenerateEncounter, a)
	authed(h, withStatus(operation(post, "/campaigns/{campaign_id}/plot-hooks", "plot-hooks", "Suggest plot hooks from the campaign's state, or store them with ?save=true (GM only)", "generate"), http.StatusOK), a.handlePlotHooks, a)

	authed(h, operation(get, "/campaigns/{campaign_id}/export", "export-campaign",
		"The whole campaign as one versioned JSON document, or a readable campaign book with ?format=markdown (GM only)", "campaigns"),
		a.handleCampaignExport, a)
	imp := operation(post, "/campaigns/import", "import-campaign", "Make a new campaign from an exported document (you become its GM)", "campaigns")
	imp.MaxBodyBytes = maxBundleBytes
	// The document is checked whole by gmc.Bundle.Validate (see campaignImportInput).
	imp.SkipValidateBody = true
	authed(h, imp, a.handleCampaignImport, a)
}

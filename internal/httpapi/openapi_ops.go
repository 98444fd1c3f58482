package httpapi

import "net/http"

// opDoc is what the OpenAPI document says about an operation beyond its
// summary: a description, and the error answers its shape does not imply.
// The answers every operation's shape implies (401 with a token, 404 with
// a path id, 422 with input, 400 and 413 with a body, 409 with If-Match)
// are added by describeErrors; errs lists the others, which come from
// what the operation does: 403 where a role is needed, 409 for its
// conflicts, 429 where it is rate limited.
type opDoc struct {
	description string
	errs        []int
}

const (
	forbidden = http.StatusForbidden
	conflict  = http.StatusConflict
)

// aiErrs are the answers of a generator in LLM mode (GMC_LLM_BASE_URL)
// when its language model server fails.
var aiErrs = []int{forbidden, http.StatusBadGateway, http.StatusServiceUnavailable}

// llmMode is what the NPC, location and plot-hook descriptions say about
// LLM mode.
const llmMode = " With GMC_LLM_BASE_URL set the draft comes from a language model given the campaign's most relevant entities as context " +
	"(generator llm, model named), in the same fields, with notes on how it was made (the seed goes to the model server and repeats the draft only if that server honours seeds; " +
	"a name the campaign has is asked for again, then drawn by the built-in generator). A model server that cannot be reached or does not answer in time is a " +
	"503 ai_unavailable, an answer still unusable after one correction request a 502 ai_bad_answer, a refused request (wrong model or key) a 502 ai_refused; nothing is saved then. " +
	"Its tokens count in the campaign's monthly AI budget: once that is spent the request is refused with 429 quota_exceeded (budget ai_tokens, " +
	"resets_at and Retry-After: the next month) before anything is asked of the model."

// operationDocs is keyed by operation id; TestOpenAPIOperationsDescribed
// fails for an operation missing here, so a new route cannot ship
// undocumented.
var operationDocs = map[string]opDoc{
	"register": {description: "Creates an account. The email is stored lower-cased and must not belong to another account (409 email_taken). " +
		"Registration needs no token. Registrations per client address are limited (429 with Retry-After).", errs: []int{conflict, http.StatusTooManyRequests}},
	"login": {description: "Checks an email and password and answers an access token (short-lived, sent as `Authorization: Bearer`) and a refresh token. " +
		"A wrong email and a wrong password answer the same 401. Attempts per client address, and failures per account and address, are limited (429 with Retry-After); " +
		"an address that keeps failing for an account is stopped without stopping the owner elsewhere.",
		errs: []int{http.StatusUnauthorized, http.StatusTooManyRequests}},
	"refresh": {description: "Trades a refresh token for a new access and refresh token. Each refresh token works once: " +
		"presenting a used one revokes its whole family (401).", errs: []int{http.StatusUnauthorized}},
	"logout": {description: "Revokes the refresh token's family, so none of its tokens can be refreshed again, and ends every access token of the account " +
		"within seconds (401 token_revoked). The account's other logins keep their refresh tokens and get new access tokens by refreshing."},

	"get-me": {description: "Your own account: id, email, display name."},
	"patch-me": {description: "Changes your display name, email or password. Changing email or password needs current_password (422 naming body.current_password when wrong); " +
		"a new email must be free (409 email_taken); emails are compared after Unicode NFKC normalisation and case folding. " +
		"A change of email or password ends every session of the account within seconds: all refresh tokens are revoked and all access tokens " +
		"answer 401 token_revoked, the ones of this request included. The answer then carries `tokens`, a new token pair that is this " +
		"client's session from now on; every other login has to log in again.", errs: []int{conflict}},
	"export-me": {description: "Everything stored about you as one JSON document: your account and your memberships."},
	"delete-me": {description: "Deletes your account and your memberships; its refresh and access tokens stop working within seconds. Refused (409 last_gm) while you are the last GM of a campaign that has other members: hand the GM role on first.", errs: []int{conflict}},

	"list-campaigns":  {description: "The campaigns you are a member of, in any role, one page at a time."},
	"create-campaign": {description: "Creates a campaign with you as its GM. Settings left out take their defaults (reminder_sessions 3, keyword_threshold 0.6, keep_recordings false: a recording is deleted once transcribed, recording_retention_days 0: kept recordings stay until deleted by hand)."},
	"get-campaign":    {description: "A campaign you are a member of. Campaigns of others answer 404, so their existence does not leak."},
	"put-campaign":    {description: "Replaces the campaign's name, description, game system and settings. GM only. Send If-Match with the version you read to refuse a lost update (409 stale_version).", errs: []int{forbidden}},
	"patch-campaign":  {description: "Changes only the fields sent. GM only. Send If-Match with the version you read to refuse a lost update (409 stale_version).", errs: []int{forbidden}},
	"delete-campaign": {description: "Deletes the campaign with all its characters, locations, plot threads, sessions and transcripts. GM only; cannot be undone.", errs: []int{forbidden}},
	"get-campaign-usage": {description: "What the campaign spent this calendar month (UTC) of its two monthly budgets, and the budgets: language model tokens " +
		"(ai_tokens: prompt and completion of every call made for it, embeddings included, estimated where the model server reports none) and audio " +
		"transcribed (audio_seconds, live and from uploaded recordings). limit is the budget that applies: the server's (GMC_CAMPAIGN_AI_TOKENS_PER_MONTH, " +
		"GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH), or the campaign's own from its settings (ai_tokens_per_month, audio_minutes_per_month) when lower; 0 is " +
		"unlimited. A campaign can lower the server's budgets, never raise them. Once used_up, requests that need the budget answer 429 quota_exceeded " +
		"until resets_at. GM only.", errs: []int{forbidden}},
	"list-events": {description: "The campaign's audit log, newest first: who created, changed or deleted what, with the entity before and after. GM only. Filter by entity or actor.", errs: []int{forbidden}},
	"export-campaign": {description: "The whole campaign as one versioned JSON document (the export bundle, which import-campaign reads back), " +
		"or with `?format=markdown` a readable campaign book as text/markdown. GM only. " +
		"A large campaign (more than 2000 sessions, characters, locations, plot threads and keywords together), or any campaign with `?async=true`, " +
		"is exported by a background job instead: the answer is 202 with `job_id` (and Location: the job). Follow the job at GET /jobs/{job_id} " +
		"(progress and message); once it has succeeded its result names the file (format, file_name, content_type, size_bytes, expires_at) " +
		"and GET /jobs/{job_id}/result downloads it, the same bytes as the answer within the request would have been. " +
		"A server without a job queue always answers within the request.", errs: []int{forbidden}},
	"import-campaign": {description: "Creates a new campaign from a document export-campaign wrote, with fresh ids; you become its GM. " +
		"Members are matched to accounts of this server by email; those without one are reported as skipped. The document is checked whole first, and every problem is named by its path (422). " +
		"A large document (over 4 MiB, or more than 2000 entities of every kind together), or any document sent with `?async=true` or `Prefer: respond-async`, " +
		"is imported by a background job: the document is checked (422) and stored first (413 bundle_too_large when the file store refuses its size), " +
		"then the answer is 202 with `job_id` (and Location: the job; Preference-Applied: respond-async when asked so). " +
		"GET /jobs/{job_id} shows the job to you; once it has succeeded its result holds campaign_id, counts, members and skipped_members. " +
		"The import runs in one transaction, and a retried job makes no second campaign."},

	"list-members":    {description: "The campaign's members with their roles (gm, player, observer)."},
	"set-member-role": {description: "Changes a member's role. GM only. The last GM cannot step down (409 last_gm).", errs: []int{forbidden, conflict}},
	"remove-member":   {description: "Removes a member; anyone may remove themselves (leave). Removing others is GM only. The last GM cannot leave (409 last_gm).", errs: []int{forbidden, conflict}},
	"create-invite":   {description: "Makes an invite code that lets whoever holds it join with the given role, until it expires or has been used max_uses times. GM only.", errs: []int{forbidden}},
	"accept-invite":   {description: "Joins the invite's campaign with the invite's role. An unknown, expired or used-up code answers 404; a member already in the campaign 409 already_member. Attempts per client address are limited (429 with Retry-After).", errs: []int{conflict, http.StatusTooManyRequests}},

	"put-voice-consent": {description: "Answers, for yourself only, whether this campaign may process your voice: live audio and uploaded tracks of a member " +
		"who has not said yes are dropped, never stored or transcribed. The answer shows as voice_consent (null until answered) in the member list; " +
		"it can be changed at any time and each change is in the audit log."},
	"get-session-consent": {description: "The members of the session's campaign with their voice consent (null: not answered), and missing: the user ids " +
		"whose voice will not be processed because they have not said yes. GM only.", errs: []int{forbidden}},

	"list-sessions":  {description: "The campaign's game sessions, scheduled, live and ended, optionally of one status."},
	"create-session": {description: "Schedules a game session. GM only.", errs: []int{forbidden}},
	"request-summary": {description: "Queues the session's summary job and answers its id (202); while one is queued or running for the session, " +
		"that job's id. Ending a session queues one in the same transaction. Built-in mode: scenes split by pauses and topic shifts and " +
		"classified, an extractive recap in two versions (GM and player-safe), entities, plot points, relationship changes and achievements, " +
		"each with the transcript segment ids it came from, and proposals of database updates. With a language model (GMC_LLM_BASE_URL) the recaps are its, " +
		"and their tokens count in the campaign's monthly AI budget: once that is spent the request is refused with 429 quota_exceeded, and a summary job " +
		"that meets a spent budget fails for good without retrying. GM only.", errs: []int{forbidden}},
	"get-summary": {description: "The session's latest summary. GMs get the GM view; players and observers the player view: the player-safe " +
		"recap and only the facts that name nothing GM-only. 404 summary_not_found before the first summary."},
	"list-proposals": {description: "The database updates the session's summary proposes (new NPC, attitude change, plot progress, milestone done, " +
		"achievement, location visited), each with its evidence, optionally of one status. A summary made again never proposes the same " +
		"(kind, target) twice. GM only.", errs: []int{forbidden}},
	"apply-proposal": {description: "Makes the proposed update and marks the proposal applied, in one transaction with audit events for both; " +
		"result names what was written. 409 proposal_decided when it was applied or rejected before. GM only.", errs: []int{forbidden, conflict}},
	"reject-proposal": {description: "Marks the proposal rejected (audited); nothing else changes. 409 proposal_decided when it was decided before. GM only.",
		errs: []int{forbidden, conflict}},
	"approve-summary": {description: "Marks the session's current summary approved (approved_at, approved_by; audited). When the campaign's " +
		"settings name a Discord webhook (discord_auto_post_webhook_id), the player recap's post job is queued in the same transaction and " +
		"discord_job_id names it. A summary approved already is left as it was: approved is false and nothing is posted again. 404 " +
		"summary_not_found without a summary; 409 summary_replaced when the session was summarised again meanwhile. GM only.",
		errs: []int{forbidden, conflict}},
	"get-job": {description: "A background job (a transcription of an upload, a summary…) started by an operation that answered its id: " +
		"state (queued, running, succeeded, failed, cancelled), progress from 0 to 1 with the job's last message, the attempt, " +
		"the error of the last failed attempt (a queued job with an error waits to be tried again), and when finished its result. " +
		"Members of the job's campaign see it; jobs of other campaigns, and GM-only jobs asked for by players, answer 404. " +
		"While the job's session is live, the same is sent on its WebSocket as job.progress; jobs of no session (campaign export and import) are followed here only. " +
		"A campaign import's job is shown to whoever started it until its campaign exists. Finished jobs are kept a week."},
	"get-job-result": {description: "Downloads the file a finished job wrote: the document or campaign book of a campaign export job (export-campaign with 202), " +
		"with its content type and file name. Who may see the job may download it: export jobs are GM only, so players and others answer 404. " +
		"A job of a kind that writes no file answers 404 job_file_not_found; one not (yet) succeeded 409 job_not_succeeded; a file past its " +
		"expires_at (a week, as long as the job is kept) 404 job_file_expired.", errs: []int{conflict}},
	"get-session":    {description: "A game session with its status and times."},
	"patch-session":  {description: "Changes a session's title, schedule or recap. GM only.", errs: []int{forbidden}},
	"delete-session": {description: "Deletes a session that is not live, with its transcript. GM only; a live session must be ended first (409 session_live).", errs: []int{forbidden, conflict}},
	"start-session":  {description: "Makes a scheduled session live: the live table opens and transcript segments may be added. GM only; one live session per campaign (409 session_live), and only a scheduled session starts (409 session_not_scheduled).", errs: []int{forbidden, conflict}},
	"end-session":    {description: "Ends a live session: connected clients get session.ended and the live table closes. GM only; only a live session ends (409 session_not_live).", errs: []int{forbidden, conflict}},

	"list-characters":  {description: "The campaign's characters you may see (players do not see GM-only characters), filtered by type, tag, owner or name."},
	"create-character": {description: "Creates a character. GMs create any character; players create only player characters they own, visible to everyone and without gm_notes.", errs: []int{forbidden}},
	"get-character":    {description: "A character. gm_notes are sent to GMs only; GM-only characters answer 404 to players."},
	"put-character":    {description: "Replaces a character's fields. GMs may change any character; a player only their own PC, and not its type, owner, visibility or gm_notes.", errs: []int{forbidden}},
	"patch-character":  {description: "Changes only the fields sent; `null` empties a free-form object. GMs may change any character; a player only their own PC, and not its type, owner, visibility or gm_notes.", errs: []int{forbidden}},
	"delete-character": {description: "Deletes a character with its relationships and achievements. GM only.", errs: []int{forbidden}},
	"import-dndbeyond-character": {description: "Imports a character from D&D Beyond: give its sheet URL or id (fetched from D&D Beyond's character service; " +
		"the character must be public) or its JSON document as character_json. The sheet D&D Beyond does not store is computed " +
		"(ability scores and modifiers, level and classes, proficiency bonus, max HP, AC, speeds, saving throws, skills, passive Perception, spells, inventory, currency) " +
		"and stored as stats.sheet; the raw document is kept too. A GM imports any character, as a PC with no owner; a player imports their own PC. " +
		"Importing a D&D Beyond character the campaign already holds updates it (GM, or the PC's owner; 200) and lists what changed in `changes` " +
		"(field, old, new); a new character answers 201. Linked characters are re-imported periodically. " +
		"A private character (422 dndbeyond_private), an unknown one (422 dndbeyond_not_found), a document that is no character " +
		"(422 dndbeyond_malformed, or naming body.character_json) and D&D Beyond not answering in time (502 dndbeyond_unavailable) change nothing. " +
		"Fetches from D&D Beyond are limited per account (429 with Retry-After).",
		errs: []int{forbidden, conflict, http.StatusTooManyRequests, http.StatusBadGateway}},
	"get-voice-notes": {description: "How the character is voiced: accent, pitch, catchphrases, as free text."},
	"put-voice-notes": {description: "Replaces the voice notes. GM, or the player who owns the PC.", errs: []int{forbidden}},

	"list-achievements": {description: "The character's achievements, oldest first."},
	"award-achievement": {description: "Awards the character an achievement, optionally in one of the campaign's sessions. GM only.", errs: []int{forbidden}},

	"list-relationships": {description: "Relationships from and to the character that you may see, each with its history of changes."},
	"create-relationship": {description: "Relates the character to another of the same campaign with a kind (ally, enemy, family… or a lower-case word of your own) and an attitude. " +
		"mutual creates the reverse edge too. GM only; one relationship per kind and direction (409 duplicate_relationship).", errs: []int{forbidden, conflict}},
	"get-relationship":    {description: "A relationship with its history."},
	"put-relationship":    {description: "Replaces a relationship's kind, attitude, description and visibility; the change is kept in its history. GM only.", errs: []int{forbidden, conflict}},
	"patch-relationship":  {description: "Changes only the fields sent; the change is kept in its history. GM only.", errs: []int{forbidden, conflict}},
	"delete-relationship": {description: "Deletes a relationship, both edges when it is mutual. GM only.", errs: []int{forbidden}},
	"get-graph":           {description: "The characters and relationships around a center character, up to depth steps away, as nodes and edges. Players see only what is visible to them."},
	"get-graph-path":      {description: "A shortest chain of relationships from one character to another, as nodes and edges; 404 when none connects them."},

	"ingest-segments": {description: "Adds text segments from an outside speech recogniser to a live session's transcript. Each is shown on the live table (transcript.segment) " +
		"and goes through keyword detection (keyword.alert). GM only; the session must be live (409 session_not_live).", errs: []int{forbidden, conflict}},
	"get-transcript": {description: "Pages through a session's transcript in order; after_seq continues where the last page ended."},
	"get-speakers":   {description: "Who each diarization label of the session's transcript is: a member, a character, or just a name."},
	"put-speakers":   {description: "Maps diarization labels to members and characters of the campaign. GM only.", errs: []int{forbidden}},

	"upload-audio": {description: "Uploads a recording of the session as multipart/form-data (field file): WAV (8/16/24/32-bit integer or 32/64-bit float, any rate and " +
		"channel count), FLAC, Ogg Vorbis, or a zip of per-speaker tracks in those formats (Craig style: one file per speaker, named after them, e.g. 1-alice.flac). " +
		"The whole file is decoded before anything is stored: a broken one answers 400 (malformed_audio, truncated_audio, no_audio), an unsupported format 415 " +
		"(unsupported_audio), one over the limits 413 (audio_too_large, zip_bomb), each naming body.file. An accepted one answers 202 with the recording and " +
		"the id of the background job that transcribes it (GET /jobs/{job_id}; job.progress on the session's socket, GM only). A single file is one shared " +
		"microphone, its speakers told apart by diarization; a zip's tracks are labelled by their file names. A track, or a diarized speaker, mapped to a " +
		"member who has not consented to voice processing is left out, never transcribed. The recording is kept afterwards only when the campaign's " +
		"settings.keep_recordings says so. The speech recognised counts in the campaign's monthly audio budget: once that is spent, uploads are refused " +
		"with 429 quota_exceeded (budget audio_seconds, resets_at, Retry-After) and queued transcriptions fail for good; a recording that starts within " +
		"the budget is transcribed whole. GM only; 503 speech_unavailable when this server has no speech-to-text (GMC_STT).",
		errs: []int{forbidden, http.StatusUnsupportedMediaType}},
	"list-recordings": {description: "The session's recordings, oldest first, with their size, length, tracks and the time the retention " +
		"purge deletes each (delete_after; absent when kept until deleted by hand). GM only.", errs: []int{forbidden}},
	"delete-recording": {description: "Deletes a recording and its audio in the file store. GM only; " +
		"a recording of a campaign you are not in answers 404.", errs: []int{forbidden}},
	"get-recording-audio": {description: "The recording's audio as it was uploaded, with its content type, as a download. GM only; " +
		"a recording of a campaign you are not in answers 404.", errs: []int{forbidden}},

	"create-discord-webhook": {description: "Registers a Discord channel webhook for the campaign's recaps. url is the webhook URL Discord shows in the channel's " +
		"integration settings: https, on discord.com or discordapp.com (or their ptb. and canary. hosts), with the path /api/webhooks/{id}/{token}; a URL of " +
		"another shape answers 422 naming body.url, without repeating it. The token is sealed with a key derived from the server's secret key and " +
		"is never shown or logged again: answers carry the webhook's Discord id and token_hint, its last characters. Requests go to the server's " +
		"Discord API (GMC_DISCORD_API_URL), whatever host the URL named. GM only; the same webhook twice in a campaign answers 409 webhook_exists.",
		errs: []int{forbidden, conflict}},
	"list-discord-webhooks": {description: "The campaign's Discord webhooks, oldest first, without their tokens. gone_at is set once Discord said the webhook " +
		"no longer exists. GM only.", errs: []int{forbidden}},
	"delete-discord-webhook": {description: "Forgets a Discord webhook and its sealed token (the webhook itself stays on Discord). GM only.", errs: []int{forbidden}},
	"post-session-discord": {description: "Queues a background job (202 with its job_id; GET /jobs/{job_id}) that posts the session's player-safe recap " +
		"through one of the campaign's webhooks: webhook_id, or the campaign's only webhook when left out. The recap is sent as embeds within " +
		"Discord's limits, split over several messages when longer, and pings no one. Each message is confirmed by Discord and recorded before the " +
		"next, so a job tried again never posts a part twice. Discord's rate limits are waited out; its server errors are tried again; a refusal " +
		"(a webhook Discord no longer knows: then marked gone) fails the job with Discord's message. GM only; a gone webhook answers 409 webhook_gone; " +
		"503 discord_unavailable without a Discord client.", errs: []int{forbidden, conflict, http.StatusServiceUnavailable}},
	"list-discord-guilds": {description: "The guilds (servers) the server's Discord bot is in, as Discord describes them (id, name, icon, owner, " +
		"permissions as a string bit field, features). 503 discord_bot_unavailable when no bot token is configured (GMC_DISCORD_BOT_TOKEN); " +
		"502 discord_failed when Discord refuses the token or does not answer; 429 while Discord rate-limits the bot for longer than the server waits.",
		errs: []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable}},
	"upload-file": {description: "Uploads a file as multipart/form-data: file, kind (portrait, map, recording or handout), at most one of " +
		"character_id (portraits), location_id (maps) or session_id (recordings), and visibility (gm or players; default gm for recordings, players for the rest). " +
		"The type is read from the content, never from the name or the declared type: png, jpeg, webp, gif (portraits, maps, handouts), " +
		"pdf (maps, handouts), wav, flac, ogg, mp3 (recordings, handouts); anything else is 415 (code unsupported_file_type). " +
		"A file over the server's size limit is 413 (file_too_large), one that does not fit the campaign's quota 413 (quota_exceeded). " +
		"When the server scans uploads for viruses, an infected file is 422 (file_infected) and an unreachable scanner 503 " +
		"(virus_scanner_unavailable); nothing is stored either way. GMs upload anything; players handouts and portraits of their own " +
		"characters, visible to players; observers nothing.", errs: []int{forbidden, http.StatusNotFound, http.StatusUnsupportedMediaType}},
	"list-files": {description: "The campaign's files you may see, oldest first, optionally of one kind or attached to one character, " +
		"location or session. Players and observers see files visible to players attached to what they can see."},
	"get-file": {description: "The file's content with the type found in it, X-Content-Type-Options: nosniff, an ETag (its SHA-256) " +
		"and Range support; images are shown inline, everything else downloaded. A file you may not see answers 404."},
	"delete-file": {description: "Deletes a file and its content. The campaign's GMs, or the member who uploaded it.", errs: []int{forbidden}},

	"list-reference":   {description: "SRD rules entries (spells, monsters, conditions, items), one page at a time, optionally of one kind. Empty until `gmc reference import` ran."},
	"get-reference":    {description: "One SRD entry with its card: the facts a GM needs at the table, and the licence statement."},
	"search-reference": {description: "Searches the SRD entries by name and text, forgiving typos, sound-alikes and split or joined words. q is required."},

	"list-keywords":     {description: "The campaign's custom keywords you may see: terms the live keyword detection listens for besides entity names and SRD terms."},
	"create-keyword":    {description: "Adds a custom term to the live keyword dictionary. GM only; a term exists once per campaign (409 keyword_exists).", errs: []int{forbidden, conflict}},
	"get-keyword":       {description: "A custom keyword."},
	"put-keyword":       {description: "Replaces a custom keyword's fields. GM only.", errs: []int{forbidden, conflict}},
	"patch-keyword":     {description: "Changes only the fields sent. GM only.", errs: []int{forbidden, conflict}},
	"delete-keyword":    {description: "Deletes a custom keyword. GM only.", errs: []int{forbidden}},
	"list-keyword-hits": {description: "Keyword hits detected in a session's transcript, in order: terms and rule phrases (dice, DCs, damage, conditions). Players do not see hits about GM-only content."},

	"search-campaign": {description: "Searches a campaign's characters, locations, plot threads and sessions you may see, forgiving typos, sound-alikes and split or joined words, " +
		"best match first, with a count per type. q is required."},

	"list-locations":  {description: "The location tree: its roots, the children of one location (?parent_id=), or everything in tree order (?flat=true). Players do not see GM-only locations or anything below them."},
	"create-location": {description: "Creates a location, at the top or below a parent. GM only; the tree is at most 32 levels deep (409 location_too_deep).", errs: []int{forbidden, conflict}},
	"get-location":    {description: "A location with its breadcrumb (the path from the root) and how many children you may see."},
	"put-location":    {description: "Replaces a location's fields. GM only.", errs: []int{forbidden}},
	"patch-location":  {description: "Changes only the fields sent; `null` resets a free-form object to {}. GM only.", errs: []int{forbidden}},
	"delete-location": {description: "Deletes a location. One with children only with ?cascade=true, which deletes its whole subtree (else 409 location_has_children). GM only.", errs: []int{forbidden, conflict}},
	"move-location":   {description: "Moves a location with its subtree below another location, or to the top. GM only; refused when it would put a location below itself (409 location_cycle) or make the tree too deep (409 location_too_deep).", errs: []int{forbidden, conflict}},

	"list-plots":             {description: "The campaign's plot threads you may see, filtered by status or by a character or location involved."},
	"create-plot":            {description: "Creates a plot thread. GM only.", errs: []int{forbidden}},
	"plot-reminders":         {description: "Hooks, active threads and foreshadowing that have not been touched for the campaign's settings.reminder_sessions sessions. GM only.", errs: []int{forbidden}},
	"get-plot":               {description: "A plot thread with its foreshadowing (players see only revealed, visible hints)."},
	"put-plot":               {description: "Replaces a plot thread's fields. GM only.", errs: []int{forbidden}},
	"patch-plot":             {description: "Changes only the fields sent. GM only.", errs: []int{forbidden}},
	"delete-plot":            {description: "Deletes a plot thread with its dependencies and foreshadowing. GM only.", errs: []int{forbidden}},
	"put-plot-progress":      {description: "Records progress, a status change and optionally a milestone, in one of the campaign's sessions. GM only.", errs: []int{forbidden}},
	"get-plot-status":        {description: "A plot thread's status, progress, milestones and the threads that block it."},
	"get-plot-dependencies":  {description: "The threads this one waits on (upstream) and the threads that wait on it (downstream), with their depth."},
	"add-plot-dependency":    {description: "Makes the thread depend on another of the same campaign. GM only; refused when it exists (409 dependency_exists) or would close a cycle (409 dependency_cycle, naming it).", errs: []int{forbidden, conflict}},
	"remove-plot-dependency": {description: "Removes a dependency. GM only.", errs: []int{forbidden}},
	"plant-foreshadowing":    {description: "Plants a hint for the thread, optionally in one of the campaign's sessions. GM only.", errs: []int{forbidden}},
	"patch-foreshadowing":    {description: "Reveals a hint (or changes it). GM only.", errs: []int{forbidden}},
	"delete-foreshadowing":   {description: "Deletes a hint. GM only.", errs: []int{forbidden}},

	"generate-npc": {description: "Drafts an NPC from the campaign's state: a name from a Markov chain of its naming culture styled by the campaign's own names (never one the campaign has), " +
		"ancestry, occupation, appearance, personality, ideal, bond, flaw, motivation, a secret (GM only) and a voice for voice_notes. hints steer it. " +
		"The same ?seed= with the same campaign state gives the same draft. With ?save=true the NPC is stored (GM-only; the secret in gm_notes) and the answer is 201 with it. GM only." + llmMode,
		errs: aiErrs},
	"generate-location": {description: "Drafts a location of a type — a name from the type's grammar, features, named inhabitants and hooks, some tied to the campaign's open threads — " +
		"below parent_id when given (404 parent_not_found when it is not a location of the campaign). With ?save=true the location and its named inhabitants (as NPCs) " +
		"are stored in one transaction and the answer is 201 with them. GM only." + llmMode, errs: aiErrs},
	"generate-encounter": {description: "Searches the imported SRD monsters for a set whose adjusted XP (XP × the multiplier for the number of monsters, shifted for the party's size) " +
		"falls between the party's threshold for the difficulty and the next one's (deadly: up to 1.5 × its threshold), themed by location_id's type when a themed set fits. " +
		"Answers the monsters with counts, XP, adjusted XP, thresholds and the difficulty reached. A party too strong for any set is a 422 encounter_out_of_reach saying what was needed; " +
		"no imported monsters is a 409 no_bestiary. GM only. With GMC_LLM_BASE_URL set the rules still choose the monsters and a language model adds flavour " +
		"(title, read-aloud text, terrain, tactics, a twist); when the model fails the rules' encounter is answered without it and notes say why.", errs: []int{forbidden, conflict}},
	"plot-hooks": {description: "Suggests plot hooks from the campaign's state — open threads, what NPCs want (a motivation or goal in notes or gm_notes), unrevealed foreshadowing, " +
		"relationships with a negative attitude — most pressing first, each citing the entities it is built from. With ?save=true each is stored as a GM-only plot thread " +
		"with status hook, in one transaction, and the answer is 201. GM only." + llmMode, errs: aiErrs},

	"create-ws-ticket": {description: "A one-time ticket, valid 30 seconds, to open the session's WebSocket from a browser (which cannot send an Authorization header): " +
		"`GET /api/v1/sessions/{session_id}/ws?ticket=…`. The protocol is described in /api/v1/asyncapi.json. The session must be live (409 session_not_live).", errs: []int{conflict}},
}

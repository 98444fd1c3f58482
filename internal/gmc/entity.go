package gmc

// Entity types name what an audit event, an entity.changed message, a
// keyword card or a search result is about. Clients filter on them, so
// they are part of the API and never change.
const (
	EntityCampaign       = "campaign"
	EntityMember         = "member"
	EntityInvite         = "invite"
	EntitySession        = "session"
	EntityTranscript     = "transcript"
	EntitySpeakers       = "speakers"
	EntityCharacter      = "character"
	EntityAchievement    = "achievement"
	EntityRelationship   = "relationship"
	EntityLocation       = "location"
	EntityPlot           = "plot"
	EntityPlotDependency = "plot_dependency"
	EntityForeshadowing  = "foreshadowing"
	EntityKeyword        = "keyword"
	EntityRecording      = "recording"
	EntityProposal       = "proposal"
	EntityFile           = "file"
	EntityDiscordWebhook = "discord_webhook"
	// EntityReference is an SRD entry: it has cards, never audit events.
	EntityReference = "reference"
)

// AuditedEntityTypes lists, in order, every entity type the audit log
// records events about.
var AuditedEntityTypes = []string{
	EntityAchievement, EntityCampaign, EntityCharacter, EntityDiscordWebhook, EntityFile, EntityForeshadowing, EntityInvite, EntityKeyword,
	EntityLocation, EntityMember, EntityPlot, EntityPlotDependency, EntityProposal, EntityRecording, EntityRelationship, EntitySession,
	EntitySpeakers, EntityTranscript,
}

package httpapi

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// routes lists every API operation: the whole v1 surface in one place.
func (a *api) routes(h huma.API) {
	const get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete

	register(h, public(operation(post, "/auth/register", "register", "Create an account", "auth")), a.handleRegister, a)
	register(h, withStatus(public(operation(post, "/auth/login", "login", "Log in and get tokens", "auth")), http.StatusOK), a.handleLogin, a)
	register(h, withStatus(public(operation(post, "/auth/refresh", "refresh", "Trade a refresh token for a new pair", "auth")), http.StatusOK), a.handleRefresh, a)
	register(h, withStatus(public(operation(post, "/auth/logout", "logout", "Revoke a refresh token's family", "auth")), http.StatusNoContent), a.handleLogout, a)

	register(h, operation(get, "/users/me", "get-me", "Your account", "users"), a.handleMeGet, a)
	register(h, operation(patch, "/users/me", "patch-me", "Change your account", "users"), a.handleMePatch, a)
	register(h, operation(get, "/users/me/export", "export-me", "All your data as JSON", "users"), a.handleMeExport, a)
	register(h, operation(del, "/users/me", "delete-me", "Delete your account", "users"), a.handleMeDelete, a)

	register(h, operation(get, "/campaigns", "list-campaigns", "Your campaigns", "campaigns"), a.handleCampaignList, a)
	register(h, operation(post, "/campaigns", "create-campaign", "Create a campaign (you become its GM)", "campaigns"), a.handleCampaignCreate, a)
	register(h, operation(get, "/campaigns/{campaign_id}", "get-campaign", "A campaign", "campaigns"), a.handleCampaignGet, a)
	register(h, operation(put, "/campaigns/{campaign_id}", "put-campaign", "Replace a campaign's fields", "campaigns"), a.handleCampaignPut, a)
	register(h, operation(patch, "/campaigns/{campaign_id}", "patch-campaign", "Change some of a campaign's fields", "campaigns"), a.handleCampaignPatch, a)
	register(h, operation(del, "/campaigns/{campaign_id}", "delete-campaign", "Delete a campaign and everything in it", "campaigns"), a.handleCampaignDelete, a)
	register(h, operation(get, "/campaigns/{campaign_id}/events", "list-events", "The campaign's audit log (GM only)", "campaigns"), a.handleEventList, a)

	register(h, operation(get, "/campaigns/{campaign_id}/members", "list-members", "Members and their roles", "members"), a.handleMemberList, a)
	register(h, operation(put, "/campaigns/{campaign_id}/members/{user_id}", "set-member-role", "Change a member's role (GM only)", "members"), a.handleMemberPut, a)
	register(h, operation(del, "/campaigns/{campaign_id}/members/{user_id}", "remove-member", "Remove a member, or leave", "members"), a.handleMemberDelete, a)
	register(h, operation(post, "/campaigns/{campaign_id}/invites", "create-invite", "Make an invite code (GM only)", "members"), a.handleInviteCreate, a)
	register(h, withStatus(operation(post, "/invites/{code}/accept", "accept-invite", "Join a campaign with an invite code", "members"), http.StatusOK), a.handleInviteAccept, a)

	a.sessionRoutes(h)
	a.characterRoutes(h)
	a.achievementRoutes(h)
	a.relationshipRoutes(h)
	a.graphRoutes(h)
	a.transcriptRoutes(h)
	a.referenceRoutes(h)
	a.keywordRoutes(h)
	a.searchRoutes(h)
	a.locationRoutes(h)
	a.plotRoutes(h)
	a.bundleRoutes(h)
}

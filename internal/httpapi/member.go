package httpapi

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

func (a *api) handleMemberList(ctx context.Context, uid string, in *CampaignPath) (*ListOutput[*gmc.Member], error) {
	members, err := a.svc.Members(ctx, uid, in.CampaignID)
	if err != nil {
		return nil, err
	}
	return list(members, ""), nil
}

// MemberPath names one member of a campaign. It is exported because huma
// skips parameters of unexported embedded structs.
type MemberPath struct {
	CampaignID string `path:"campaign_id" format:"uuid" doc:"Campaign id"`
	UserID     string `path:"user_id" format:"uuid" doc:"Member's user id"`
}

type memberPutInput struct {
	MemberPath
	Body struct {
		Role gmc.Role `json:"role" enum:"gm,player,observer"`
	}
}

// MemberOutput answers with one member.
type MemberOutput struct {
	Body *gmc.Member
}

func (a *api) handleMemberPut(ctx context.Context, uid string, in *memberPutInput) (*MemberOutput, error) {
	m, err := a.svc.SetMemberRole(ctx, uid, in.CampaignID, in.UserID, in.Body.Role)
	if err != nil {
		return nil, err
	}
	return &MemberOutput{Body: m}, nil
}

func (a *api) handleMemberDelete(ctx context.Context, uid string, in *MemberPath) (*struct{}, error) {
	return nil, a.svc.RemoveMember(ctx, uid, in.CampaignID, in.UserID)
}

type inviteCreateInput struct {
	CampaignPath
	Body struct {
		Role      gmc.Role `json:"role,omitempty" enum:"gm,player,observer" default:"player"`
		ExpiresIn int      `json:"expires_in,omitempty" minimum:"60" maximum:"7776000" doc:"Seconds until the code expires (default a week)"`
		MaxUses   int      `json:"max_uses,omitempty" minimum:"1" maximum:"1000" doc:"How many people may use the code (default 1)"`
	}
}

// InviteOutput answers with a new invite code.
type InviteOutput struct {
	Body *gmc.Invite
}

func (a *api) handleInviteCreate(ctx context.Context, uid string, in *inviteCreateInput) (*InviteOutput, error) {
	inv, err := a.svc.CreateInvite(ctx, uid, in.CampaignID, service.InviteParams{Role: in.Body.Role, ExpiresIn: time.Duration(in.Body.ExpiresIn) * time.Second, MaxUses: in.Body.MaxUses})
	if err != nil {
		return nil, err
	}
	return &InviteOutput{Body: inv}, nil
}

type inviteAcceptInput struct {
	Code string `path:"code" maxLength:"64"`
}

func (a *api) handleInviteAccept(ctx context.Context, uid string, in *inviteAcceptInput) (*MemberOutput, error) {
	m, err := a.svc.AcceptInvite(ctx, uid, in.Code, info(ctx).clientIP)
	if err != nil {
		return nil, err
	}
	return &MemberOutput{Body: m}, nil
}

type voiceConsentInput struct {
	CampaignPath
	Body struct {
		Consent bool `json:"consent" doc:"true lets the campaign process your voice; false withdraws that"`
	}
}

func (a *api) handleVoiceConsentPut(ctx context.Context, uid string, in *voiceConsentInput) (*MemberOutput, error) {
	m, err := a.svc.SetVoiceConsent(ctx, uid, in.CampaignID, in.Body.Consent)
	if err != nil {
		return nil, err
	}
	return &MemberOutput{Body: m}, nil
}

// ConsentOutput answers with the voice consent of a session's players.
type ConsentOutput struct {
	Body *gmc.ConsentReport
}

func (a *api) handleSessionConsent(ctx context.Context, uid string, in *SessionPath) (*ConsentOutput, error) {
	r, err := a.svc.SessionConsent(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	return &ConsentOutput{Body: r}, nil
}

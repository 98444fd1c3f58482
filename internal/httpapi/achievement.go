package httpapi

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

type achievementListInput struct {
	CharacterPath
	PageInput
}

func (a *api) handleAchievementList(ctx context.Context, uid string, in *achievementListInput) (*ListOutput[*gmc.Achievement], error) {
	items, next, err := a.svc.Achievements(ctx, uid, in.CharacterID, in.page())
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

type achievementCreateInput struct {
	CharacterPath
	Body struct {
		Title       string    `json:"title" maxLength:"255" example:"Slew the Red Dragon"`
		Description string    `json:"description,omitempty" maxLength:"100000"`
		SessionID   *string   `json:"session_id,omitempty" format:"uuid" nullable:"true" doc:"The game session it was earned in"`
		AwardedAt   time.Time `json:"awarded_at,omitzero" doc:"When it was earned; now by default"`
	}
}

// AchievementOutput answers with one achievement.
type AchievementOutput struct {
	Body *gmc.Achievement
}

func (a *api) handleAchievementCreate(ctx context.Context, uid string, in *achievementCreateInput) (*AchievementOutput, error) {
	b := in.Body
	ach, err := a.svc.AwardAchievement(ctx, uid, in.CharacterID, service.AchievementParams{Title: b.Title, Description: b.Description, SessionID: b.SessionID, AwardedAt: b.AwardedAt})
	if err != nil {
		return nil, err
	}
	return &AchievementOutput{Body: ach}, nil
}

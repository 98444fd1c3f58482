package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AchievementStore keeps the achievements awarded to characters.
type AchievementStore interface {
	// CreateAchievement inserts a. ErrNotFound when its character (in its
	// campaign) or its session does not exist.
	CreateAchievement(ctx context.Context, a *gmc.Achievement, ev *gmc.Event) error
	// Achievements lists a character's achievements in award order and
	// the next page's cursor.
	Achievements(ctx context.Context, characterID string, page gmc.Page) ([]*gmc.Achievement, string, error)
	// MemberAchievements is Achievements with userID's role, the character
	// and userID's membership of its campaign read in the list's statement
	// (only an empty page costs a second one). ErrNotFound when the
	// character does not exist, userID is not in its campaign, or it is
	// GM-only and userID no GM.
	MemberAchievements(ctx context.Context, userID, characterID string, page gmc.Page) ([]*gmc.Achievement, string, gmc.Role, error)
}

package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/service"
)

// RegisterDiscordPost registers the job that posts a session's recap to
// Discord through a webhook (service.DiscordPostArgs). Each message is
// recorded as Discord confirms it, so a try that fails part-way is
// followed by one that posts only the rest. A refusal Discord will repeat
// (a 4xx, a webhook that is gone) fails the job at once; a rate limit
// longer than the client waits hands it back for that long; anything else
// (Discord's 5xx after the client's own retries, a lost connection) is
// tried again with the queue's backoff.
func RegisterDiscordPost(q *Queue, svc *service.Service) error {
	work := func(ctx context.Context, job *Job[service.DiscordPostArgs]) error {
		_ = Progress(ctx, 0, "posting to Discord")
		res, err := svc.RunDiscordPost(ctx, job.ID, job.Args, func(done, total int) {
			_ = Progress(ctx, float64(done)/float64(total), "posting to Discord")
		})
		var rl *discord.RateLimitError
		switch {
		case err == nil:
			return SetResult(ctx, res)
		case discord.Permanent(err):
			return Fail(ctx, err)
		case errors.As(err, &rl):
			return Later(rl.RetryAfter)
		}
		return err
	}
	return Register(q, work, WorkerOpts{Timeout: 10 * time.Minute})
}

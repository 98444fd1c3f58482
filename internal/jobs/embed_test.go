package jobs_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/embedtest"
	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// TestEmbedWaitsForTheAIBudget: a campaign that has spent its AI budget
// embeds nothing; its job waits, neither failing nor retrying, and while
// it waits the poller's enqueue adds no other.
func TestEmbedWaitsForTheAIBudget(t *testing.T) {
	t.Parallel()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "gmc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := jobs.SQLite(db.Writer())
	if _, err := jobs.Migrate(context.Background(), b, nil); err != nil {
		t.Fatal(err)
	}
	srv := embedtest.Start(t)
	emb, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "bow", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int32
	spent := func(_ context.Context, campaignID string) error {
		asked.Add(1)
		return &gmc.QuotaError{Budget: gmc.BudgetAITokens, Month: "2026-12", Used: 10, Limit: 10,
			ResetsAt: time.Now().Add(time.Hour), RetryAfterSeconds: 3600}
	}
	q := startQueue(t, b, nil, func(q *jobs.Queue) error { return jobs.RegisterEmbed(q, db, emb, "bow", spent) })
	opts := jobs.EnqueueOpts{CampaignID: "c1", GMOnly: true, Unique: true}
	id, err := q.Enqueue(context.Background(), jobs.EmbedArgs{CampaignID: "c1"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, q, id, "asked its budget and put back", func(j *gmc.Job) bool { return asked.Load() > 0 && j.State == gmc.JobQueued })
	time.Sleep(200 * time.Millisecond) // a few polls: it must stay put
	if j, err := q.Job(context.Background(), id); err != nil || j.State != gmc.JobQueued || asked.Load() != 1 {
		t.Errorf("job over budget = %+v, %v after %d budget checks; want it waiting, asked once", j, err, asked.Load())
	}
	if again, err := q.Enqueue(context.Background(), jobs.EmbedArgs{CampaignID: "c1"}, opts); err != nil || again != id {
		t.Errorf("enqueue while it waits = %s, %v; want the waiting job %s", again, err, id)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("the embeddings server was asked %d times over budget", n)
	}
}

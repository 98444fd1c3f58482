package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// errBroken stands for the database or the file store failing at one
// step of a use case.
var errBroken = errors.New("broken on purpose")

// breakage names the one operation of a brokenStore or brokenBlobs that
// fails; shared by a store and the transactions it hands out.
type breakage struct {
	mu sync.Mutex
	op string
}

// set makes op fail from now on; "" mends.
func (b *breakage) set(op string) {
	b.mu.Lock()
	b.op = op
	b.mu.Unlock()
}

func (b *breakage) fail(op string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.op == op {
		return errBroken
	}
	return nil
}

// brokenStore is a store whose operation named in its breakage fails
// with errBroken, in transactions too: the database failing at that step
// while everything before it worked. Only the operations the tests break
// are wrapped.
type brokenStore struct {
	store.Store
	*breakage
}

func newBrokenStore(st store.Store) brokenStore { return brokenStore{Store: st, breakage: &breakage{}} }

func (b brokenStore) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return b.Store.InTx(ctx, func(tx store.Store) error { return fn(brokenStore{Store: tx, breakage: b.breakage}) })
}

func (b brokenStore) Session(ctx context.Context, id string) (*gmc.GameSession, error) {
	if err := b.fail("Session"); err != nil {
		return nil, err
	}
	return b.Store.Session(ctx, id)
}

func (b brokenStore) Campaign(ctx context.Context, id string) (*gmc.Campaign, error) {
	if err := b.fail("Campaign"); err != nil {
		return nil, err
	}
	return b.Store.Campaign(ctx, id)
}

func (b brokenStore) User(ctx context.Context, id string) (*gmc.User, error) {
	if err := b.fail("User"); err != nil {
		return nil, err
	}
	return b.Store.User(ctx, id)
}

func (b brokenStore) UserByEmail(ctx context.Context, email string) (*gmc.User, error) {
	if err := b.fail("UserByEmail"); err != nil {
		return nil, err
	}
	return b.Store.UserByEmail(ctx, email)
}

func (b brokenStore) Member(ctx context.Context, campaignID, userID string) (*gmc.Member, error) {
	if err := b.fail("Member"); err != nil {
		return nil, err
	}
	return b.Store.Member(ctx, campaignID, userID)
}

func (b brokenStore) Members(ctx context.Context, campaignID string) ([]*gmc.Member, error) {
	if err := b.fail("Members"); err != nil {
		return nil, err
	}
	return b.Store.Members(ctx, campaignID)
}

func (b brokenStore) AddMember(ctx context.Context, m *gmc.Member, ev *gmc.Event) error {
	if err := b.fail("AddMember"); err != nil {
		return err
	}
	return b.Store.AddMember(ctx, m, ev)
}

func (b brokenStore) Events(ctx context.Context, f store.EventFilter) ([]*gmc.Event, string, error) {
	if err := b.fail("Events"); err != nil {
		return nil, "", err
	}
	return b.Store.Events(ctx, f)
}

func (b brokenStore) Sessions(ctx context.Context, f store.SessionFilter) ([]*gmc.GameSession, string, error) {
	if err := b.fail("Sessions"); err != nil {
		return nil, "", err
	}
	return b.Store.Sessions(ctx, f)
}

func (b brokenStore) CreateSession(ctx context.Context, s *gmc.GameSession, ev *gmc.Event) error {
	if err := b.fail("CreateSession"); err != nil {
		return err
	}
	return b.Store.CreateSession(ctx, s, ev)
}

func (b brokenStore) DeleteSession(ctx context.Context, id string, ev *gmc.Event) error {
	if err := b.fail("DeleteSession"); err != nil {
		return err
	}
	return b.Store.DeleteSession(ctx, id, ev)
}

func (b brokenStore) Characters(ctx context.Context, f store.CharacterFilter) ([]*gmc.Character, string, error) {
	if err := b.fail("Characters"); err != nil {
		return nil, "", err
	}
	return b.Store.Characters(ctx, f)
}

func (b brokenStore) Character(ctx context.Context, id string) (*gmc.Character, error) {
	if err := b.fail("Character"); err != nil {
		return nil, err
	}
	return b.Store.Character(ctx, id)
}

func (b brokenStore) CreateCharacters(ctx context.Context, cs []*gmc.Character, ev *gmc.Event) error {
	if err := b.fail("CreateCharacters"); err != nil {
		return err
	}
	return b.Store.CreateCharacters(ctx, cs, ev)
}

func (b brokenStore) CampaignAchievements(ctx context.Context, campaignID string) ([]*gmc.Achievement, error) {
	if err := b.fail("CampaignAchievements"); err != nil {
		return nil, err
	}
	return b.Store.CampaignAchievements(ctx, campaignID)
}

func (b brokenStore) CreateAchievement(ctx context.Context, a *gmc.Achievement, ev *gmc.Event) error {
	if err := b.fail("CreateAchievement"); err != nil {
		return err
	}
	return b.Store.CreateAchievement(ctx, a, ev)
}

func (b brokenStore) CampaignRelationships(ctx context.Context, campaignID string) ([]*gmc.Relationship, error) {
	if err := b.fail("CampaignRelationships"); err != nil {
		return nil, err
	}
	return b.Store.CampaignRelationships(ctx, campaignID)
}

func (b brokenStore) Locations(ctx context.Context, f store.LocationFilter) ([]*gmc.Location, string, error) {
	if err := b.fail("Locations"); err != nil {
		return nil, "", err
	}
	return b.Store.Locations(ctx, f)
}

func (b brokenStore) CreateLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error {
	if err := b.fail("CreateLocation"); err != nil {
		return err
	}
	return b.Store.CreateLocation(ctx, l, ev)
}

func (b brokenStore) Plots(ctx context.Context, f store.PlotFilter) ([]*gmc.PlotThread, string, error) {
	if err := b.fail("Plots"); err != nil {
		return nil, "", err
	}
	return b.Store.Plots(ctx, f)
}

func (b brokenStore) CreatePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error {
	if err := b.fail("CreatePlot"); err != nil {
		return err
	}
	return b.Store.CreatePlot(ctx, p, ev)
}

func (b brokenStore) CampaignPlotDependencies(ctx context.Context, campaignID string) ([]*gmc.PlotDependency, error) {
	if err := b.fail("CampaignPlotDependencies"); err != nil {
		return nil, err
	}
	return b.Store.CampaignPlotDependencies(ctx, campaignID)
}

func (b brokenStore) AddPlotDependency(ctx context.Context, d *gmc.PlotDependency, ev *gmc.Event) error {
	if err := b.fail("AddPlotDependency"); err != nil {
		return err
	}
	return b.Store.AddPlotDependency(ctx, d, ev)
}

func (b brokenStore) Foreshadowings(ctx context.Context, plotID string, forPlayers bool) ([]*gmc.Foreshadowing, error) {
	if err := b.fail("Foreshadowings"); err != nil {
		return nil, err
	}
	return b.Store.Foreshadowings(ctx, plotID, forPlayers)
}

func (b brokenStore) CreateForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error {
	if err := b.fail("CreateForeshadowing"); err != nil {
		return err
	}
	return b.Store.CreateForeshadowing(ctx, f, ev)
}

func (b brokenStore) Keywords(ctx context.Context, f store.KeywordFilter) ([]*gmc.Keyword, string, error) {
	if err := b.fail("Keywords"); err != nil {
		return nil, "", err
	}
	return b.Store.Keywords(ctx, f)
}

func (b brokenStore) CreateKeyword(ctx context.Context, k *gmc.Keyword, ev *gmc.Event) error {
	if err := b.fail("CreateKeyword"); err != nil {
		return err
	}
	return b.Store.CreateKeyword(ctx, k, ev)
}

func (b brokenStore) KeywordHits(ctx context.Context, f store.KeywordHitFilter) ([]*gmc.KeywordHit, string, error) {
	if err := b.fail("KeywordHits"); err != nil {
		return nil, "", err
	}
	return b.Store.KeywordHits(ctx, f)
}

func (b brokenStore) Speakers(ctx context.Context, sessionID string) ([]gmc.Speaker, error) {
	if err := b.fail("Speakers"); err != nil {
		return nil, err
	}
	return b.Store.Speakers(ctx, sessionID)
}

func (b brokenStore) SetSpeakers(ctx context.Context, sessionID string, speakers []gmc.Speaker, ev *gmc.Event) error {
	if err := b.fail("SetSpeakers"); err != nil {
		return err
	}
	return b.Store.SetSpeakers(ctx, sessionID, speakers, ev)
}

func (b brokenStore) Segments(ctx context.Context, f store.SegmentFilter) ([]*gmc.TranscriptSegment, bool, error) {
	if err := b.fail("Segments"); err != nil {
		return nil, false, err
	}
	return b.Store.Segments(ctx, f)
}

func (b brokenStore) AppendSegments(ctx context.Context, segs []*gmc.TranscriptSegment, ev *gmc.Event) error {
	if err := b.fail("AppendSegments"); err != nil {
		return err
	}
	return b.Store.AppendSegments(ctx, segs, ev)
}

func (b brokenStore) SaveSummary(ctx context.Context, s *gmc.SessionSummary, proposals []*gmc.Proposal) ([]*gmc.Proposal, error) {
	if err := b.fail("SaveSummary"); err != nil {
		return nil, err
	}
	return b.Store.SaveSummary(ctx, s, proposals)
}

func (b brokenStore) SessionSummary(ctx context.Context, sessionID string) (*gmc.SessionSummary, error) {
	if err := b.fail("SessionSummary"); err != nil {
		return nil, err
	}
	return b.Store.SessionSummary(ctx, sessionID)
}

func (b brokenStore) ApproveSummary(ctx context.Context, sessionID string, version int64, userID string, at time.Time, ev *gmc.Event) (bool, error) {
	if err := b.fail("ApproveSummary"); err != nil {
		return false, err
	}
	return b.Store.ApproveSummary(ctx, sessionID, version, userID, at, ev)
}

func (b brokenStore) DecideProposal(ctx context.Context, p *gmc.Proposal, ev *gmc.Event) error {
	if err := b.fail("DecideProposal"); err != nil {
		return err
	}
	return b.Store.DecideProposal(ctx, p, ev)
}

func (b brokenStore) CreateRecording(ctx context.Context, r *gmc.Recording, ev *gmc.Event) error {
	if err := b.fail("CreateRecording"); err != nil {
		return err
	}
	return b.Store.CreateRecording(ctx, r, ev)
}

func (b brokenStore) DeleteRecording(ctx context.Context, id string, ev *gmc.Event) error {
	if err := b.fail("DeleteRecording"); err != nil {
		return err
	}
	return b.Store.DeleteRecording(ctx, id, ev)
}

func (b brokenStore) ExpiredRecordings(ctx context.Context, now time.Time, limit int) ([]*gmc.Recording, error) {
	if err := b.fail("ExpiredRecordings"); err != nil {
		return nil, err
	}
	return b.Store.ExpiredRecordings(ctx, now, limit)
}

func (b brokenStore) RecordingsCreatedBefore(ctx context.Context, t time.Time, limit int) ([]*gmc.Recording, error) {
	if err := b.fail("RecordingsCreatedBefore"); err != nil {
		return nil, err
	}
	return b.Store.RecordingsCreatedBefore(ctx, t, limit)
}

func (b brokenStore) OrphanedBlobs(ctx context.Context, limit int) ([]string, error) {
	if err := b.fail("OrphanedBlobs"); err != nil {
		return nil, err
	}
	return b.Store.OrphanedBlobs(ctx, limit)
}

func (b brokenStore) LockBlob(ctx context.Context, key string, exclusive bool) error {
	if err := b.fail("LockBlob"); err != nil {
		return err
	}
	return b.Store.LockBlob(ctx, key, exclusive)
}

func (b brokenStore) ForgetOrphanedBlob(ctx context.Context, key string) error {
	if err := b.fail("ForgetOrphanedBlob"); err != nil {
		return err
	}
	return b.Store.ForgetOrphanedBlob(ctx, key)
}

func (b brokenStore) BlobReferenced(ctx context.Context, key string) (bool, error) {
	if err := b.fail("BlobReferenced"); err != nil {
		return false, err
	}
	return b.Store.BlobReferenced(ctx, key)
}

func (b brokenStore) AddOrphanedBlob(ctx context.Context, key string) error {
	if err := b.fail("AddOrphanedBlob"); err != nil {
		return err
	}
	return b.Store.AddOrphanedBlob(ctx, key)
}

func (b brokenStore) FileUsage(ctx context.Context, campaignID string) (int64, error) {
	if err := b.fail("FileUsage"); err != nil {
		return 0, err
	}
	return b.Store.FileUsage(ctx, campaignID)
}

func (b brokenStore) Files(ctx context.Context, campaignID string, q store.FileQuery) ([]*gmc.File, error) {
	if err := b.fail("Files"); err != nil {
		return nil, err
	}
	return b.Store.Files(ctx, campaignID, q)
}

func (b brokenStore) DeleteFile(ctx context.Context, id string, ev *gmc.Event) error {
	if err := b.fail("DeleteFile"); err != nil {
		return err
	}
	return b.Store.DeleteFile(ctx, id, ev)
}

func (b brokenStore) DeleteSegmentsBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	if err := b.fail("DeleteSegmentsBefore"); err != nil {
		return 0, err
	}
	return b.Store.DeleteSegmentsBefore(ctx, t, limit)
}

func (b brokenStore) DeleteEventsBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	if err := b.fail("DeleteEventsBefore"); err != nil {
		return 0, err
	}
	return b.Store.DeleteEventsBefore(ctx, t, limit)
}

// brokenBlobs is a file store whose operation named in its breakage
// ("Put", "PutContent", "Open", "Stat", "Delete") fails with errBroken.
type brokenBlobs struct {
	blob.Store
	*breakage
}

func (b brokenBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (blob.Info, error) {
	if err := b.fail("Put"); err != nil {
		return blob.Info{}, err
	}
	return b.Store.Put(ctx, key, r, size, contentType)
}

func (b brokenBlobs) PutContent(ctx context.Context, r io.Reader, size int64, contentType string) (blob.Info, error) {
	if err := b.fail("PutContent"); err != nil {
		return blob.Info{}, err
	}
	return b.Store.PutContent(ctx, r, size, contentType)
}

func (b brokenBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, blob.Info, error) {
	if err := b.fail("Open"); err != nil {
		return nil, blob.Info{}, err
	}
	return b.Store.Open(ctx, key)
}

func (b brokenBlobs) Stat(ctx context.Context, key string) (blob.Info, error) {
	if err := b.fail("Stat"); err != nil {
		return blob.Info{}, err
	}
	return b.Store.Stat(ctx, key)
}

func (b brokenBlobs) Delete(ctx context.Context, key string) error {
	if err := b.fail("Delete"); err != nil {
		return err
	}
	return b.Store.Delete(ctx, key)
}

// memJobs is a job queue that keeps the jobs it is given in memory and
// runs none: the tests run a job's work themselves. Its Enqueue and
// EnqueueTx fail with errBroken while broken is set.
type memJobs struct {
	mu     sync.Mutex
	jobs   map[string]*gmc.Job
	args   map[string]gmc.JobArgs
	broken bool
}

func newMemJobs() *memJobs {
	return &memJobs{jobs: map[string]*gmc.Job{}, args: map[string]gmc.JobArgs{}}
}

func (q *memJobs) Enqueue(_ context.Context, args gmc.JobArgs, opts gmc.JobOpts) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.broken {
		return "", errBroken
	}
	id := uuid.Must(uuid.NewV7()).String()
	q.jobs[id] = &gmc.Job{ID: id, Kind: args.Kind(), State: gmc.JobQueued, CampaignID: opts.CampaignID, SessionID: opts.SessionID,
		UserID: opts.UserID, GMOnly: opts.GMOnly, CreatedAt: time.Now()}
	q.args[id] = args
	return id, nil
}

func (q *memJobs) EnqueueTx(ctx context.Context, _ store.Store, args gmc.JobArgs, opts gmc.JobOpts) (string, error) {
	return q.Enqueue(ctx, args, opts)
}

func (q *memJobs) Job(_ context.Context, id string) (*gmc.Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, ok := q.jobs[id]
	if !ok {
		return nil, gmc.ErrNotFound
	}
	c := *j
	return &c, nil
}

// finish sets a job's state and result, as its worker would.
func (q *memJobs) finish(id string, state gmc.JobState, result []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs[id].State, q.jobs[id].Result = state, result
}

// kinds lists the kinds of the jobs queued, in no order.
func (q *memJobs) kinds() map[string]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[string]int{}
	for _, j := range q.jobs {
		out[j.Kind]++
	}
	return out
}

// fieldRefused fails t unless err is a validation error naming loc.
func fieldRefused(t *testing.T, what string, err error, loc string) {
	t.Helper()
	var ve *gmc.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("%s = %v, want a validation error naming %s", what, err, loc)
		return
	}
	for _, f := range ve.Fields {
		if f.Location == loc {
			return
		}
	}
	t.Errorf("%s = %v, want it to name %s", what, err, loc)
}

// codeRefused fails t unless err is kind with code.
func codeRefused(t *testing.T, what string, err error, kind error, code string) {
	t.Helper()
	var ge *gmc.Error
	if !errors.Is(err, kind) || !errors.As(err, &ge) || ge.Code != code {
		t.Errorf("%s = %v, want %v with code %s", what, err, kind, code)
	}
}

// serviceOver builds a service on st with the given file store and job
// queue (either may be nil: a server without them).
func serviceOver(t *testing.T, st store.Store, blobs blob.Store, q service.Jobs) *service.Service {
	t.Helper()
	cfg := service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}}
	if blobs != nil {
		cfg.Blobs = blobs
	}
	if q != nil {
		cfg.Jobs = q
	}
	svc, err := service.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// mustDir opens a local file store in root that takes blobs of up to a MiB.
func mustDir(t *testing.T, root string) *blob.Dir {
	t.Helper()
	d, err := blob.NewDir(root, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// recordingTable is a table whose service keeps recordings in a local
// directory and reads a clock the test moves.
type recordingTable struct {
	*table
	svc      *service.Service
	blobs    *blob.Dir
	clock    time.Time
	stranger *gmc.User
}

func newRecordingTable(t *testing.T, st store.Store) *recordingTable {
	t.Helper()
	tb := &recordingTable{table: newTable(t, st), clock: time.Now().UTC()}
	var err error
	if tb.blobs, err = blob.NewDir(t.TempDir(), 1<<20); err != nil {
		t.Fatal(err)
	}
	tb.svc, err = service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), Blobs: tb.blobs,
		Now: func() time.Time { return tb.clock }, PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	tb.stranger = ok(tb.svc.Register(context.Background(), service.RegisterParams{Email: "stranger@example.com", Password: "correct horse battery", DisplayName: "Stranger"}))(t)
	return tb
}

func (tb *recordingTable) record(t *testing.T, content string) *gmc.Recording {
	t.Helper()
	return ok(tb.svc.CreateRecording(context.Background(), tb.gm.ID, tb.session.ID,
		service.RecordingParams{FileName: "table.wav", ContentType: "audio/wav", SizeBytes: int64(len(content)), DurationMS: 1000, Tracks: 1},
		strings.NewReader(content)))(t)
}

func (tb *recordingTable) setRetention(t *testing.T, keep bool, days int) {
	t.Helper()
	settings := gmc.DefaultCampaignSettings()
	settings.KeepRecordings, settings.RecordingRetentionDays = keep, days
	ok(tb.svc.UpdateCampaign(context.Background(), tb.gm.ID, tb.campaign.ID, service.CampaignUpdate{Settings: &settings}))(t)
}

// TestRecordingsAreForTheGM tries every recording operation as the GM, a
// player of the campaign and someone of another campaign: only the GM
// gets through, the player is refused, and to the stranger the
// recording and its session do not exist.
func TestRecordingsAreForTheGM(t *testing.T) {
	t.Parallel()
	ops := []struct {
		name string
		do   func(tb *recordingTable, userID string, r *gmc.Recording) error
	}{
		{"List", func(tb *recordingTable, userID string, r *gmc.Recording) error {
			_, err := tb.svc.Recordings(context.Background(), userID, r.SessionID)
			return err
		}},
		{"Open", func(tb *recordingTable, userID string, r *gmc.Recording) error {
			_, rc, err := tb.svc.OpenRecording(context.Background(), userID, r.ID)
			if err == nil {
				rc.Close()
			}
			return err
		}},
		{"Create", func(tb *recordingTable, userID string, r *gmc.Recording) error {
			_, err := tb.svc.CreateRecording(context.Background(), userID, r.SessionID,
				service.RecordingParams{FileName: "x.wav", ContentType: "audio/wav", SizeBytes: 1, Tracks: 1}, strings.NewReader("x"))
			return err
		}},
		{"Delete", func(tb *recordingTable, userID string, r *gmc.Recording) error {
			return tb.svc.DeleteRecording(context.Background(), userID, r.ID)
		}},
	}
	callers := []struct {
		name string
		who  func(tb *recordingTable) string
		want error
	}{
		{"Stranger", func(tb *recordingTable) string { return tb.stranger.ID }, gmc.ErrNotFound},
		{"Player", func(tb *recordingTable) string { return tb.player.ID }, gmc.ErrForbidden},
		{"GM", func(tb *recordingTable) string { return tb.gm.ID }, nil},
	}
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			tb := newRecordingTable(t, be.open(t))
			for _, op := range ops {
				for _, c := range callers {
					r := tb.record(t, "RIFF audio")
					err := op.do(tb, c.who(tb), r)
					if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
						t.Errorf("%s as %s = %v, want %v", op.name, c.name, err, c.want)
					}
				}
			}
		})
	}
}

// TestRecordingRoundTrip stores a recording, reads its audio back, lists
// and deletes it: blob and row go, and both the creation and the
// deletion are audited.
func TestRecordingRoundTrip(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newRecordingTable(t, be.open(t))
			r := tb.record(t, "fLaC 1234")
			if r.SizeBytes != 9 || r.DeleteAfter != nil || r.Status != gmc.RecordingStored {
				t.Errorf("created %+v, want 9 bytes, no delete_after (not kept), status stored", r)
			}
			got, rc, err := tb.svc.OpenRecording(ctx, tb.gm.ID, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			audio, _ := io.ReadAll(rc)
			rc.Close()
			if string(audio) != "fLaC 1234" || got.ContentType != "audio/wav" {
				t.Errorf("OpenRecording = %q (%s), want the bytes stored (audio/wav)", audio, got.ContentType)
			}
			if list := ok(tb.svc.Recordings(ctx, tb.gm.ID, tb.session.ID))(t); len(list) != 1 || list[0].ID != r.ID {
				t.Errorf("Recordings = %v, want [%s]", list, r.ID)
			}
			if err := tb.svc.DeleteRecording(ctx, tb.gm.ID, r.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := tb.blobs.Stat(ctx, r.BlobKey); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("blob after DeleteRecording: %v, want ErrNotFound", err)
			}
			if err := tb.svc.DeleteRecording(ctx, tb.gm.ID, r.ID); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("DeleteRecording again = %v, want ErrNotFound", err)
			}
			events := ok2(tb.st.Events(ctx, store.EventFilter{CampaignID: tb.campaign.ID, EntityType: gmc.EntityRecording, EntityID: r.ID}))(t)
			var actions []string
			for _, ev := range events {
				actions = append(actions, ev.Action+" by "+ev.ActorID)
			}
			want := []string{gmc.ActionDelete + " by " + tb.gm.ID, gmc.ActionCreate + " by " + tb.gm.ID}
			if diff := cmp.Diff(want, actions); diff != "" {
				t.Errorf("recording events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFailedUploadLeavesNothing sends uploads the service refuses and
// finds neither a row nor a blob afterwards.
func TestFailedUploadLeavesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		p       service.RecordingParams
		content string
		want    error
	}{
		{"TooLarge", service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: -1, Tracks: 1}, strings.Repeat("a", 1<<20+1), gmc.ErrTooLarge},
		{"Shorter", service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: 10, Tracks: 1}, "abc", gmc.ErrInvalid},
		{"NoTracks", service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: 3, Tracks: 0}, "abc", gmc.ErrInvalid},
		{"NoFileName", service.RecordingParams{ContentType: "audio/wav", SizeBytes: 3, Tracks: 1}, "abc", gmc.ErrInvalid},
	}
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newRecordingTable(t, be.open(t))
			for _, tc := range tests {
				_, err := tb.svc.CreateRecording(ctx, tb.gm.ID, tb.session.ID, tc.p, strings.NewReader(tc.content))
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: CreateRecording = %v, want %v", tc.name, err, tc.want)
				}
			}
			if list := ok(tb.svc.Recordings(ctx, tb.gm.ID, tb.session.ID))(t); len(list) != 0 {
				t.Errorf("Recordings after failed uploads = %d, want 0", len(list))
			}
			if _, _, err := tb.blobs.Open(ctx, "recordings"); err == nil {
				t.Error("a blob named recordings exists")
			}
		})
	}
}

// TestPurgeExpiredRecordings keeps recordings for a day, moves the clock
// and purges: only the expired ones go, with their blobs, a blob already
// gone does not stop the purge, and a second purge finds nothing.
func TestPurgeExpiredRecordings(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newRecordingTable(t, be.open(t))
			tb.setRetention(t, true, 1)
			old := tb.record(t, "old")
			gone := tb.record(t, "blob deleted by hand")
			if old.DeleteAfter == nil || !old.DeleteAfter.Equal(old.CreatedAt.AddDate(0, 0, 1)) {
				t.Fatalf("delete_after = %v, want a day after %v", old.DeleteAfter, old.CreatedAt)
			}
			if err := tb.blobs.Delete(ctx, gone.BlobKey); err != nil {
				t.Fatal(err)
			}
			tb.clock = tb.clock.Add(12 * time.Hour)
			fresh := tb.record(t, "fresh")
			tb.setRetention(t, true, 0)
			forever := tb.record(t, "kept until deleted by hand")
			// A recording whose session is deleted goes with it; the purge
			// finds its blob all the same.
			doomed := ok(tb.svc.CreateSession(ctx, tb.gm.ID, tb.campaign.ID, service.SessionParams{Title: "Doomed"}))(t)
			orphan := ok(tb.svc.CreateRecording(ctx, tb.gm.ID, doomed.ID,
				service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: 1, Tracks: 1}, strings.NewReader("a")))(t)
			if err := tb.svc.DeleteSession(ctx, tb.gm.ID, doomed.ID); err != nil {
				t.Fatal(err)
			}

			purgeAt := old.CreatedAt.Add(25 * time.Hour)
			if n := ok(tb.svc.PurgeExpiredRecordings(ctx, purgeAt))(t); n != 2 {
				t.Errorf("PurgeExpiredRecordings = %d, want 2", n)
			}
			if n := ok(tb.svc.PurgeExpiredRecordings(ctx, purgeAt))(t); n != 0 {
				t.Errorf("second PurgeExpiredRecordings = %d, want 0", n)
			}
			var left []string
			for _, r := range ok(tb.svc.Recordings(ctx, tb.gm.ID, tb.session.ID))(t) {
				left = append(left, r.ID)
			}
			if diff := cmp.Diff([]string{fresh.ID, forever.ID}, left); diff != "" {
				t.Errorf("recordings after the purge (-want +got):\n%s", diff)
			}
			for _, r := range []*gmc.Recording{old, orphan} {
				if _, err := tb.blobs.Stat(ctx, r.BlobKey); !errors.Is(err, blob.ErrNotFound) {
					t.Errorf("blob %s after the purge: %v, want ErrNotFound", r.BlobKey, err)
				}
			}
			if keys := ok(tb.st.OrphanedBlobs(ctx, 10))(t); len(keys) != 0 {
				t.Errorf("orphaned blobs after the purge = %v, want none", keys)
			}
			if _, err := tb.blobs.Stat(ctx, fresh.BlobKey); err != nil {
				t.Errorf("fresh blob: %v, want it kept", err)
			}
		})
	}
}

// TestVoiceConsent answers the consent question as the player and checks
// what the pipeline and the GM see; nobody answers for someone else, and
// someone outside the campaign cannot answer in it.
func TestVoiceConsent(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newRecordingTable(t, be.open(t))
			if got := ok(tb.svc.VoiceConsent(ctx, tb.campaign.ID, tb.player.ID))(t); got {
				t.Error("VoiceConsent before answering = true")
			}
			report := ok(tb.svc.SessionConsent(ctx, tb.gm.ID, tb.session.ID))(t)
			if diff := cmp.Diff([]string{tb.gm.ID, tb.player.ID}, report.Missing); diff != "" {
				t.Errorf("missing before anyone answers (-want +got):\n%s", diff)
			}

			m := ok(tb.svc.SetVoiceConsent(ctx, tb.player.ID, tb.campaign.ID, true))(t)
			if m.UserID != tb.player.ID || !m.Consented() || m.VoiceConsentAt == nil {
				t.Errorf("SetVoiceConsent = %+v, want the player's membership consenting", m)
			}
			if got := ok(tb.svc.VoiceConsent(ctx, tb.campaign.ID, tb.gm.ID))(t); got {
				t.Error("the player's answer changed the GM's consent")
			}
			if diff := cmp.Diff([]string{tb.player.ID}, ok(tb.svc.ConsentingUsers(ctx, tb.campaign.ID))(t)); diff != "" {
				t.Errorf("ConsentingUsers (-want +got):\n%s", diff)
			}
			report = ok(tb.svc.SessionConsent(ctx, tb.gm.ID, tb.session.ID))(t)
			if diff := cmp.Diff([]string{tb.gm.ID}, report.Missing); diff != "" {
				t.Errorf("missing after the player consents (-want +got):\n%s", diff)
			}
			ok(tb.svc.SetVoiceConsent(ctx, tb.player.ID, tb.campaign.ID, false))(t)
			if got := ok(tb.svc.VoiceConsent(ctx, tb.campaign.ID, tb.player.ID))(t); got {
				t.Error("VoiceConsent after withdrawing = true")
			}
			if got := ok(tb.svc.VoiceConsent(ctx, tb.campaign.ID, tb.stranger.ID))(t); got {
				t.Error("VoiceConsent of a non-member = true")
			}

			if _, err := tb.svc.SetVoiceConsent(ctx, tb.stranger.ID, tb.campaign.ID, true); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("SetVoiceConsent by a non-member = %v, want ErrNotFound", err)
			}
			if _, err := tb.svc.SessionConsent(ctx, tb.player.ID, tb.session.ID); !errors.Is(err, gmc.ErrForbidden) {
				t.Errorf("SessionConsent as player = %v, want ErrForbidden", err)
			}
			if _, err := tb.svc.SessionConsent(ctx, tb.stranger.ID, tb.session.ID); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("SessionConsent as stranger = %v, want ErrNotFound", err)
			}
			events := ok2(tb.st.Events(ctx, store.EventFilter{CampaignID: tb.campaign.ID, EntityType: gmc.EntityMember, EntityID: tb.player.ID, Page: gmc.Page{Limit: 1}}))(t)
			if len(events) != 1 || events[0].ActorID != tb.player.ID || !strings.Contains(string(events[0].After), `"voice_consent":false`) {
				t.Errorf("latest member event = %v, want the player's withdrawal", events)
			}
		})
	}
}

// TestFinishRecording ends transcriptions: a transcribed recording goes
// at once unless the campaign keeps recordings, a failed one stays.
func TestFinishRecording(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		keep        bool
		transcribed bool
		wantStatus  string // "" when the recording is deleted
	}{
		{"TranscribedNotKept", false, true, ""},
		{"TranscribedKept", true, true, gmc.RecordingTranscribed},
		{"Failed", false, false, gmc.RecordingFailed},
	}
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newRecordingTable(t, be.open(t))
			for _, tc := range tests {
				tb.setRetention(t, tc.keep, 0)
				r := tb.record(t, "audio")
				if err := tb.svc.FinishRecording(ctx, r.ID, tc.transcribed); err != nil {
					t.Fatalf("%s: FinishRecording = %v", tc.name, err)
				}
				got, err := tb.st.Recording(ctx, r.ID)
				_, blobErr := tb.blobs.Stat(ctx, r.BlobKey)
				switch {
				case tc.wantStatus == "" && (!errors.Is(err, gmc.ErrNotFound) || !errors.Is(blobErr, blob.ErrNotFound)):
					t.Errorf("%s: recording %v (%v), blob %v; want both gone", tc.name, got, err, blobErr)
				case tc.wantStatus != "" && (err != nil || got.Status != tc.wantStatus || blobErr != nil):
					t.Errorf("%s: recording %+v (%v), blob %v; want status %s with its blob", tc.name, got, err, blobErr, tc.wantStatus)
				}
			}
			if err := tb.svc.FinishRecording(ctx, "01900000-0000-7000-8000-000000000000", true); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("FinishRecording(unknown) = %v, want ErrNotFound", err)
			}
		})
	}
}

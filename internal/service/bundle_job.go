package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/bundle"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Export and import of a large campaign run as background jobs: the
// request answers 202 with the job's id at once, GET /jobs/{job_id} shows
// the progress, and the outcome is an export file in the file store
// (downloaded with JobFile) or the imported campaign's id and counts. A
// small campaign is still exported and imported within the request,
// unless the client asks for a job.

// BundleThresholds say when an export or import is large enough to run as
// a job although the client did not ask for one.
type BundleThresholds struct {
	// ExportEntities: a campaign with more sessions, characters,
	// locations, plot threads and keywords together is exported by a job.
	// Counting stops there, so the check reads at most that many rows.
	ExportEntities int
	// ImportBytes and ImportEntities: a document longer than ImportBytes,
	// or with more entities of every kind together, is imported by a job.
	ImportBytes    int
	ImportEntities int
}

// DefaultBundleThresholds keep a campaign of a few years of weekly play
// in the request (a few hundred entities, well under a second) and move
// the ones that take seconds, which proxies and browsers may give up on,
// to a job.
var DefaultBundleThresholds = BundleThresholds{ExportEntities: 2000, ImportBytes: 4 << 20, ImportEntities: 2000}

// ExportKeep is how long an export job's file stays downloadable: as long
// as the job queue keeps a finished job, so the file goes with its job.
const ExportKeep = 7 * 24 * time.Hour

// importUploadKeep bounds how long an import's uploaded document can stay
// in the file store should its job never get to delete it: longer than
// every attempt of the job with its retries can take.
const importUploadKeep = 8 * 24 * time.Hour

// ExportArgs is the job that exports a campaign to a file.
type ExportArgs struct {
	CampaignID string `json:"campaign_id"`
	// Format is bundle.FormatJSON or bundle.FormatMarkdown.
	Format string `json:"format"`
}

// Kind names the export job.
func (ExportArgs) Kind() string { return "campaign.export" }

// ImportArgs is the job that imports an uploaded document.
type ImportArgs struct {
	// CampaignID is the id the new campaign gets, chosen when the job is
	// queued: an attempt that finds it taken knows an earlier attempt
	// committed the import, and makes no second campaign.
	CampaignID string `json:"campaign_id"`
	// BlobKey is where the uploaded document is kept until the import.
	BlobKey string `json:"blob_key"`
}

// Kind names the import job.
func (ImportArgs) Kind() string { return "campaign.import" }

// DeleteBlobArgs is the job that deletes a file an export or import left,
// queued to run when the file expires.
type DeleteBlobArgs struct {
	Key string `json:"key"`
}

// Kind names the clean-up job.
func (DeleteBlobArgs) Kind() string { return "blob.delete" }

// BundleJob is the job an export or import work function runs for.
type BundleJob struct {
	JobID string
	// UserID started the job; the work runs with their permissions.
	UserID string
}

// ExportResult is what a finished export job shows as its result.
type ExportResult struct {
	Format      string    `json:"format"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// CampaignImportResult is what a finished import job shows as its result.
type CampaignImportResult struct {
	CampaignID string             `json:"campaign_id"`
	Members    []gmc.BundleMember `json:"members"`
	// SkippedMembers is null only when an attempt found the import
	// already made by an earlier one and the document already deleted.
	SkippedMembers []string       `json:"skipped_members"`
	Counts         map[string]int `json:"counts"`
}

// asyncBundles reports whether this service can run exports and imports
// as jobs: it needs a job queue and a file store. Without them (tools)
// everything runs within the request.
func (s *Service) asyncBundles() bool { return s.jobs != nil && s.blobs != nil }

// ExportCampaignJob queues the export of a campaign in format and returns
// the job's id; it returns "" when the export should run within the
// request instead: the client did not ask for a job (force) and the
// campaign is small (BundleThresholds.ExportEntities), or this service
// runs no jobs. GM only.
func (s *Service) ExportCampaignJob(ctx context.Context, userID, campaignID, format string, force bool) (string, error) {
	if !s.asyncBundles() {
		return "", nil
	}
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return "", err
	}
	if !force {
		large, err := s.campaignLarger(ctx, campaignID, s.bundleThresholds.ExportEntities)
		if err != nil || !large {
			return "", err
		}
	}
	return s.jobs.Enqueue(ctx, ExportArgs{CampaignID: campaignID, Format: format}, gmc.JobOpts{CampaignID: campaignID, UserID: userID, GMOnly: true})
}

// campaignLarger reports whether the campaign has more than limit
// sessions, characters, locations, plot threads and keywords together,
// reading no more than limit+1 of them.
func (s *Service) campaignLarger(ctx context.Context, campaignID string, limit int) (bool, error) {
	left := limit + 1
	kinds := []func(gmc.Page) (int, string, error){
		func(p gmc.Page) (int, string, error) {
			l, next, err := s.store.Sessions(ctx, store.SessionFilter{CampaignID: campaignID, Page: p})
			return len(l), next, err
		},
		func(p gmc.Page) (int, string, error) {
			l, next, err := s.store.Characters(ctx, store.CharacterFilter{CampaignID: campaignID, Page: p})
			return len(l), next, err
		},
		func(p gmc.Page) (int, string, error) {
			l, next, err := s.store.Locations(ctx, store.LocationFilter{CampaignID: campaignID, Subtree: true, Page: p})
			return len(l), next, err
		},
		func(p gmc.Page) (int, string, error) {
			l, next, err := s.store.Plots(ctx, store.PlotFilter{CampaignID: campaignID, Page: p})
			return len(l), next, err
		},
		func(p gmc.Page) (int, string, error) {
			l, next, err := s.store.Keywords(ctx, store.KeywordFilter{CampaignID: campaignID, Page: p})
			return len(l), next, err
		},
	}
	for _, list := range kinds {
		for cursor := ""; ; {
			n, next, err := list(gmc.Page{Limit: min(left, gmc.MaxPageSize), Cursor: cursor})
			if err != nil {
				return false, err
			}
			if left -= n; left <= 0 {
				return true, nil
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return false, nil
}

// RunExportJob does an export job's work: it reads the campaign as the
// job's user (who must still be its GM), writes it in the job's format
// and stores the file in the file store, where it stays for ExportKeep.
// Run again it writes the same file again under the same key.
func (s *Service) RunExportJob(ctx context.Context, job BundleJob, args ExportArgs, progress func(float64, string)) (*ExportResult, error) {
	if progress == nil {
		progress = func(float64, string) {}
	}
	if !s.asyncBundles() {
		return nil, errNoBlobs
	}
	b, err := s.exportCampaign(ctx, job.UserID, args.CampaignID, progress)
	if err != nil {
		return nil, err
	}
	progress(0.9, "writing the file")
	f, err := bundle.Render(b, args.Format)
	if err != nil {
		return nil, err
	}
	key := exportKey(args.CampaignID, job.JobID)
	info, err := s.blobs.Put(ctx, key, bytes.NewReader(f.Body), int64(len(f.Body)), f.ContentType)
	if errors.Is(err, blob.ErrTooLarge) {
		return nil, gmc.Errorf(gmc.ErrTooLarge, "export_too_large", "the export is larger than this server's file store accepts")
	} else if err != nil {
		return nil, fmt.Errorf("store export: %w", err)
	}
	expires := s.clock().Add(ExportKeep)
	if err := s.deleteBlobLater(ctx, args.CampaignID, job.UserID, key, expires); err != nil {
		return nil, err
	}
	progress(1, "the file is ready")
	return &ExportResult{Format: args.Format, FileName: f.FileName, ContentType: f.ContentType, SizeBytes: info.Size, ExpiresAt: expires}, nil
}

// deleteBlobLater queues the deletion of key at. Unique: an export
// attempt run again queues no second one.
func (s *Service) deleteBlobLater(ctx context.Context, campaignID, userID, key string, at time.Time) error {
	_, err := s.jobs.Enqueue(ctx, DeleteBlobArgs{Key: key}, gmc.JobOpts{CampaignID: campaignID, UserID: userID, GMOnly: true, Unique: true, RunAt: at})
	return err
}

// exportKey is where an export job's file is kept.
func exportKey(campaignID, jobID string) string { return "exports/" + campaignID + "/" + jobID }

// DeleteBlob deletes a file an export or import job left (the clean-up
// job's work). A file already gone is not an error.
func (s *Service) DeleteBlob(ctx context.Context, key string) error {
	if s.blobs == nil {
		return errNoBlobs
	}
	return s.blobs.Delete(ctx, key)
}

// JobFile returns the file a finished export job wrote, with the job's
// result, for the members who may see the job (export jobs are GM only).
// The caller closes the file. A job of another kind has no file (404
// job_file_not_found); an export still running or failed has none yet
// (409 job_not_succeeded); one older than ExportKeep has none any more
// (404 job_file_expired).
func (s *Service) JobFile(ctx context.Context, userID, jobID string) (*ExportResult, io.ReadCloser, error) {
	j, err := s.Job(ctx, userID, jobID)
	if err != nil {
		return nil, nil, err
	}
	if j.Kind != (ExportArgs{}).Kind() || s.blobs == nil {
		return nil, nil, gmc.Errorf(gmc.ErrNotFound, "job_file_not_found", "this job has no file to download")
	}
	if j.State != gmc.JobSucceeded {
		return nil, nil, gmc.Errorf(gmc.ErrConflict, "job_not_succeeded", "the job is %s; its file is there once it has succeeded", j.State)
	}
	var res ExportResult
	if err := json.Unmarshal(j.Result, &res); err != nil {
		return nil, nil, fmt.Errorf("export job %s: result: %w", j.ID, err)
	}
	rc, _, err := s.blobs.Open(ctx, exportKey(j.CampaignID, j.ID))
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil, gmc.Errorf(gmc.ErrNotFound, "job_file_expired", "the export's file has expired; export again")
	} else if err != nil {
		return nil, nil, fmt.Errorf("open export %s: %w", j.ID, err)
	}
	return &res, rc, nil
}

// ImportCampaignJob queues the import of raw, the document b was decoded
// from, and returns the job's id; it returns "" when the import should run
// within the request instead: the client did not ask for a job (force)
// and the document is small (BundleThresholds), or this service runs no
// jobs. The document is validated whole first (422 at once, nothing
// stored), then kept in the file store for the job (413 bundle_too_large
// when the file store refuses its size, nothing stored). The job makes
// the campaign with the caller as its GM, as ImportCampaign does.
func (s *Service) ImportCampaignJob(ctx context.Context, userID string, raw []byte, b *gmc.Bundle, force bool) (string, error) {
	if !s.asyncBundles() || !force && len(raw) <= s.bundleThresholds.ImportBytes && b.EntityCount() <= s.bundleThresholds.ImportEntities {
		return "", nil
	}
	if err := b.Validate(); err != nil {
		return "", err
	}
	if _, err := s.store.User(ctx, userID); err != nil {
		return "", err
	}
	campaignID := s.newID()
	key := "imports/" + campaignID
	if _, err := s.blobs.Put(ctx, key, bytes.NewReader(raw), int64(len(raw)), "application/json"); errors.Is(err, blob.ErrTooLarge) {
		return "", gmc.Errorf(gmc.ErrTooLarge, "bundle_too_large", "the document is larger than this server's file store accepts")
	} else if err != nil {
		return "", fmt.Errorf("store import document: %w", err)
	}
	// The job and the clean-up that follows whatever becomes of it are
	// queued together or not at all.
	var jobID string
	opts := gmc.JobOpts{CampaignID: campaignID, UserID: userID, GMOnly: true}
	err := s.store.InTx(ctx, func(tx store.Store) error {
		later := opts
		later.RunAt = s.clock().Add(importUploadKeep)
		if _, err := s.jobs.EnqueueTx(ctx, tx, DeleteBlobArgs{Key: key}, later); err != nil {
			return err
		}
		var err error
		jobID, err = s.jobs.EnqueueTx(ctx, tx, ImportArgs{CampaignID: campaignID, BlobKey: key}, opts)
		return err
	})
	if err != nil {
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), key); derr != nil {
			s.log.Error("import document left behind", "blob_key", key, "error", derr)
		}
		return "", err
	}
	return jobID, nil
}

// RunImportJob does an import job's work: it reads the uploaded document
// and imports it as the job's user, in one transaction, making the
// campaign with the id the job chose. An attempt that finds that campaign
// already there (an earlier attempt committed, then failed before its
// outcome was recorded) imports nothing and answers what is there. The
// document is deleted once the campaign exists.
func (s *Service) RunImportJob(ctx context.Context, job BundleJob, args ImportArgs, progress func(float64, string)) (*CampaignImportResult, error) {
	if progress == nil {
		progress = func(float64, string) {}
	}
	if !s.asyncBundles() {
		return nil, errNoBlobs
	}
	progress(0, "reading the document")
	b, err := s.importDocument(ctx, args.BlobKey)
	if err != nil && !errors.Is(err, blob.ErrNotFound) {
		return nil, err
	}
	res, err := s.importedResult(ctx, job.UserID, args.CampaignID, b)
	if errors.Is(err, gmc.ErrNotFound) {
		if b == nil {
			return nil, gmc.Errorf(gmc.ErrNotFound, "import_document_gone", "the uploaded document is no longer stored; import it again")
		}
		var im *CampaignImport
		if im, err = s.importCampaign(ctx, job.UserID, b, args.CampaignID, progress); err != nil {
			return nil, err
		}
		res = &CampaignImportResult{CampaignID: im.Campaign.ID, Members: im.Members, SkippedMembers: im.SkippedMembers, Counts: im.Counts}
		progress(1, "the campaign is imported")
	} else if err != nil {
		return nil, err
	}
	if err := s.blobs.Delete(ctx, args.BlobKey); err != nil {
		// The clean-up job queued with the import deletes it later.
		s.log.Warn("import document left for its clean-up job", "blob_key", args.BlobKey, "error", err)
	}
	return res, nil
}

// DiscardImport deletes the document of an import job that failed for
// good, rather than keep it until its clean-up job.
func (s *Service) DiscardImport(ctx context.Context, args ImportArgs) error {
	if s.blobs == nil {
		return errNoBlobs
	}
	return s.blobs.Delete(ctx, args.BlobKey)
}

// importDocument reads an uploaded document; blob.ErrNotFound when it is
// gone.
func (s *Service) importDocument(ctx context.Context, key string) (*gmc.Bundle, error) {
	rc, _, err := s.blobs.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var b gmc.Bundle
	if err := json.NewDecoder(rc).Decode(&b); err != nil {
		return nil, fmt.Errorf("import document %s: %w", key, err)
	}
	return &b, nil
}

// importedResult describes the campaign an earlier attempt of an import
// job made: gmc.ErrNotFound when there is none. The counts are the ones
// the import recorded in the campaign's audit event; the members are the
// campaign's others; the skipped members are known only while the
// document b is.
func (s *Service) importedResult(ctx context.Context, userID, campaignID string, b *gmc.Bundle) (*CampaignImportResult, error) {
	if _, err := s.store.Campaign(ctx, campaignID); err != nil {
		return nil, err
	}
	res := &CampaignImportResult{CampaignID: campaignID, Members: []gmc.BundleMember{}}
	err := gmc.EachPage(func(cursor string) ([]*gmc.Event, string, error) {
		return s.store.Events(ctx, store.EventFilter{CampaignID: campaignID, EntityType: gmc.EntityCampaign, EntityID: campaignID, Page: gmc.FullPage(cursor)})
	}, func(ev *gmc.Event) {
		if ev.Action != gmc.ActionCreate {
			return
		}
		var after struct {
			Imported map[string]int `json:"imported"`
		}
		if json.Unmarshal(ev.After, &after) == nil {
			res.Counts = after.Imported
		}
	})
	if err != nil {
		return nil, err
	}
	ms, err := s.store.Members(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	added := map[string]bool{}
	for _, m := range ms {
		if m.UserID != userID {
			added[m.Email] = true
			res.Members = append(res.Members, gmc.BundleMember{Email: m.Email, DisplayName: m.DisplayName, Role: m.Role})
		}
	}
	if b == nil {
		return res, nil
	}
	me, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	// As the import decided: the importer is no member of the document's,
	// the first mention of a member who was added is, any other is not.
	res.SkippedMembers = []string{}
	seen := map[string]bool{}
	for _, bm := range b.Members {
		email := gmc.NormalizeEmail(bm.Email)
		if email == me.Email {
			continue
		}
		if added[email] && !seen[email] {
			seen[email] = true
			continue
		}
		res.SkippedMembers = append(res.SkippedMembers, email)
	}
	return res, nil
}

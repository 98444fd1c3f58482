package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/clamd"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// FileLimits bound uploaded files.
type FileLimits struct {
	// MaxBytes bounds one file.
	MaxBytes int64
	// QuotaBytes bounds the sum of a campaign's files.
	QuotaBytes int64
}

// DefaultFileLimits: a 25 MB file (a large map or a short recording) and
// 1 GB per campaign.
var DefaultFileLimits = FileLimits{MaxBytes: 25 << 20, QuotaBytes: 1 << 30}

func (l FileLimits) withDefaults() FileLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultFileLimits.MaxBytes
	}
	if l.QuotaBytes <= 0 {
		l.QuotaBytes = DefaultFileLimits.QuotaBytes
	}
	return l
}

// FileLimits returns the limits uploads are held to.
func (s *Service) FileLimits() FileLimits { return s.files }

// VirusScanner checks a content; an error means no verdict.
type VirusScanner interface {
	Scan(ctx context.Context, r io.Reader) (clamd.Verdict, error)
}

// FileParams describe an upload; its content is read from the
// io.ReadSeeker UploadFile is given.
type FileParams struct {
	// Name is the client's file name, kept for display and downloads
	// only (it never names a path).
	Name string
	Kind string
	// At most one of these names what the file is attached to.
	CharacterID, LocationID, SessionID string
	// Visibility defaults to gm for recordings, which hold the voices of
	// everyone at the table (as session recordings are the GM's), and to
	// players for everything else.
	Visibility gmc.Visibility
}

// UploadFile stores a file of a campaign. GMs upload anything; players
// upload handouts and portraits of their own characters, visible to
// players; observers nothing. The type is sniffed from the content and
// must suit the kind; the size, the campaign's quota and (when a scanner
// is set) a virus scan are checked before anything is stored. The blob
// is written first (content-addressed: once for every file of the same
// content, see storeFile) and the row then, with the quota checked again
// in its transaction; a content no row refers to is deleted, at once or
// by the purge, so a failed upload leaves nothing.
func (s *Service) UploadFile(ctx context.Context, userID, campaignID string, p FileParams, content io.ReadSeeker, size int64) (*gmc.File, error) {
	if s.blobs == nil {
		return nil, gmc.Errorf(gmc.ErrUnavailable, "no_file_store", "this server has no file store")
	}
	m, err := s.access(ctx, campaignID, userID, gmc.RolePlayer)
	if err != nil {
		return nil, err
	}
	if p.Visibility == "" {
		p.Visibility = gmc.VisiblePlayers
		if p.Kind == gmc.FileRecording {
			p.Visibility = gmc.VisibleGM
		}
	}
	f := &gmc.File{CampaignID: campaignID, Name: cleanFileName(p.Name), Kind: p.Kind, Size: size, SHA256: strings.Repeat("0", 64),
		Visibility: p.Visibility, CreatedBy: userID, CharacterID: optional(p.CharacterID), LocationID: optional(p.LocationID),
		SessionID: optional(p.SessionID)}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkUploader(ctx, m, f); err != nil {
		return nil, err
	}
	if err := s.checkAttachment(ctx, userID, f); err != nil {
		return nil, err
	}
	if size > s.files.MaxBytes {
		return nil, fileTooLarge(size, s.files.MaxBytes)
	}
	used, err := s.store.FileUsage(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if used+size > s.files.QuotaBytes {
		return nil, quotaExceeded(used, size, s.files.QuotaBytes)
	}
	ft, err := sniffContent(content, f.Kind)
	if err != nil {
		return nil, err
	}
	f.ContentType = ft.mime
	if f.SHA256, err = hashContent(content, size); err != nil {
		return nil, err
	}
	if err := s.scan(ctx, content); err != nil {
		return nil, err
	}
	f.ID = s.newID()
	f.BlobKey = blob.ContentKey(f.SHA256)
	f.CreatedAt = s.clock()
	if err := s.storeFile(ctx, f, content, s.event(campaignID, userID, gmc.ActionCreate, gmc.EntityFile, f.ID, nil, f)); err != nil {
		var ge *gmc.Error
		switch {
		case errors.As(err, &ge) && ge.Code == "file_too_large":
			// The file store's own limit is below the server's: not a
			// matter of the campaign's quota.
			return nil, err
		case errors.Is(err, gmc.ErrTooLarge):
			// Another upload took the room between the check and now.
			used, _ := s.store.FileUsage(ctx, campaignID)
			return nil, quotaExceeded(used, size, s.files.QuotaBytes)
		case errors.Is(err, gmc.ErrNotFound):
			return nil, attachmentGone(f)
		}
		return nil, err
	}
	return f, nil
}

// errBlobGone: the purge deleted a content between its write and the
// transaction of the row that refers to it.
var errBlobGone = errors.New("file content deleted by the purge before its row was written")

// storeAttempts bounds how often an upload writes its content again
// after the purge deleted it (errBlobGone); each purge of the content
// needs a deletion of its last other row in between, so a second attempt
// nearly always passes.
const storeAttempts = 3

// storeFile stores f's content under its content address, shared with
// every file of the same content, and then f's row. The key is first
// recorded among the orphaned blobs, so that the purge finds the
// content should the row never be written; the row's transaction takes
// the key's lock (store.LockBlob) and checks that the content is still
// there before it commits, so the purge, which deletes a content only
// under that lock and when no row refers to it, can never leave the row
// without its content. When the purge came first, the content is
// written again. Whatever fails, the content is left to the purge,
// which deletes it unless another row refers to it.
func (s *Service) storeFile(ctx context.Context, f *gmc.File, content io.ReadSeeker, ev *gmc.Event) error {
	if err := s.store.AddOrphanedBlob(ctx, f.BlobKey); err != nil {
		return err
	}
	var err error
	for range storeAttempts {
		if err = s.putFile(ctx, f, content); err != nil {
			break
		}
		err = s.store.InTx(ctx, func(tx store.Store) error {
			if err := tx.CreateFile(ctx, f, s.files.QuotaBytes, ev); err != nil {
				return err
			}
			if err := tx.LockBlob(ctx, f.BlobKey, false); err != nil {
				return err
			}
			if _, err := s.blobs.Stat(ctx, f.BlobKey); errors.Is(err, blob.ErrNotFound) {
				return errBlobGone
			} else if err != nil {
				return fmt.Errorf("store file %s: %w", f.ID, err)
			}
			return nil
		})
		if !errors.Is(err, errBlobGone) {
			break
		}
		s.log.Info("file content purged before its row; writing it again", "file_id", f.ID)
	}
	// The request's ctx may be what failed; the check must run anyway.
	// It forgets the key when the row is there, and deletes the content
	// when nothing refers to it.
	if derr := s.deleteOrphan(context.WithoutCancel(ctx), f.BlobKey); derr != nil {
		s.log.Warn("file content left for the purge", "blob_key", f.BlobKey, "error", derr)
	}
	return err
}

// putFile writes f's content under f.BlobKey (its content address).
func (s *Service) putFile(ctx context.Context, f *gmc.File, content io.ReadSeeker) error {
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	info, err := s.blobs.PutContent(ctx, content, f.Size, f.ContentType)
	switch {
	case errors.Is(err, blob.ErrTooLarge):
		return fileTooLarge(f.Size, s.files.MaxBytes)
	case err != nil:
		return fmt.Errorf("store file %s: %w", f.ID, err)
	case info.Key != f.BlobKey:
		// The reader gave other bytes than when it was hashed. They are
		// stored under their own address, which no upload recorded: they
		// are recorded and deleted (unless a row refers to that content),
		// or left to the purge should that fail.
		if err := s.store.AddOrphanedBlob(ctx, info.Key); err != nil {
			s.log.Error("changed upload content left behind", "blob_key", info.Key, "error", err)
		} else if err := s.deleteOrphan(context.WithoutCancel(ctx), info.Key); err != nil {
			s.log.Warn("changed upload content left for the purge", "blob_key", info.Key, "error", err)
		}
		return fmt.Errorf("store file %s: the content changed while it was read", f.ID)
	}
	return nil
}

func optional(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

func fileTooLarge(size, max int64) error {
	return gmc.Errorf(gmc.ErrTooLarge, "file_too_large", "form.file: the file is %d bytes; this server accepts files of at most %d bytes", size, max)
}

func quotaExceeded(used, size, quota int64) error {
	return gmc.Errorf(gmc.ErrTooLarge, "quota_exceeded",
		"form.file: the campaign's files take %d of its %d bytes; this file (%d bytes) does not fit. Delete files to make room", used, quota, size)
}

// checkUploader applies who may upload what.
func (s *Service) checkUploader(ctx context.Context, m *gmc.Member, f *gmc.File) error {
	if m.Role == gmc.RoleGM {
		return nil
	}
	if f.Visibility != gmc.VisiblePlayers {
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can upload files visible to GMs only")
	}
	switch f.Kind {
	case gmc.FileHandout:
		return nil
	case gmc.FilePortrait:
		if f.CharacterID == nil {
			return gmc.Invalid("form.character_id", "a player's portrait must name their character")
		}
		c, err := s.store.Character(ctx, *f.CharacterID)
		if err == nil && c.CampaignID == f.CampaignID && (c.OwnerID == nil || *c.OwnerID != m.UserID) {
			return gmc.Errorf(gmc.ErrForbidden, "not_your_character", "players upload portraits of their own characters only")
		}
		return nil // a missing character is checkAttachment's to report
	}
	return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can upload a %s", f.Kind)
}

// checkAttachment checks that what f is attached to is in its campaign
// and visible to the uploader.
func (s *Service) checkAttachment(ctx context.Context, userID string, f *gmc.File) error {
	var err error
	var campaignID string
	switch {
	case f.CharacterID != nil:
		var c *gmc.Character
		if c, _, err = s.character(ctx, userID, *f.CharacterID); err == nil {
			campaignID = c.CampaignID
		}
	case f.LocationID != nil:
		var l *gmc.Location
		if l, _, _, err = s.location(ctx, userID, *f.LocationID); err == nil {
			campaignID = l.CampaignID
		}
	case f.SessionID != nil:
		var gs *gmc.GameSession
		if gs, _, err = s.Session(ctx, userID, *f.SessionID); err == nil {
			campaignID = gs.CampaignID
		}
	default:
		return nil
	}
	if errors.Is(err, gmc.ErrNotFound) || err == nil && campaignID != f.CampaignID {
		return attachmentGone(f)
	}
	return err
}

func attachmentGone(f *gmc.File) error {
	switch {
	case f.CharacterID != nil:
		return gmc.Invalid("form.character_id", "no such character in this campaign")
	case f.LocationID != nil:
		return gmc.Invalid("form.location_id", "no such location in this campaign")
	case f.SessionID != nil:
		return gmc.Invalid("form.session_id", "no such session in this campaign")
	}
	return gmc.Errorf(gmc.ErrNotFound, "campaign_not_found", "campaign not found")
}

// sniffContent reads the start of the content and returns its type,
// which must be one the file's kind may be.
func sniffContent(content io.ReadSeeker, kind string) (fileType, error) {
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return fileType{}, fmt.Errorf("upload: %w", err)
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(content, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fileType{}, fmt.Errorf("upload: %w", err)
	}
	ft, ok := sniff(head[:n])
	if !ok {
		return fileType{}, gmc.Errorf(gmc.ErrUnsupported, "unsupported_file_type",
			"form.file: the content is not a file type this server accepts (png, jpeg, webp, gif, pdf, wav, flac, ogg, mp3), whatever its name says")
	}
	if !ft.allowed(kind) {
		return fileType{}, gmc.Errorf(gmc.ErrUnsupported, "unsupported_file_type",
			"form.file: the content is %s; a %s must be one of %s", ft.name, kind, strings.Join(kindTypes[kind], ", "))
	}
	return ft, nil
}

// hashContent returns the hex SHA-256 of the whole content, which must
// be size bytes long.
func hashContent(content io.ReadSeeker, size int64) (string, error) {
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(h, content)
	if err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	if n != size {
		return "", gmc.Invalid("form.file", "has %d bytes, not the %d announced", n, size)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// scan asks the virus scanner, when there is one. A scanner that cannot
// answer refuses the upload (503): storing a file unscanned would make
// the setting a promise the server breaks whenever clamd is down.
func (s *Service) scan(ctx context.Context, content io.ReadSeeker) error {
	if s.scanner == nil {
		return nil
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	v, err := s.scanner.Scan(ctx, content)
	if err != nil {
		s.log.Error("virus scan failed", "error", err)
		return gmc.Errorf(gmc.ErrUnavailable, "virus_scanner_unavailable", "the virus scanner does not answer; nothing was stored, try again later")
	}
	if v.Infected {
		s.log.Warn("infected upload refused", "signature", v.Signature)
		return gmc.Errorf(gmc.ErrInvalid, "file_infected", "form.file: the virus scanner found %s in the file; it was not stored", v.Signature)
	}
	return nil
}

// cleanFileName keeps the last element of a client's file name, without
// control or format characters (a right-to-left override makes
// "gnp.exe" read as "exe.png") and bounded, for display and downloads.
func cleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, name)
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimSpace(name)
	if name == "." || name == ".." || name == "/" || name == "" {
		name = "file"
	}
	for utf8.RuneCountInString(name) > gmc.MaxFileNameLen {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}

// file returns a file the caller may see: a member's, and for a player
// or observer one visible to players attached to something they see.
func (s *Service) file(ctx context.Context, userID, fileID string) (*gmc.File, *gmc.Member, error) {
	f, err := s.store.File(ctx, fileID)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityFile)
	}
	m, err := s.access(ctx, f.CampaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityFile)
	}
	if ok, err := s.fileVisible(ctx, userID, m, f); err != nil {
		return nil, nil, err
	} else if !ok {
		return nil, nil, notFound(gmc.ErrNotFound, gmc.EntityFile)
	}
	return f, m, nil
}

func (s *Service) fileVisible(ctx context.Context, userID string, m *gmc.Member, f *gmc.File) (bool, error) {
	if m.Role == gmc.RoleGM {
		return true, nil
	}
	if !f.Visibility.VisibleTo(m.Role) {
		return false, nil
	}
	err := s.checkAttachment(ctx, userID, f)
	var ve *gmc.ValidationError
	if errors.As(err, &ve) {
		return false, nil
	}
	return err == nil, err
}

// File returns a file's metadata.
func (s *Service) File(ctx context.Context, userID, fileID string) (*gmc.File, error) {
	f, _, err := s.file(ctx, userID, fileID)
	return f, err
}

// OpenFile returns a file with its content, which the caller closes.
func (s *Service) OpenFile(ctx context.Context, userID, fileID string) (*gmc.File, io.ReadSeekCloser, error) {
	if s.blobs == nil {
		return nil, nil, gmc.Errorf(gmc.ErrUnavailable, "no_file_store", "this server has no file store")
	}
	f, _, err := s.file(ctx, userID, fileID)
	if err != nil {
		return nil, nil, err
	}
	rc, _, err := s.blobs.Open(ctx, f.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		// Removed from the file store behind the server's back: the file
		// is not found, as a recording's audio is (blob.ErrNotFound is
		// no gmc.ErrNotFound, which notFound looks for).
		return nil, nil, notFound(gmc.ErrNotFound, gmc.EntityFile)
	} else if err != nil {
		return nil, nil, fmt.Errorf("open file %s: %w", f.ID, err)
	}
	return f, rc, nil
}

// FileQuery filters a campaign's files.
type FileQuery struct {
	CampaignID string
	Kind       string
	AttachedTo string
}

// Files lists the campaign's files the caller may see.
func (s *Service) Files(ctx context.Context, userID string, q FileQuery) ([]*gmc.File, error) {
	m, err := s.access(ctx, q.CampaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, err
	}
	if q.Kind != "" && kindTypes[q.Kind] == nil {
		return nil, gmc.Invalid("query.kind", "must be one of portrait, map, recording, handout")
	}
	if q.AttachedTo != "" && !gmc.IsID(q.AttachedTo) {
		return nil, gmc.Invalid("query.attached_to", "must be the id of a character, location or session")
	}
	all, err := s.store.Files(ctx, q.CampaignID, store.FileQuery{Kind: q.Kind, AttachedTo: q.AttachedTo})
	if err != nil {
		return nil, err
	}
	list := make([]*gmc.File, 0, len(all))
	// Many files hang on few entities (a session's tracks, a region's
	// maps): each entity's visibility is read once.
	seen := map[string]bool{}
	for _, f := range all {
		ok, known := seen[f.AttachedTo()]
		if !known || f.Visibility != gmc.VisiblePlayers {
			if ok, err = s.fileVisible(ctx, userID, m, f); err != nil {
				return nil, err
			}
			if f.Visibility == gmc.VisiblePlayers {
				seen[f.AttachedTo()] = ok
			}
		}
		if ok {
			list = append(list, f)
		}
	}
	return list, nil
}

// DeleteFile deletes a file with its content: the campaign's GMs, or the
// member who uploaded it.
func (s *Service) DeleteFile(ctx context.Context, userID, fileID string) error {
	if s.blobs == nil {
		return gmc.Errorf(gmc.ErrUnavailable, "no_file_store", "this server has no file store")
	}
	f, m, err := s.file(ctx, userID, fileID)
	if err != nil {
		return err
	}
	if m.Role != gmc.RoleGM && f.CreatedBy != userID {
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM or the member who uploaded a file can delete it")
	}
	// As for recordings: the row goes with its key recorded among the
	// orphans, then the blob unless another file has the same content,
	// then the record; whatever stops midway, the purge finishes.
	if err := s.store.DeleteFile(ctx, f.ID, s.event(f.CampaignID, userID, gmc.ActionDelete, gmc.EntityFile, f.ID, f, nil)); err != nil &&
		!errors.Is(err, gmc.ErrNotFound) {
		return err
	}
	if err := s.deleteOrphan(ctx, f.BlobKey); err != nil {
		s.log.Warn("file content left for the purge", "file_id", f.ID, "error", err)
	}
	return nil
}

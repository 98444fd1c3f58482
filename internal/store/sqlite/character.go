package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

const characterColumns = `id, campaign_id, name, character_type, stats, notes, gm_notes, voice_notes, aliases, tags,
	visibility, owner_id, portrait_file_id, version, created_at, updated_at`

func scanCharacter(row interface{ Scan(...any) error }) (*gmc.Character, error) {
	var c gmc.Character
	var stats, notes, gmNotes, aliases, tags string
	var owner, portrait sql.NullString
	var created, updated int64
	if err := row.Scan(&c.ID, &c.CampaignID, &c.Name, &c.CharacterType, &stats, &notes, &gmNotes, &c.VoiceNotes, &aliases, &tags,
		&c.Visibility, &owner, &portrait, &c.Version, &created, &updated); err != nil {
		return nil, interpretError(err)
	}
	c.Stats, c.Notes, c.GMNotes = json.RawMessage(stats), json.RawMessage(notes), json.RawMessage(gmNotes)
	if err := json.Unmarshal([]byte(aliases), &c.Aliases); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return nil, err
	}
	c.OwnerID, c.PortraitFileID = strPtr(owner), strPtr(portrait)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// CreateCharacter inserts c.
func (db *DB) CreateCharacter(ctx context.Context, c *gmc.Character, ev *gmc.Event) error {
	c.Version = 1
	row, err := newCharacterRow(c)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := insertCharacter(ctx, tx, row); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// CreateCharacters inserts many characters in one transaction.
func (db *DB) CreateCharacters(ctx context.Context, cs []*gmc.Character, ev *gmc.Event) error {
	rows := make([]characterRow, len(cs))
	for i, c := range cs {
		c.Version = 1
		var err error
		if rows[i], err = newCharacterRow(c); err != nil {
			return err
		}
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		for _, row := range rows {
			if err := insertCharacter(ctx, tx, row); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, ev)
	})
	return err
}

// characterRow is what inserting a character writes, worked out before
// the write transaction begins, so that the one writer is held only for
// the statements (search.Index is most of the work).
type characterRow struct {
	c    *gmc.Character
	cols [5]string
	doc  search.Document
	in   search.Indexed
}

func newCharacterRow(c *gmc.Character) (characterRow, error) {
	cols, err := characterValues(c)
	if err != nil {
		return characterRow{}, err
	}
	doc := search.CharacterDoc(c)
	return characterRow{c: c, cols: cols, doc: doc, in: search.Index(doc)}, nil
}

func insertCharacter(ctx context.Context, tx *sql.Tx, row characterRow) error {
	c, cols := row.c, row.cols
	_, err := tx.ExecContext(ctx, `INSERT INTO characters (`+characterColumns+`, search_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CampaignID, c.Name, c.CharacterType, cols[0], cols[1], cols[2], c.VoiceNotes, cols[3], cols[4],
		c.Visibility, strArg(c.OwnerID), strArg(c.PortraitFileID), c.Version, micros(c.CreatedAt), micros(c.UpdatedAt), c.SearchKey())
	if err != nil {
		return interpretError(err)
	}
	if err := insertTags(ctx, tx, c); err != nil {
		return err
	}
	return indexNewDoc(ctx, tx, row.doc, row.in)
}

// characterValues returns the text columns stats, notes, gm_notes, aliases
// and tags. Absent documents are {}; invalid JSON is refused here, as the
// PostgreSQL backend refuses it, so neither stores what cannot be read.
func characterValues(c *gmc.Character) ([5]string, error) {
	var out [5]string
	for i, doc := range []json.RawMessage{c.Stats, c.Notes, c.GMNotes} {
		switch {
		case len(doc) == 0:
			out[i] = "{}"
		case !json.Valid(doc):
			return out, fmt.Errorf("character %s: document %d is not valid JSON", c.ID, i)
		default:
			out[i] = string(doc)
		}
	}
	for i, list := range [][]string{c.Aliases, c.Tags} {
		b, err := json.Marshal(nonNil(list))
		if err != nil {
			return out, err
		}
		out[3+i] = string(b)
	}
	return out, nil
}

// insertTags writes the character_tags rows ?tag= looks up.
func insertTags(ctx context.Context, tx *sql.Tx, c *gmc.Character) error {
	if len(c.Tags) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(c.Tags))
	for _, tag := range c.Tags {
		args = append(args, c.CampaignID, tag, c.ID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO character_tags (campaign_id, tag, character_id) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(c.Tags)), ", "), args...)
	return interpretError(err)
}

// Character returns the character with id.
func (db *DB) Character(ctx context.Context, id string) (*gmc.Character, error) {
	return scanCharacter(db.read.QueryRowContext(ctx, `SELECT `+characterColumns+` FROM characters WHERE id = ?`, id))
}

// Characters lists a campaign's characters in id order.
func (db *DB) Characters(ctx context.Context, f store.CharacterFilter) ([]*gmc.Character, string, error) {
	out, next, _, err := db.characters(ctx, "", f)
	return out, next, err
}

// MemberCharacters lists the characters userID may see with userID's
// role, read by the list's statement.
func (db *DB) MemberCharacters(ctx context.Context, userID string, f store.CharacterFilter) ([]*gmc.Character, string, gmc.Role, error) {
	out, next, role, err := db.characters(ctx, userID, f)
	if err == nil && len(out) == 0 {
		// No row carried the role: read it on its own.
		role, err = db.memberRole(ctx, f.CampaignID, userID)
	}
	if err != nil {
		return nil, "", "", err
	}
	return out, next, role, nil
}

// characters lists f; with a member, as the member may see them, each row
// carrying the member's role (NULL for someone not in the campaign, who
// gets ErrNotFound).
func (db *DB) characters(ctx context.Context, member string, f store.CharacterFilter) ([]*gmc.Character, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	q := `SELECT ` + characterColumns + ` FROM characters WHERE campaign_id = ? AND id > ?`
	args := []any{f.CampaignID, f.Page.Cursor}
	if member != "" {
		q = `WITH me AS (SELECT role FROM members WHERE campaign_id = ? AND user_id = ?)
			SELECT ` + characterColumns + `, (SELECT role FROM me) FROM characters WHERE campaign_id = ? AND id > ?
			AND (visibility = 'players' OR (SELECT role FROM me) = 'gm')`
		args = []any{f.CampaignID, member, f.CampaignID, f.Page.Cursor}
		f.HideGMOnly = false
	}
	if f.Type != "" {
		q += ` AND character_type = ?`
		args = append(args, f.Type)
	}
	if f.OwnerID != "" {
		q += ` AND owner_id = ?`
		args = append(args, f.OwnerID)
	}
	if f.Tag != "" {
		q += ` AND id IN (SELECT character_id FROM character_tags WHERE campaign_id = ? AND tag = ?)`
		args = append(args, f.CampaignID, f.Tag)
	}
	if f.Query != "" {
		q += ` AND instr(search_key, ?) > 0`
		args = append(args, f.Query)
	}
	if f.HideGMOnly {
		q += ` AND visibility = 'players'`
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, f.Page.Limit+1)...)
	if err != nil {
		return nil, "", "", interpretError(err)
	}
	var role sql.NullString
	scan := scanCharacter
	if member != "" {
		scan = func(row interface{ Scan(...any) error }) (*gmc.Character, error) {
			return scanCharacter(withRole{row, &role})
		}
	}
	out, err := collectRows(rows, scan)
	if err != nil {
		return nil, "", "", err
	}
	if member != "" && len(out) > 0 && !role.Valid {
		return nil, "", "", gmc.ErrNotFound
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(c *gmc.Character) string { return c.ID })
	return out, next, gmc.Role(role.String), nil
}

// UpdateCharacter writes c when its version is current.
func (db *DB) UpdateCharacter(ctx context.Context, c *gmc.Character, ev *gmc.Event) error {
	cols, err := characterValues(c)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE characters SET name = ?, character_type = ?, stats = ?, notes = ?, gm_notes = ?, voice_notes = ?,
			aliases = ?, tags = ?, search_key = ?, visibility = ?, owner_id = ?, portrait_file_id = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`,
			c.Name, c.CharacterType, cols[0], cols[1], cols[2], c.VoiceNotes, cols[3], cols[4], c.SearchKey(),
			c.Visibility, strArg(c.OwnerID), strArg(c.PortraitFileID), micros(c.UpdatedAt), c.ID, c.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "characters", c.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM character_tags WHERE character_id = ?`, c.ID); err != nil {
			return interpretError(err)
		}
		if err := insertTags(ctx, tx, c); err != nil {
			return err
		}
		if err := indexDoc(ctx, tx, search.CharacterDoc(c)); err != nil {
			return err
		}
		c.Version++
		return insertEvent(ctx, tx, ev)
	})
}

// DeleteCharacter removes the character; ON DELETE CASCADE removes its
// tags, achievements and relationships (and so their history) with it.
func (db *DB) DeleteCharacter(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM characters WHERE id = ?`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// collectRows scans every row with scan and closes rows.
func collectRows[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, interpretError(rows.Err())
}

// strArg passes an optional string: NULL when nil.
func strArg(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func strPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

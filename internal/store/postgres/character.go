package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

const characterColumns = `id, campaign_id, name, character_type, stats, notes, gm_notes, voice_notes, aliases, tags,
	visibility, owner_id, portrait_file_id, version, created_at, updated_at`

func scanCharacter(row pgx.Row) (*gmc.Character, error) {
	var c gmc.Character
	var stats, notes, gmNotes []byte
	if err := row.Scan(&c.ID, &c.CampaignID, &c.Name, &c.CharacterType, &stats, &notes, &gmNotes, &c.VoiceNotes, &c.Aliases, &c.Tags,
		&c.Visibility, &c.OwnerID, &c.PortraitFileID, &c.Version, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, interpretError(err)
	}
	c.Stats, c.Notes, c.GMNotes = stats, notes, gmNotes
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// CreateCharacter inserts c, its tags, its search document and ev as one
// batch: one round trip instead of one per statement and BEGIN/COMMIT.
func (db *DB) CreateCharacter(ctx context.Context, c *gmc.Character, ev *gmc.Event) error {
	docs, err := characterDocs(c)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	if c.OwnerID != nil {
		// The lock lockOwner takes, in its order; a missing owner fails
		// the insert's foreign key below.
		b.Queue(`SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE`, *c.OwnerID)
	}
	b.Queue(`INSERT INTO characters (`+characterColumns+`, search_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $16)`,
		c.ID, c.CampaignID, c.Name, string(c.CharacterType), docs[0], docs[1], docs[2], c.VoiceNotes,
		nonNil(c.Aliases), nonNil(c.Tags), string(c.Visibility), c.OwnerID, c.PortraitFileID, c.CreatedAt, c.UpdatedAt, c.SearchKey())
	if len(c.Tags) > 0 {
		b.Queue(`INSERT INTO character_tags (campaign_id, tag, character_id) SELECT $1, unnest($2::text[]), $3`, c.CampaignID, c.Tags, c.ID)
	}
	queueIndexDoc(b, search.CharacterDoc(c))
	queueEvent(b, ev)
	if err := db.batch(ctx, b); err != nil {
		return err
	}
	c.Version = 1
	return nil
}

// CreateCharacters inserts many characters in one transaction.
func (db *DB) CreateCharacters(ctx context.Context, cs []*gmc.Character, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		for _, c := range cs {
			if err := insertCharacter(ctx, tx, c); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		for _, c := range cs {
			c.Version = 1
		}
		analyze(ctx, db, "characters, character_tags")
	}
	return err
}

// analyze refreshes the planner's statistics of tables after a bulk load.
// Autovacuum would get there within a minute or so; until then the planner
// takes the tables for nearly empty and picks nested loops that are slow
// at thousands of rows (a tag filter took 50 ms instead of 0.5). A failure
// only leaves that to autovacuum, so it is not reported.
// Inside InTx it waits for the commit: the rows are not there to count
// before, and ANALYZE would hold its table lock until the end.
func analyze(ctx context.Context, db *DB, tables string) {
	run := func(ctx context.Context) { _, _ = db.pool.Exec(ctx, `ANALYZE `+tables) }
	if db.open != nil {
		db.open.afterCommit = append(db.open.afterCommit, run)
		return
	}
	run(ctx)
}

func insertCharacter(ctx context.Context, tx pgx.Tx, c *gmc.Character) error {
	docs, err := characterDocs(c)
	if err != nil {
		return err
	}
	if err := lockOwner(ctx, tx, c.OwnerID); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO characters (`+characterColumns+`, search_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $16)`,
		c.ID, c.CampaignID, c.Name, string(c.CharacterType), docs[0], docs[1], docs[2], c.VoiceNotes,
		nonNil(c.Aliases), nonNil(c.Tags), string(c.Visibility), c.OwnerID, c.PortraitFileID, c.CreatedAt, c.UpdatedAt, c.SearchKey())
	if err != nil {
		return interpretError(err)
	}
	if err := insertTags(ctx, tx, c); err != nil {
		return err
	}
	return indexDoc(ctx, tx, search.CharacterDoc(c))
}

// lockOwner takes a key-share lock on the owner's user row before the
// character row refers to it. The foreign-key check would take the same
// lock, but only after the campaign's; DeleteUser locks the user first and
// then the campaign, so taking them in its order keeps the two from
// deadlocking.
func lockOwner(ctx context.Context, tx pgx.Tx, ownerID *string) error {
	if ownerID == nil {
		return nil
	}
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE`, *ownerID).Scan(&one)
	return interpretError(err)
}

// insertTags writes the character_tags rows ?tag= looks up.
func insertTags(ctx context.Context, tx pgx.Tx, c *gmc.Character) error {
	if len(c.Tags) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO character_tags (campaign_id, tag, character_id) SELECT $1, unnest($2::text[]), $3`, c.CampaignID, c.Tags, c.ID)
	return interpretError(err)
}

// Character returns the character with id.
func (db *DB) Character(ctx context.Context, id string) (*gmc.Character, error) {
	return scanCharacter(db.q.QueryRow(ctx, `SELECT `+characterColumns+` FROM characters WHERE id = $1`, id))
}

// Characters lists a campaign's characters in id order.
func (db *DB) Characters(ctx context.Context, f store.CharacterFilter) ([]*gmc.Character, string, error) {
	f.Page = f.Page.Normalize()
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", err
	}
	if !isUUID(f.CampaignID) || (f.OwnerID != "" && !isUUID(f.OwnerID)) {
		return nil, "", nil
	}
	q, args := characterQuery(f)
	rows, err := db.reader(ctx).Query(ctx, `SELECT `+characterColumns+` FROM characters WHERE `+q, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanCharacter)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(c *gmc.Character) string { return c.ID })
	return out, next, nil
}

// MemberCharacters lists the characters userID may see with userID's
// role, read by the list's statement.
func (db *DB) MemberCharacters(ctx context.Context, userID string, f store.CharacterFilter) ([]*gmc.Character, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	if !isUUID(f.CampaignID) || !isUUID(userID) {
		return nil, "", "", gmc.ErrNotFound
	}
	of := campaignMember(f.CampaignID, userID)
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", "", db.memberFails(ctx, of, err)
	}
	if f.OwnerID != "" && !isUUID(f.OwnerID) {
		// No character has that owner.
		role, err := db.readRole(ctx, of)
		return nil, "", role, err
	}
	m, err := db.memberScope(ctx, of, true)
	if err != nil {
		return nil, "", "", err
	}
	f.HideGMOnly = false
	q, args := characterQuery(f)
	for k, v := range args {
		m.of.args[k] = v
	}
	out, role, err := memberList(ctx, db, m, `SELECT `+characterColumns+`, (SELECT role FROM me) FROM characters
		WHERE EXISTS (SELECT 1 FROM me) AND (visibility = 'players' OR (SELECT role FROM me) = 'gm') AND `+q, scanCharacter)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(c *gmc.Character) string { return c.ID })
	return out, next, role, nil
}

// characterQuery is the condition, order and limit of a list of f, with
// its named arguments.
func characterQuery(f store.CharacterFilter) (string, pgx.NamedArgs) {
	q := `campaign_id = @campaign`
	args := pgx.NamedArgs{"campaign": f.CampaignID, "limit": f.Page.Limit + 1}
	for _, c := range []struct{ cond, name, val string }{
		{` AND id > @cursor`, "cursor", f.Page.Cursor},
		{` AND character_type = @type`, "type", string(f.Type)},
		{` AND owner_id = @owner`, "owner", f.OwnerID},
		{` AND id IN (SELECT character_id FROM character_tags WHERE campaign_id = @campaign AND tag = @tag)`, "tag", f.Tag},
		{` AND strpos(search_key, @query) > 0`, "query", f.Query},
	} {
		if c.val != "" {
			q += c.cond
			args[c.name] = c.val
		}
	}
	if f.HideGMOnly {
		q += ` AND visibility = 'players'`
	}
	return q + ` ORDER BY id LIMIT @limit`, args
}

// UpdateCharacter writes c when its version is current.
func (db *DB) UpdateCharacter(ctx context.Context, c *gmc.Character, ev *gmc.Event) error {
	docs, err := characterDocs(c)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockOwner(ctx, tx, c.OwnerID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE characters SET name = $1, character_type = $2, stats = $3, notes = $4, gm_notes = $5, voice_notes = $6,
			aliases = $7, tags = $8, search_key = $9, visibility = $10, owner_id = $11, portrait_file_id = $12, version = version + 1, updated_at = $13
			WHERE id = $14 AND version = $15`,
			c.Name, string(c.CharacterType), docs[0], docs[1], docs[2], c.VoiceNotes, nonNil(c.Aliases), nonNil(c.Tags),
			c.SearchKey(), string(c.Visibility), c.OwnerID, c.PortraitFileID, c.UpdatedAt, c.ID, c.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "characters", c.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM character_tags WHERE character_id = $1`, c.ID); err != nil {
			return interpretError(err)
		}
		if err := insertTags(ctx, tx, c); err != nil {
			return err
		}
		if err := indexDoc(ctx, tx, search.CharacterDoc(c)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		c.Version++ // only once the new version is committed
	}
	return err
}

// DeleteCharacter removes the character; ON DELETE CASCADE removes its
// tags, achievements and relationships (and so their history) with it.
func (db *DB) DeleteCharacter(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM characters WHERE id = $1`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// characterDocs returns stats, notes and gm_notes as column values: {}
// when absent, and checked to be JSON, because the server's complaint
// about bad JSON shares its code with a malformed uuid (see interpretError).
func characterDocs(c *gmc.Character) ([3]string, error) {
	var out [3]string
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
	return out, nil
}

// nonNil makes a nil list an empty array rather than NULL.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

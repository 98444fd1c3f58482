package migration

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/gmc-project/gmc/internal/search"
)

// Migration 00023 indexes transcript segments for search. It is written in
// Go because the index holds the words as package search normalises them
// (textmatch's case and diacritic folding, possessives), which no SQL
// function of either database reproduces; existing segments, and the
// names their keyword hits resolved, are indexed here as new ones are by
// the stores.

const segmentSearchPostgres = `
-- One row per segment: its words (weight D), the names of its hits that
-- players see (C) and of GM-only hits (A); players' queries ask for C and
-- D only.
CREATE TABLE segment_search (
    segment_id  uuid PRIMARY KEY REFERENCES transcript_segments(id) ON DELETE CASCADE,
    campaign_id uuid NOT NULL,
    tsv         tsvector NOT NULL
);
CREATE INDEX segment_search_tsv ON segment_search USING gin (tsv);`

const segmentSearchSQLite = `
-- doc_id is the FTS5 rowid: transcript_segments has no integer key, and
-- its implicit rowid may change on VACUUM.
CREATE TABLE segment_search (
    doc_id      INTEGER PRIMARY KEY,
    segment_id  TEXT NOT NULL UNIQUE REFERENCES transcript_segments(id) ON DELETE CASCADE,
    campaign_id TEXT NOT NULL
);
-- Words of the text, names of hits players see, names of GM-only hits.
CREATE VIRTUAL TABLE segment_text USING fts5(words, names, gm_names, content='', contentless_delete=1, tokenize='unicode61');
CREATE TRIGGER segment_search_fts_delete AFTER DELETE ON segment_search BEGIN
    DELETE FROM segment_text WHERE rowid = OLD.doc_id;
END;`

// backfillBatch is how many segments the migration indexes per statement
// round.
const backfillBatch = 2000

func segmentSearchMigration(dialect goose.Dialect) *goose.Migration {
	return goose.NewGoMigration(23, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		ddl := segmentSearchSQLite
		if dialect == goose.DialectPostgres {
			ddl = segmentSearchPostgres
		}
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("create segment index: %w", err)
		}
		return backfillSegments(ctx, tx, dialect)
	}}, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		q := `DROP TABLE segment_search`
		if dialect != goose.DialectPostgres {
			q = `DROP TABLE segment_text; DROP TABLE segment_search`
		}
		_, err := tx.ExecContext(ctx, q)
		return err
	}})
}

type backfillRow struct {
	id, campaign, text string
	mentions           []search.Mention
}

// backfillSegments indexes every stored segment, in id order, a batch at
// a time.
func backfillSegments(ctx context.Context, tx *sql.Tx, dialect goose.Dialect) error {
	pg := dialect == goose.DialectPostgres
	page := `SELECT t.id, g.campaign_id, t.text FROM transcript_segments t JOIN game_sessions g ON g.id = t.session_id
		WHERE t.id > ? ORDER BY t.id LIMIT ?`
	hits := `SELECT segment_id, name, gm_only FROM keyword_hits WHERE kind = 'term' AND segment_id IN (SELECT value FROM json_each(?))`
	if pg {
		page = `SELECT t.id::text, g.campaign_id::text, t.text FROM transcript_segments t JOIN game_sessions g ON g.id = t.session_id
			WHERE t.id > $1::uuid ORDER BY t.id LIMIT $2`
		hits = `SELECT segment_id::text, name, gm_only FROM keyword_hits WHERE kind = 'term' AND segment_id = ANY($1::uuid[])`
	}
	after := "00000000-0000-0000-0000-000000000000"
	if !pg {
		after = ""
	}
	for {
		batch, err := backfillPage(ctx, tx, page, after)
		if err != nil || len(batch) == 0 {
			return err
		}
		after = batch[len(batch)-1].id
		if err := backfillMentions(ctx, tx, hits, pg, batch); err != nil {
			return err
		}
		if pg {
			err = backfillPostgres(ctx, tx, batch)
		} else {
			err = backfillSQLite(ctx, tx, batch)
		}
		if err != nil {
			return fmt.Errorf("index segments: %w", err)
		}
	}
}

func backfillPage(ctx context.Context, tx *sql.Tx, q, after string) ([]*backfillRow, error) {
	rows, err := tx.QueryContext(ctx, q, after, backfillBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*backfillRow
	for rows.Next() {
		var r backfillRow
		if err := rows.Scan(&r.id, &r.campaign, &r.text); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

func backfillMentions(ctx context.Context, tx *sql.Tx, q string, pg bool, batch []*backfillRow) error {
	byID := make(map[string]*backfillRow, len(batch))
	ids := make([]string, len(batch))
	for i, r := range batch {
		byID[r.id], ids[i] = r, r.id
	}
	var arg any = `["` + strings.Join(ids, `","`) + `"]` // ids are uuids: nothing to escape
	if pg {
		arg = ids
	}
	rows, err := tx.QueryContext(ctx, q, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var m search.Mention
		if err := rows.Scan(&id, &m.Name, &m.GMOnly); err != nil {
			return err
		}
		if r := byID[id]; r != nil {
			r.mentions = append(r.mentions, m)
		}
	}
	return rows.Err()
}

func backfillPostgres(ctx context.Context, tx *sql.Tx, batch []*backfillRow) error {
	ids, campaigns := make([]string, len(batch)), make([]string, len(batch))
	words, names, gm := make([]string, len(batch)), make([]string, len(batch)), make([]string, len(batch))
	for i, r := range batch {
		in := search.IndexSegment(r.text, r.mentions)
		ids[i], campaigns[i], words[i], names[i], gm[i] = r.id, r.campaign, in.Words, in.Names, in.GMNames
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO segment_search (segment_id, campaign_id, tsv)
		SELECT id, campaign, to_tsvector('simple', w) || setweight(to_tsvector('simple', n), 'C') || setweight(to_tsvector('simple', g), 'A')
		FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS s(id, campaign, w, n, g)`, ids, campaigns, words, names, gm)
	return err
}

func backfillSQLite(ctx context.Context, tx *sql.Tx, batch []*backfillRow) error {
	for _, r := range batch {
		in := search.IndexSegment(r.text, r.mentions)
		var doc int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO segment_search (segment_id, campaign_id) VALUES (?, ?) RETURNING doc_id`, r.id, r.campaign).Scan(&doc); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO segment_text (rowid, words, names, gm_names) VALUES (?, ?, ?, ?)`, doc, in.Words, in.Names, in.GMNames); err != nil {
			return err
		}
	}
	return nil
}

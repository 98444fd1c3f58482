package apibench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the floor's own SQLite connections
)

// The floor is what a bare net/http handler costs reading and writing the
// same rows as gmc: no authentication, no membership check, no
// middleware, one statement per request. gmc's figures are read against
// it, so that the ratio carries from one machine to another.

// floorStore is the floor's one statement per request.
type floorStore interface {
	campaign(ctx context.Context, id string) (any, error)
	characters(ctx context.Context, campaignID string) (any, error)
	insertCharacter(ctx context.Context, campaignID, name string) (any, error)
	close()
}

type floorCampaign struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	GameSystem  string          `json:"game_system"`
	Settings    json.RawMessage `json:"settings"`
	CreatedBy   string          `json:"created_by"`
	Version     int64           `json:"version"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

type floorCharacter struct {
	ID            string          `json:"id"`
	CampaignID    string          `json:"campaign_id"`
	Name          string          `json:"name"`
	CharacterType string          `json:"character_type"`
	Stats         json.RawMessage `json:"stats"`
	Notes         json.RawMessage `json:"notes"`
	VoiceNotes    string          `json:"voice_notes"`
	Aliases       any             `json:"aliases"`
	Tags          any             `json:"tags"`
	Visibility    string          `json:"visibility"`
	OwnerID       *string         `json:"owner_id"`
	Version       int64           `json:"version"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// floorHandler serves GET /campaigns/{id}, GET /campaigns/{id}/characters
// and POST /campaigns/{id}/characters ({"name": …}) from fs.
func floorHandler(fs floorStore) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v any, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /campaigns/{id}", func(w http.ResponseWriter, r *http.Request) {
		v, err := fs.campaign(r.Context(), r.PathValue("id"))
		reply(w, http.StatusOK, v, err)
	})
	mux.HandleFunc("GET /campaigns/{id}/characters", func(w http.ResponseWriter, r *http.Request) {
		v, err := fs.characters(r.Context(), r.PathValue("id"))
		reply(w, http.StatusOK, map[string]any{"items": v}, err)
	})
	mux.HandleFunc("POST /campaigns/{id}/characters", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Name == "" {
			http.Error(w, "body.name: required", http.StatusBadRequest)
			return
		}
		v, err := fs.insertCharacter(r.Context(), r.PathValue("id"), body.Name)
		reply(w, http.StatusCreated, v, err)
	})
	return mux
}

const (
	floorCampaignQuery   = `SELECT id, name, description, game_system, settings, created_by, version, created_at, updated_at FROM campaigns WHERE id = $1`
	floorCharactersQuery = `SELECT id, campaign_id, name, character_type, stats, notes, voice_notes, aliases, tags, visibility, owner_id, version, created_at, updated_at
		FROM characters WHERE campaign_id = $1 ORDER BY id LIMIT 51`
	floorInsert = `INSERT INTO characters (id, campaign_id, name, character_type, visibility, search_key, created_at, updated_at)
		VALUES ($1, $2, $3, 'npc', 'gm', $4, $5, $6)`
)

// sqliteFloor reads through a pool of the size gmc's read pool has and
// writes through one connection, as gmc does.
type sqliteFloor struct{ read, write *sql.DB }

func openSQLiteFloor(path string) (*sqliteFloor, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(ON)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	read.SetMaxIdleConns(max(4, runtime.NumCPU()))
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		read.Close()
		return nil, err
	}
	write.SetMaxOpenConns(1)
	return &sqliteFloor{read: read, write: write}, nil
}

func (f *sqliteFloor) close() { f.read.Close(); f.write.Close() }

func (f *sqliteFloor) campaign(ctx context.Context, id string) (any, error) {
	var c floorCampaign
	var settings string
	var created, updated int64
	err := f.read.QueryRowContext(ctx, floorCampaignQuery, id).Scan(&c.ID, &c.Name, &c.Description, &c.GameSystem, &settings, &c.CreatedBy, &c.Version, &created, &updated)
	c.Settings, c.CreatedAt, c.UpdatedAt = json.RawMessage(settings), time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return &c, err
}

func (f *sqliteFloor) characters(ctx context.Context, campaignID string) (any, error) {
	rows, err := f.read.QueryContext(ctx, floorCharactersQuery, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []floorCharacter
	for rows.Next() {
		var c floorCharacter
		var stats, notes, aliases, tags string
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.CampaignID, &c.Name, &c.CharacterType, &stats, &notes, &c.VoiceNotes, &aliases, &tags,
			&c.Visibility, &c.OwnerID, &c.Version, &created, &updated); err != nil {
			return nil, err
		}
		c.Stats, c.Notes, c.Aliases, c.Tags = json.RawMessage(stats), json.RawMessage(notes), json.RawMessage(aliases), json.RawMessage(tags)
		c.CreatedAt, c.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func (f *sqliteFloor) insertCharacter(ctx context.Context, campaignID, name string) (any, error) {
	now := time.Now().UTC()
	c := floorCharacter{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: campaignID, Name: name, CharacterType: "npc", Visibility: "gm",
		Stats: json.RawMessage("{}"), Notes: json.RawMessage("{}"), Aliases: []string{}, Tags: []string{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	_, err := f.write.ExecContext(ctx, floorInsert, c.ID, campaignID, name, name, now.UnixMicro(), now.UnixMicro())
	return &c, err
}

// pgFloor uses a pgx pool configured as gmc's is (by the same URL).
type pgFloor struct{ pool *pgxpool.Pool }

func openPGFloor(ctx context.Context, url string) (*pgFloor, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, errors.New("floor: invalid PostgreSQL URL")
	}
	return &pgFloor{pool: pool}, pool.Ping(ctx)
}

func (f *pgFloor) close() { f.pool.Close() }

func (f *pgFloor) campaign(ctx context.Context, id string) (any, error) {
	var c floorCampaign
	err := f.pool.QueryRow(ctx, floorCampaignQuery, id).Scan(&c.ID, &c.Name, &c.Description, &c.GameSystem, &c.Settings, &c.CreatedBy, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	return &c, err
}

func (f *pgFloor) characters(ctx context.Context, campaignID string) (any, error) {
	rows, err := f.pool.Query(ctx, floorCharactersQuery, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []floorCharacter
	for rows.Next() {
		var c floorCharacter
		var stats, notes []byte
		var aliases, tags []string
		if err := rows.Scan(&c.ID, &c.CampaignID, &c.Name, &c.CharacterType, &stats, &notes, &c.VoiceNotes, &aliases, &tags,
			&c.Visibility, &c.OwnerID, &c.Version, &c.CreatedAt, &c.UpdatedAt); err != nil {
			return nil, err
		}
		c.Stats, c.Notes, c.Aliases, c.Tags = stats, notes, aliases, tags
		out = append(out, c)
	}
	return out, rows.Err()
}

func (f *pgFloor) insertCharacter(ctx context.Context, campaignID, name string) (any, error) {
	now := time.Now().UTC()
	c := floorCharacter{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: campaignID, Name: name, CharacterType: "npc", Visibility: "gm",
		Stats: json.RawMessage("{}"), Notes: json.RawMessage("{}"), Aliases: []string{}, Tags: []string{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	_, err := f.pool.Exec(ctx, floorInsert, c.ID, campaignID, name, name, now, now)
	return &c, err
}

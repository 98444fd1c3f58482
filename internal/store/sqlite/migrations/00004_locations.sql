-- +goose Up
-- The location tree. path is the materialised path '/<root id>/…/<id>/':
-- ancestors are the ids in it, and a subtree is the range
-- path >= '/…/<id>/' AND path < '/…/<id>0' ('0' is the byte after '/'),
-- which the (campaign_id, path) index serves because the column keeps
-- SQLite's default BINARY collation (byte order).
CREATE TABLE locations (
    id            TEXT PRIMARY KEY,
    campaign_id   TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    -- A safety net only: deletes remove whole subtrees by path range.
    parent_id     TEXT REFERENCES locations(id) ON DELETE CASCADE,
    path          TEXT NOT NULL COLLATE BINARY,
    depth         INTEGER NOT NULL CHECK (depth BETWEEN 1 AND 32),
    name          TEXT NOT NULL,
    location_type TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    metadata      TEXT NOT NULL DEFAULT '{}',
    coordinates   TEXT NOT NULL DEFAULT '{}',
    visibility    TEXT NOT NULL CHECK (visibility IN ('gm', 'players')),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    -- The target of composite foreign keys (plot_locations) that make
    -- "in the same campaign" a rule of the database.
    UNIQUE (campaign_id, id)
);
CREATE UNIQUE INDEX locations_path ON locations(campaign_id, path);
-- Children in order; also what the parent_id foreign key looks up.
CREATE INDEX locations_parent ON locations(parent_id, path);
CREATE INDEX locations_roots ON locations(campaign_id, path) WHERE parent_id IS NULL;
-- The GM-only locations of a campaign: what hides subtrees from players.
CREATE INDEX locations_hidden ON locations(campaign_id, path) WHERE visibility = 'gm';

-- +goose Down
DROP TABLE locations;

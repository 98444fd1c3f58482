-- +goose Up
-- The location tree. path is the materialised path '/<root id>/…/<id>/':
-- ancestors are the ids in it, and a subtree is the range
-- path >= '/…/<id>/' AND path < '/…/<id>0' ('0' is the byte after '/').
-- COLLATE "C" makes comparisons byte order, as in SQLite, whatever the
-- database's locale; with it the plain B-tree (campaign_id, path) index
-- serves those ranges (a locale collation would need text_pattern_ops).
CREATE TABLE locations (
    id            uuid PRIMARY KEY,
    campaign_id   uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    -- A safety net only: deletes remove whole subtrees by path range.
    parent_id     uuid REFERENCES locations(id) ON DELETE CASCADE,
    path          text COLLATE "C" NOT NULL,
    depth         integer NOT NULL CHECK (depth BETWEEN 1 AND 32),
    name          text NOT NULL,
    location_type text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT '',
    -- json, not jsonb: it keeps the document as written (key order
    -- included), so both backends give back the same bytes.
    metadata      json NOT NULL DEFAULT '{}',
    coordinates   json NOT NULL DEFAULT '{}',
    visibility    text NOT NULL CHECK (visibility IN ('gm', 'players')),
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
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

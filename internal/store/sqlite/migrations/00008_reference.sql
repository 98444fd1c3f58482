-- +goose Up
-- SRD rules data imported with `gmc reference import`; shared by every campaign.
CREATE TABLE reference_entries (
    kind        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    aliases     TEXT NOT NULL DEFAULT '[]',
    variant     INTEGER NOT NULL DEFAULT 0,
    card        TEXT NOT NULL,
    data        TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (kind, slug)
);
CREATE INDEX reference_entries_name ON reference_entries(name COLLATE NOCASE);

-- +goose Down
DROP TABLE reference_entries;

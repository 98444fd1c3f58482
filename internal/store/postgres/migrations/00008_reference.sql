-- +goose Up
-- SRD rules data imported with `gmc reference import`; shared by every campaign.
CREATE TABLE reference_entries (
    kind        text NOT NULL,
    slug        text NOT NULL,
    name        text NOT NULL,
    aliases     jsonb NOT NULL DEFAULT '[]',
    variant     boolean NOT NULL DEFAULT false,
    card        jsonb NOT NULL,
    data        jsonb NOT NULL,
    content_hash text NOT NULL,
    imported_at timestamptz NOT NULL,
    PRIMARY KEY (kind, slug)
);
CREATE INDEX reference_entries_name ON reference_entries(lower(name));

-- +goose Down
DROP TABLE reference_entries;

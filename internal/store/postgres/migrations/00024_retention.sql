-- +goose Up
-- Serve the retention job (GMC_RETAIN_*), which deletes the oldest rows of
-- each table in batches by these columns.
CREATE INDEX recordings_created ON recordings(created_at);
CREATE INDEX transcript_segments_created ON transcript_segments(created_at);
CREATE INDEX events_at ON events(at);

-- +goose Down
DROP INDEX events_at;
DROP INDEX transcript_segments_created;
DROP INDEX recordings_created;

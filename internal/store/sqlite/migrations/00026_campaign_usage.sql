-- +goose Up
-- What each campaign spent of its monthly budgets, one row per calendar
-- month (UTC, 'YYYY-MM'): language model tokens, and milliseconds of audio
-- transcribed. Rows are only ever added to (AddCampaignUsage); deleting
-- the campaign deletes them.
CREATE TABLE campaign_usage (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    month       TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    ai_tokens   INTEGER NOT NULL DEFAULT 0 CHECK (ai_tokens >= 0),
    audio_ms    INTEGER NOT NULL DEFAULT 0 CHECK (audio_ms >= 0),
    PRIMARY KEY (campaign_id, month)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE campaign_usage;

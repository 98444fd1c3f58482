-- +goose Up
-- What each campaign spent of its monthly budgets, one row per calendar
-- month (UTC, 'YYYY-MM'): language model tokens, and milliseconds of audio
-- transcribed. Rows are only ever added to (AddCampaignUsage); deleting
-- the campaign deletes them.
CREATE TABLE campaign_usage (
    campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    month       text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    ai_tokens   bigint NOT NULL DEFAULT 0 CHECK (ai_tokens >= 0),
    audio_ms    bigint NOT NULL DEFAULT 0 CHECK (audio_ms >= 0),
    PRIMARY KEY (campaign_id, month)
);

-- +goose Down
DROP TABLE campaign_usage;

-- +goose Up
-- Which recap a language model wrote: the player recap falls back to the
-- built-in one on its own, so its mode is kept apart; the model's name;
-- and why a recap is the built-in one although a model is configured.
ALTER TABLE session_summaries ADD COLUMN player_mode TEXT NOT NULL DEFAULT '' CHECK (player_mode IN ('', 'builtin', 'llm'));
ALTER TABLE session_summaries ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE session_summaries ADD COLUMN fallback TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE session_summaries DROP COLUMN fallback;
ALTER TABLE session_summaries DROP COLUMN model;
ALTER TABLE session_summaries DROP COLUMN player_mode;

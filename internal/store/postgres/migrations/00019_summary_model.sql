-- +goose Up
-- Which recap a language model wrote: the player recap falls back to the
-- built-in one on its own, so its mode is kept apart; the model's name;
-- and why a recap is the built-in one although a model is configured.
ALTER TABLE session_summaries
    ADD COLUMN player_mode text NOT NULL DEFAULT '' CHECK (player_mode IN ('', 'builtin', 'llm')),
    ADD COLUMN model text NOT NULL DEFAULT '',
    ADD COLUMN fallback text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE session_summaries DROP COLUMN fallback, DROP COLUMN model, DROP COLUMN player_mode;

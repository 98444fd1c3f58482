-- +goose Up
-- Every access token carries the token version its account had when it was
-- signed; raising the version (logout, a password or email change) ends
-- them all before they expire. Tokens signed before this column existed
-- carry none and count as version 0, the value every account starts at.
ALTER TABLE users ADD COLUMN token_version bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN token_version;

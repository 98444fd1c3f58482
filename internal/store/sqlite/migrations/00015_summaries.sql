-- +goose Up
-- The latest summary of each session, made by the summary job. Every fact
-- in the JSON columns carries the transcript segment ids it came from.
CREATE TABLE session_summaries (
    session_id    TEXT PRIMARY KEY REFERENCES game_sessions(id) ON DELETE CASCADE,
    campaign_id   TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL CHECK (version >= 1),
    mode          TEXT NOT NULL CHECK (mode IN ('builtin', 'llm')),
    gm_recap      TEXT NOT NULL,
    player_recap  TEXT NOT NULL,
    scenes        TEXT NOT NULL,
    entities      TEXT NOT NULL,
    plot_points   TEXT NOT NULL,
    relationship_changes TEXT NOT NULL,
    achievements  TEXT NOT NULL,
    job_id        TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Database updates a summary proposes, applied or rejected by a GM. The
-- unique (session, kind, target) is the idempotency key: a summary job
-- that runs again after a crash, or a summary made again, proposes
-- nothing twice.
CREATE TABLE proposals (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    session_id  TEXT NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('new_npc', 'attitude_change', 'plot_progress', 'milestone_done', 'achievement', 'location_visited')),
    target      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    segment_ids TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'rejected')),
    decided_by  TEXT,
    decided_at  INTEGER,
    result      TEXT,
    job_id      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (session_id, kind, target)
);
CREATE INDEX proposals_session ON proposals(session_id, id);

-- +goose Down
DROP TABLE proposals;
DROP TABLE session_summaries;

-- +goose Up
-- The latest summary of each session, made by the summary job. Every fact
-- in the JSON columns carries the transcript segment ids it came from.
CREATE TABLE session_summaries (
    session_id    uuid PRIMARY KEY REFERENCES game_sessions(id) ON DELETE CASCADE,
    campaign_id   uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    version       bigint NOT NULL CHECK (version >= 1),
    mode          text NOT NULL CHECK (mode IN ('builtin', 'llm')),
    gm_recap      jsonb NOT NULL,
    player_recap  jsonb NOT NULL,
    scenes        jsonb NOT NULL,
    entities      jsonb NOT NULL,
    plot_points   jsonb NOT NULL,
    relationship_changes jsonb NOT NULL,
    achievements  jsonb NOT NULL,
    job_id        text NOT NULL,
    created_at    timestamptz NOT NULL
);

-- Database updates a summary proposes, applied or rejected by a GM. The
-- unique (session, kind, target) is the idempotency key: a summary job
-- that runs again after a crash, or a summary made again, proposes
-- nothing twice.
CREATE TABLE proposals (
    id          uuid PRIMARY KEY,
    campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    session_id  uuid NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('new_npc', 'attitude_change', 'plot_progress', 'milestone_done', 'achievement', 'location_visited')),
    target      text NOT NULL,
    payload     jsonb NOT NULL,
    segment_ids jsonb NOT NULL,
    status      text NOT NULL CHECK (status IN ('pending', 'applied', 'rejected')),
    decided_by  uuid,
    decided_at  timestamptz,
    result      jsonb,
    job_id      text NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (session_id, kind, target)
);
CREATE INDEX proposals_session ON proposals(session_id, id);

-- +goose Down
DROP TABLE proposals;
DROP TABLE session_summaries;

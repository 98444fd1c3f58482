-- +goose Up
-- Plot threads, their dependency DAG, their links to characters and
-- locations, and their foreshadowing. Composite foreign keys on
-- (campaign_id, …) make "in the same campaign" a rule of the database.
CREATE TABLE plot_threads (
    id                          TEXT PRIMARY KEY,
    campaign_id                 TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    title                       TEXT NOT NULL,
    summary                     TEXT NOT NULL DEFAULT '',
    status                      TEXT NOT NULL CHECK (status IN ('hook', 'active', 'stalled', 'resolved', 'abandoned')),
    progress                    INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    -- Ordered, edited with the thread and versioned with it: a JSON array.
    milestones                  TEXT NOT NULL DEFAULT '[]',
    visibility                  TEXT NOT NULL CHECK (visibility IN ('gm', 'players')),
    last_touched_session_id     TEXT REFERENCES game_sessions(id) ON DELETE SET NULL,
    -- What reminders compare with the latest played session's number.
    last_touched_session_number INTEGER NOT NULL DEFAULT 0,
    version                     INTEGER NOT NULL DEFAULT 1,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL,
    UNIQUE (campaign_id, id)
);
CREATE INDEX plot_threads_status ON plot_threads(campaign_id, status, last_touched_session_number);
CREATE INDEX plot_threads_session ON plot_threads(last_touched_session_id);

-- plot_id depends on depends_on_id. The graph of a campaign is loaded
-- whole (by campaign_id) to check that a new edge closes no cycle.
CREATE TABLE plot_dependencies (
    campaign_id   TEXT NOT NULL,
    plot_id       TEXT NOT NULL,
    depends_on_id TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (plot_id, depends_on_id),
    CHECK (plot_id <> depends_on_id),
    FOREIGN KEY (campaign_id, plot_id) REFERENCES plot_threads(campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, depends_on_id) REFERENCES plot_threads(campaign_id, id) ON DELETE CASCADE
);
CREATE INDEX plot_dependencies_upstream ON plot_dependencies(depends_on_id, plot_id);
CREATE INDEX plot_dependencies_campaign ON plot_dependencies(campaign_id);

CREATE TABLE plot_characters (
    campaign_id  TEXT NOT NULL,
    plot_id      TEXT NOT NULL,
    character_id TEXT NOT NULL,
    PRIMARY KEY (plot_id, character_id),
    FOREIGN KEY (campaign_id, plot_id) REFERENCES plot_threads(campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, character_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE
);
CREATE INDEX plot_characters_character ON plot_characters(character_id, plot_id);

CREATE TABLE plot_locations (
    campaign_id TEXT NOT NULL,
    plot_id     TEXT NOT NULL,
    location_id TEXT NOT NULL,
    PRIMARY KEY (plot_id, location_id),
    FOREIGN KEY (campaign_id, plot_id) REFERENCES plot_threads(campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, location_id) REFERENCES locations(campaign_id, id) ON DELETE CASCADE
);
CREATE INDEX plot_locations_location ON plot_locations(location_id, plot_id);

CREATE TABLE foreshadowing (
    id                     TEXT PRIMARY KEY,
    campaign_id            TEXT NOT NULL,
    plot_id                TEXT NOT NULL,
    description            TEXT NOT NULL,
    planted_session_id     TEXT REFERENCES game_sessions(id) ON DELETE SET NULL,
    planted_session_number INTEGER NOT NULL DEFAULT 0,
    revealed               INTEGER NOT NULL DEFAULT 0 CHECK (revealed IN (0, 1)),
    revealed_session_id    TEXT REFERENCES game_sessions(id) ON DELETE SET NULL,
    revealed_at            INTEGER,
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    FOREIGN KEY (campaign_id, plot_id) REFERENCES plot_threads(campaign_id, id) ON DELETE CASCADE
);
CREATE INDEX foreshadowing_plot ON foreshadowing(plot_id, id);
CREATE INDEX foreshadowing_unrevealed ON foreshadowing(campaign_id, planted_session_number) WHERE revealed = 0;
CREATE INDEX foreshadowing_planted ON foreshadowing(planted_session_id);
CREATE INDEX foreshadowing_revealed ON foreshadowing(revealed_session_id);

-- +goose Down
DROP TABLE foreshadowing;
DROP TABLE plot_locations;
DROP TABLE plot_characters;
DROP TABLE plot_dependencies;
DROP TABLE plot_threads;

-- Telemetra schema, version 1 (the tables of release 0.2.0). Applied by the migrate command
-- (./telemetra migrate, or java -cp telemetra.jar io.telemetra.schema.Migrate), which records each
-- version in flyway_schema_history; do not edit a released version, add the next one.
-- Idempotent (IF NOT EXISTS), so a database whose tables were made by hand from 0.2.0's
-- sql/001_schema.sql is brought under version control by the same command without change.
--
-- The predecessor's two tables keep their names and columns. Differences, and why:
--  * timestamps are TIMESTAMPTZ: the old TIMESTAMP columns held UTC without saying so, which made
--    "window_start > NOW() - INTERVAL '1 hour'" wrong in any session whose TimeZone was not UTC;
--  * each table has a unique natural key, so a replay or a restart upserts instead of duplicating rows.

CREATE TABLE IF NOT EXISTS chat_summary_minute (
    id              BIGSERIAL PRIMARY KEY,
    stream_id       VARCHAR(255)     NOT NULL,
    window_start    TIMESTAMPTZ      NOT NULL,
    window_end      TIMESTAMPTZ      NOT NULL,
    chat_count      INTEGER          NOT NULL DEFAULT 0,
    unique_chatters INTEGER          NOT NULL DEFAULT 0,
    avg_sentiment   DOUBLE PRECISION,            -- NULL when the window has no chat
    positive_count  INTEGER          NOT NULL DEFAULT 0,
    negative_count  INTEGER          NOT NULL DEFAULT 0,
    chat_rate       DOUBLE PRECISION,            -- chat_count / window length in seconds
    avg_viewers     DOUBLE PRECISION,            -- NULL when the window has no viewer event
    top_emotes      TEXT[],
    z_score         DOUBLE PRECISION,            -- NULL while the stream's baseline warms up
    is_anomaly      BOOLEAN          DEFAULT FALSE,
    processed_at    TIMESTAMPTZ      DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT chat_summary_minute_stream_window UNIQUE (stream_id, window_start)
);
-- The unique key's index also serves "latest windows of a stream" (scanned backwards).
CREATE INDEX IF NOT EXISTS idx_chat_summary_window ON chat_summary_minute (window_start DESC);

CREATE TABLE IF NOT EXISTS moments (
    id          BIGSERIAL PRIMARY KEY,
    stream_id   VARCHAR(255)     NOT NULL,
    "timestamp" TIMESTAMPTZ      NOT NULL,       -- when the burst started
    moment_type VARCHAR(50)      NOT NULL,
    description TEXT,
    intensity   DOUBLE PRECISION,                -- peak strength of the burst, per type (README)
    metadata    JSONB,
    detected_at TIMESTAMPTZ      DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT moments_stream_type_start UNIQUE (stream_id, moment_type, "timestamp")
);
CREATE INDEX IF NOT EXISTS idx_moments_stream ON moments (stream_id, "timestamp" DESC);
CREATE INDEX IF NOT EXISTS idx_moments_detected ON moments (detected_at DESC);

-- Records the job could not use: never dropped silently. The payload is kept as bytes because a bad
-- record may not be valid UTF-8 (read it with convert_from(payload, 'UTF8') or encode(payload, 'escape')).
CREATE TABLE IF NOT EXISTS rejected_events (
    id               BIGSERIAL PRIMARY KEY,
    source_topic     TEXT         NOT NULL,
    source_partition INTEGER      NOT NULL,
    source_offset    BIGINT       NOT NULL,
    reason           VARCHAR(32)  NOT NULL,      -- not_json, not_object, missing_field, wrong_type,
                                                 -- invalid_value, too_large, future_timestamp, late
    detail           TEXT,
    payload          BYTEA        NOT NULL,      -- at most 64 KiB; see payload_size
    payload_size     INTEGER      NOT NULL,      -- size of the original record in bytes
    record_timestamp TIMESTAMPTZ,                -- the Kafka record's timestamp, when it had one
    rejected_at      TIMESTAMPTZ  NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT rejected_events_source UNIQUE (source_topic, source_partition, source_offset)
);
CREATE INDEX IF NOT EXISTS idx_rejected_events_reason ON rejected_events (reason, rejected_at DESC);

-- Schema version 2: the three tables partitioned by day (UTC) with PostgreSQL's declarative
-- partitioning, so that a year of data is a year of partitions and retention drops whole days.
--
-- Partition keys are times that are the same on every replay: window_start, the moment's
-- "timestamp" (when its burst started), and the Kafka record's timestamp; never now(). PostgreSQL
-- requires every unique key to include the partition key, so the natural keys the job upserts on
-- are kept (chat_summary_minute, moments) or extended by it (rejected_events: the record's
-- timestamp is fixed by its topic, partition and offset, so the key is as unique as before).
-- Each table has a DEFAULT partition: a backfill or replay of any time lands somewhere, and the
-- sink never fails on a missing partition. The migrate command creates the day partitions ahead and
-- drops expired ones (telemetra_ensure_day_partition, telemetra_drop_day_partitions_before below),
-- each in a short transaction of its own.
--
-- Existing rows are copied into the new tables (into the DEFAULT partition; migrate then moves
-- them into day partitions, one day per transaction). The job must be stopped while this runs;
-- job versions before this schema refuse it at start-up (their unique key for rejected_events
-- differs).

-- the column a partitioned table is partitioned by
CREATE OR REPLACE FUNCTION telemetra_partition_key(parent text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT a.attname::text
      FROM pg_partitioned_table p
      JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
     WHERE p.partrelid = parent::regclass
$$;

-- the day partition of parent for day (UTC), created unless it exists; rows of that day that
-- already sit in the DEFAULT partition are moved into it first. Returns whether it was created.
CREATE OR REPLACE FUNCTION telemetra_ensure_day_partition(parent text, day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    part text := parent || '_p' || to_char(day, 'YYYYMMDD');
    lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
    key text;
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    key := telemetra_partition_key(parent);
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
    EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE %I >= %L AND %I < %L',
                   part, parent || '_default', key, lo, key, hi);
    EXECUTE format('DELETE FROM %I WHERE %I >= %L AND %I < %L',
                   parent || '_default', key, lo, key, hi);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   parent, part, lo, hi);
    RETURN true;
END $$;

-- drops the day partitions of parent that end on or before cutoff, and deletes the DEFAULT
-- partition's rows before it; returns the number of partitions dropped
CREATE OR REPLACE FUNCTION telemetra_drop_day_partitions_before(parent text, cutoff date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part text;
    dropped integer := 0;
    key text;
BEGIN
    FOR part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = parent::regclass AND c.relname ~ ('^' || parent || '_p[0-9]{8}$')
    LOOP
        IF to_date(right(part, 8), 'YYYYMMDD') + 1 <= cutoff THEN
            EXECUTE format('DROP TABLE %I', part);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    key := telemetra_partition_key(parent);
    EXECUTE format('DELETE FROM %I WHERE %I < %L',
                   parent || '_default', key, cutoff::timestamp AT TIME ZONE 'UTC');
    RETURN dropped;
END $$;

-- chat_summary_minute, partitioned by window_start
ALTER TABLE chat_summary_minute RENAME TO chat_summary_minute_v1;
ALTER TABLE chat_summary_minute_v1 RENAME CONSTRAINT chat_summary_minute_stream_window
    TO chat_summary_minute_v1_stream_window;
ALTER INDEX IF EXISTS idx_chat_summary_window RENAME TO idx_chat_summary_window_v1;
ALTER INDEX IF EXISTS idx_chat_summary_stream RENAME TO idx_chat_summary_stream_v1;
CREATE TABLE chat_summary_minute (
    id              BIGINT           NOT NULL DEFAULT nextval('chat_summary_minute_id_seq'),
    stream_id       VARCHAR(255)     NOT NULL,
    window_start    TIMESTAMPTZ      NOT NULL,
    window_end      TIMESTAMPTZ      NOT NULL,
    chat_count      INTEGER          NOT NULL DEFAULT 0,
    unique_chatters INTEGER          NOT NULL DEFAULT 0,
    avg_sentiment   DOUBLE PRECISION,
    positive_count  INTEGER          NOT NULL DEFAULT 0,
    negative_count  INTEGER          NOT NULL DEFAULT 0,
    chat_rate       DOUBLE PRECISION,
    avg_viewers     DOUBLE PRECISION,
    top_emotes      TEXT[],
    z_score         DOUBLE PRECISION,
    is_anomaly      BOOLEAN          DEFAULT FALSE,
    processed_at    TIMESTAMPTZ      DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT chat_summary_minute_stream_window PRIMARY KEY (stream_id, window_start)
) PARTITION BY RANGE (window_start);
CREATE TABLE chat_summary_minute_default PARTITION OF chat_summary_minute DEFAULT;
CREATE INDEX idx_chat_summary_window ON chat_summary_minute (window_start DESC);
ALTER SEQUENCE chat_summary_minute_id_seq OWNED BY chat_summary_minute.id;
INSERT INTO chat_summary_minute (id, stream_id, window_start, window_end, chat_count,
        unique_chatters, avg_sentiment, positive_count, negative_count, chat_rate, avg_viewers,
        top_emotes, z_score, is_anomaly, processed_at)
    SELECT id, stream_id, window_start, window_end, chat_count, unique_chatters, avg_sentiment,
           positive_count, negative_count, chat_rate, avg_viewers, top_emotes, z_score, is_anomaly,
           processed_at
      FROM chat_summary_minute_v1;
DROP TABLE chat_summary_minute_v1;

-- moments, partitioned by "timestamp" (when the burst started: fixed for a moment's whole life)
ALTER TABLE moments RENAME TO moments_v1;
ALTER TABLE moments_v1 RENAME CONSTRAINT moments_stream_type_start TO moments_v1_stream_type_start;
ALTER INDEX IF EXISTS idx_moments_stream RENAME TO idx_moments_stream_v1;
ALTER INDEX IF EXISTS idx_moments_detected RENAME TO idx_moments_detected_v1;
CREATE TABLE moments (
    id          BIGINT           NOT NULL DEFAULT nextval('moments_id_seq'),
    stream_id   VARCHAR(255)     NOT NULL,
    "timestamp" TIMESTAMPTZ      NOT NULL,
    moment_type VARCHAR(50)      NOT NULL,
    description TEXT,
    intensity   DOUBLE PRECISION,
    metadata    JSONB,
    detected_at TIMESTAMPTZ      DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT moments_stream_type_start PRIMARY KEY (stream_id, moment_type, "timestamp")
) PARTITION BY RANGE ("timestamp");
CREATE TABLE moments_default PARTITION OF moments DEFAULT;
CREATE INDEX idx_moments_stream ON moments (stream_id, "timestamp" DESC);
CREATE INDEX idx_moments_detected ON moments (detected_at DESC);
ALTER SEQUENCE moments_id_seq OWNED BY moments.id;
INSERT INTO moments (id, stream_id, "timestamp", moment_type, description, intensity, metadata,
        detected_at)
    SELECT id, stream_id, "timestamp", moment_type, description, intensity, metadata, detected_at
      FROM moments_v1;
DROP TABLE moments_v1;

-- rejected_events, partitioned by the Kafka record's timestamp (1970-01-01 when it had none)
ALTER TABLE rejected_events RENAME TO rejected_events_v1;
ALTER TABLE rejected_events_v1 RENAME CONSTRAINT rejected_events_source TO rejected_events_v1_source;
ALTER INDEX IF EXISTS idx_rejected_events_reason RENAME TO idx_rejected_events_reason_v1;
CREATE TABLE rejected_events (
    id               BIGINT       NOT NULL DEFAULT nextval('rejected_events_id_seq'),
    source_topic     TEXT         NOT NULL,
    source_partition INTEGER      NOT NULL,
    source_offset    BIGINT       NOT NULL,
    reason           VARCHAR(32)  NOT NULL,
    detail           TEXT,
    payload          BYTEA        NOT NULL,
    payload_size     INTEGER      NOT NULL,
    record_timestamp TIMESTAMPTZ  NOT NULL,
    rejected_at      TIMESTAMPTZ  NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT rejected_events_source
        PRIMARY KEY (source_topic, source_partition, source_offset, record_timestamp)
) PARTITION BY RANGE (record_timestamp);
CREATE TABLE rejected_events_default PARTITION OF rejected_events DEFAULT;
CREATE INDEX idx_rejected_events_reason ON rejected_events (reason, rejected_at DESC);
ALTER SEQUENCE rejected_events_id_seq OWNED BY rejected_events.id;
INSERT INTO rejected_events (id, source_topic, source_partition, source_offset, reason, detail,
        payload, payload_size, record_timestamp, rejected_at)
    SELECT id, source_topic, source_partition, source_offset, reason, detail, payload,
           payload_size, COALESCE(record_timestamp, TIMESTAMPTZ '1970-01-01 00:00:00Z'), rejected_at
      FROM rejected_events_v1;
DROP TABLE rejected_events_v1;

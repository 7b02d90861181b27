-- Converts tables created by the Spark job's DDL to what schema version 1 expects. The migrate
-- command runs it by itself, once, when it finds such tables and no schema history (then version 1
-- adds the rest); it is not a version of its own because a new database never needs it.
-- Stop the Spark job first. It runs in one transaction: on any error nothing changes.
BEGIN;

-- The Spark job wrote UTC instants into TIMESTAMP columns; make that explicit.
ALTER TABLE chat_summary_minute
    ALTER COLUMN window_start TYPE TIMESTAMPTZ USING window_start AT TIME ZONE 'UTC',
    ALTER COLUMN window_end   TYPE TIMESTAMPTZ USING window_end AT TIME ZONE 'UTC',
    ALTER COLUMN processed_at TYPE TIMESTAMPTZ USING processed_at AT TIME ZONE 'UTC';
ALTER TABLE moments
    ALTER COLUMN "timestamp"  TYPE TIMESTAMPTZ USING "timestamp" AT TIME ZONE 'UTC',
    ALTER COLUMN detected_at  TYPE TIMESTAMPTZ USING detected_at AT TIME ZONE 'UTC';

-- The Spark job appended a row per trigger, so a window could be written several times: keep the newest.
DELETE FROM chat_summary_minute a USING chat_summary_minute b
 WHERE a.stream_id = b.stream_id AND a.window_start = b.window_start AND a.id < b.id;
DELETE FROM moments a USING moments b
 WHERE a.stream_id = b.stream_id AND a.moment_type = b.moment_type AND a."timestamp" = b."timestamp" AND a.id < b.id;

-- The natural keys Telemetra's idempotent upserts rely on.
ALTER TABLE chat_summary_minute ADD CONSTRAINT chat_summary_minute_stream_window UNIQUE (stream_id, window_start);
ALTER TABLE moments ADD CONSTRAINT moments_stream_type_start UNIQUE (stream_id, moment_type, "timestamp");

-- Telemetra writes these columns NOT NULL-safe; old rows may hold NULL.
UPDATE chat_summary_minute SET chat_count = COALESCE(chat_count, 0), unique_chatters = COALESCE(unique_chatters, 0),
       positive_count = COALESCE(positive_count, 0), negative_count = COALESCE(negative_count, 0)
 WHERE chat_count IS NULL OR unique_chatters IS NULL OR positive_count IS NULL OR negative_count IS NULL;

COMMIT;

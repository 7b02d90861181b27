-- Schema version 3: the moment-alert notifier's delivery records (./telemetra alerts). The job does
-- not write these tables; they live in the same schema history so one migrate brings both.
--
-- One row per moment and webhook, inserted when the notifier first sees the moment committed, so an
-- alert is sent once per moment and target and never lost: the row is written before the webhook is
-- called and marked delivered after it answers (a notifier that dies in between sends it again).
-- Moments are keyed by id here (ids come from one sequence; the notifier reads them from the
-- committed moments table, so rows committed out of id order are all found).
CREATE TABLE IF NOT EXISTS moment_alerts (
    moment_id       BIGINT       NOT NULL,
    target          TEXT         NOT NULL,   -- the webhook's id: scheme, host and a hash of the URL
    stream_id       VARCHAR(255) NOT NULL,
    moment_type     VARCHAR(50)  NOT NULL,
    status          VARCHAR(16)  NOT NULL,   -- pending, delivered, dead, filtered
    attempts        INTEGER      NOT NULL DEFAULT 0,
    payload         TEXT,                    -- the body as of the moment's first sight (retries resend it)
    version         TEXT         NOT NULL,   -- the moment's content when last sent or filtered
    last_error      TEXT,
    next_attempt_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT moment_alerts_moment_target PRIMARY KEY (moment_id, target)
);
CREATE INDEX IF NOT EXISTS idx_moment_alerts_due ON moment_alerts (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS idx_moment_alerts_status ON moment_alerts (status, updated_at DESC);

-- when each webhook was first configured: moments committed before that are not announced to it
CREATE TABLE IF NOT EXISTS moment_alert_targets (
    target     TEXT        PRIMARY KEY,
    since      TIMESTAMPTZ NOT NULL
);

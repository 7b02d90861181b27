package io.telemetra.config;

/**
 * Every option the job accepts: its program-argument name, the environment variable the
 * predecessor's users already know, the default and a one-line description (used by {@code
 * --help}). The README's option table mirrors this enum.
 */
public enum Option {
    MODE(
            "mode",
            "TELEMETRA_MODE",
            "stream",
            "stream (runs forever) or replay (reads up to the offsets present at start, then"
                    + " exits)"),
    KAFKA_BOOTSTRAP_SERVERS(
            "kafka.bootstrap-servers",
            "KAFKA_BOOTSTRAP_SERVERS",
            "localhost:9092",
            "Kafka brokers, host:port[,host:port]"),
    CHAT_TOPIC(
            "kafka.topic.chat",
            "KAFKA_TOPIC_CHAT",
            "telemetra.events.chat",
            "topic of chat events"),
    VIEWER_TOPIC(
            "kafka.topic.viewer",
            "KAFKA_TOPIC_VIEWER",
            "telemetra.events.viewer",
            "topic of viewer-count events"),
    GROUP_ID(
            "kafka.group-id",
            "KAFKA_GROUP_ID",
            "telemetra",
            "consumer group (offsets are committed on checkpoints, for monitoring)"),
    KAFKA_PROPERTIES_FILE(
            "kafka.properties-file",
            "KAFKA_PROPERTIES_FILE",
            null,
            "Kafka client properties file (security.protocol, sasl.*, ssl.*): values never shown;"
                    + " other --kafka.<property> arguments pass through too"),
    STARTING_OFFSETS(
            "kafka.starting-offsets",
            "KAFKA_STARTING_OFFSETS",
            null,
            "committed | earliest | latest; default committed (falling back to earliest) in stream"
                    + " mode, earliest in replay mode"),
    POSTGRES_URL(
            "postgres.url",
            "POSTGRES_URL",
            "jdbc:postgresql://localhost:5432/telemetra",
            "JDBC URL of the PostgreSQL database (sslmode etc. go in the URL)"),
    POSTGRES_USER("postgres.user", "POSTGRES_USER", "telemetra", "PostgreSQL user"),
    POSTGRES_PASSWORD_FILE(
            "postgres.password-file",
            "POSTGRES_PASSWORD_FILE",
            null,
            "file holding the PostgreSQL password (else POSTGRES_PASSWORD from the environment)"),
    SINK_DELIVERY(
            "sink.delivery",
            "SINK_DELIVERY",
            "exactly-once",
            "exactly-once (XA, rows visible when a checkpoint completes) or at-least-once"
                    + " (idempotent upserts, rows visible sooner)"),
    CHECKPOINT_INTERVAL(
            "checkpoint.interval",
            "CHECKPOINT_INTERVAL",
            "10s",
            "checkpoint interval; in exactly-once mode rows become visible when a checkpoint"
                    + " completes"),
    CHECKPOINT_LOCATION(
            "checkpoint.dir",
            "CHECKPOINT_LOCATION",
            null,
            "checkpoint directory URI (file:///..., s3://...); default: the cluster's"
                    + " execution.checkpointing.dir"),
    WATERMARK_DELAY(
            "watermark.delay",
            "WATERMARK_DELAY",
            "10s",
            "bounded out-of-orderness of event timestamps"),
    WATERMARK_IDLENESS(
            "watermark.idleness",
            "WATERMARK_IDLENESS",
            "30s",
            "a Kafka partition silent this long stops holding back the watermark"),
    MAX_FUTURE_SKEW(
            "watermark.max-future-skew",
            "MAX_FUTURE_SKEW",
            "5min",
            "events stamped further than this ahead of the wall clock are rejected as"
                    + " future_timestamp"),
    WINDOW_SIZE("window.size", "WINDOW_SIZE", "60s", "window length (a multiple of the slide)"),
    WINDOW_SLIDE("window.slide", "WINDOW_SLIDE", "10s", "how often windows are emitted"),
    ALLOWED_LATENESS(
            "window.allowed-lateness",
            "ALLOWED_LATENESS",
            "0s",
            "how long after a window fired late events still update it"),
    ANOMALY_THRESHOLD(
            "anomaly.threshold",
            "ANOMALY_THRESHOLD",
            "3.0",
            "chat_spike: z-score of chat_rate at or above which a window is a moment"),
    ANOMALY_HISTORY(
            "anomaly.history",
            "ANOMALY_HISTORY",
            "10",
            "number of previous windows forming each baseline (also the warm-up)"),
    ANOMALY_MIN_STDDEV(
            "anomaly.min-stddev",
            "ANOMALY_MIN_STDDEV",
            "0.5",
            "chat_spike: floor for the baseline's spread, in messages per second"),
    ANOMALY_BASELINE(
            "anomaly.baseline",
            "ANOMALY_BASELINE",
            "mean",
            "baseline centre and spread: mean (mean and stddev) or median (median and MAD)"),
    ANOMALY_COOLDOWN(
            "anomaly.cooldown",
            "ANOMALY_COOLDOWN",
            "30s",
            "anomalous windows of one type at most this far apart are one moment"),
    MOMENTS_MIN_MESSAGES(
            "moments.min-messages",
            "MOMENTS_MIN_MESSAGES",
            "20",
            "sentiment_swing and emote_flood judge only windows with at least this many messages"),
    VIEWER_SPIKE_MIN_INCREASE(
            "moments.viewer-spike.min-increase",
            "VIEWER_SPIKE_MIN_INCREASE",
            "0.5",
            "viewer_spike: average viewers at least this much above the baseline (0.5 = +50%)"),
    VIEWER_DROP_MIN_DECREASE(
            "moments.viewer-drop.min-decrease",
            "VIEWER_DROP_MIN_DECREASE",
            "0.3",
            "viewer_drop: average viewers at least this much below the baseline (0.3 = -30%)"),
    SENTIMENT_SWING_MIN_CHANGE(
            "moments.sentiment-swing.min-change",
            "SENTIMENT_SWING_MIN_CHANGE",
            "0.3",
            "sentiment_swing: average sentiment at least this far from the baseline (scale -1..1)"),
    EMOTE_FLOOD_MIN_SHARE(
            "moments.emote-flood.min-share",
            "EMOTE_FLOOD_MIN_SHARE",
            "0.5",
            "emote_flood: occurrences of the top emote per message at least this"),
    EMOTE_FLOOD_MIN_LIFT(
            "moments.emote-flood.min-lift",
            "EMOTE_FLOOD_MIN_LIFT",
            "3.0",
            "emote_flood: and at least this many times its usual share"),
    SKETCH_LG_K(
            "sketch.lg-k",
            "SKETCH_LG_K",
            "12",
            "log2 of the HyperLogLog sketch size for unique_chatters (4..21)"),
    SENTIMENT_LEXICON(
            "sentiment.lexicon",
            "SENTIMENT_LEXICON",
            null,
            "path of a lexicon file adding to and overriding the built-in one (format in README)");

    private final String argName;
    private final String envName;
    private final String defaultValue;
    private final String description;

    Option(String argName, String envName, String defaultValue, String description) {
        this.argName = argName;
        this.envName = envName;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String argName() {
        return argName;
    }

    public String envName() {
        return envName;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** How the option is named in error messages: both spellings a user may have used. */
    public String label() {
        return "--" + argName + " (env " + envName + ")";
    }

    public static Option byArgName(String name) {
        for (Option o : values()) {
            if (o.argName.equals(name)) {
                return o;
            }
        }
        return null;
    }
}

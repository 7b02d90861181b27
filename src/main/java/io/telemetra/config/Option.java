package io.telemetra.config;

import static io.telemetra.config.OptionType.DURATION;
import static io.telemetra.config.OptionType.POSITIVE_DURATION;
import static io.telemetra.config.OptionType.TEXT;
import static io.telemetra.config.OptionType.doubleIn;
import static io.telemetra.config.OptionType.intIn;
import static io.telemetra.config.OptionType.oneOf;

import io.telemetra.anomaly.MomentSettings;
import io.telemetra.event.EventLimits;
import io.telemetra.sink.PostgresTwoPhaseSink;
import java.util.Locale;

/**
 * Every option the job accepts, each declared once: group, program-argument name, the environment
 * variable the predecessor's users already know, default, type (which parses and checks the value)
 * and help. {@code --help}, the dashboard's job parameters ({@link TelemetraConfig#describe()}) and
 * the option table in docs/configuration.md are generated from these declarations.
 */
public enum Option implements Declared {
    MODE(
            Group.JOB,
            "mode",
            "TELEMETRA_MODE",
            "stream",
            oneOf(TelemetraConfig.Mode.class),
            "stream runs forever; replay reads up to the offsets present at start, then exits"),
    CHECKPOINT_INTERVAL(
            Group.JOB,
            "checkpoint.interval",
            "CHECKPOINT_INTERVAL",
            "10s",
            POSITIVE_DURATION,
            "checkpoint interval; in exactly-once mode rows are committed at checkpoints"
                    + " (docs/reliability.md)"),
    CHECKPOINT_LOCATION(
            Group.JOB,
            "checkpoint.dir",
            "CHECKPOINT_LOCATION",
            null,
            TEXT,
            "checkpoint directory URI (file:///..., s3://...); default: the cluster's"
                    + " execution.checkpointing.dir"),

    KAFKA_BOOTSTRAP_SERVERS(
            Group.KAFKA,
            "kafka.bootstrap-servers",
            "KAFKA_BOOTSTRAP_SERVERS",
            "localhost:9092",
            TEXT,
            "Kafka brokers, host:port[,host:port]"),
    CHAT_TOPIC(
            Group.KAFKA,
            "kafka.topic.chat",
            "KAFKA_TOPIC_CHAT",
            "telemetra.events.chat",
            TEXT,
            "topic of chat events"),
    VIEWER_TOPIC(
            Group.KAFKA,
            "kafka.topic.viewer",
            "KAFKA_TOPIC_VIEWER",
            "telemetra.events.viewer",
            TEXT,
            "topic of viewer-count events"),
    GROUP_ID(
            Group.KAFKA,
            "kafka.group-id",
            "KAFKA_GROUP_ID",
            "telemetra",
            TEXT,
            "consumer group (offsets are committed on checkpoints, for monitoring)"),
    KAFKA_PROPERTIES_FILE(
            Group.KAFKA,
            "kafka.properties-file",
            "KAFKA_PROPERTIES_FILE",
            null,
            TEXT,
            "Kafka client properties file (security.protocol, sasl.*, ssl.*): values never shown;"
                    + " other --kafka.<property> arguments pass through too"),
    STARTING_OFFSETS(
            Group.KAFKA,
            "kafka.starting-offsets",
            "KAFKA_STARTING_OFFSETS",
            null,
            oneOf(TelemetraConfig.StartingOffsets.class),
            "where to start without a checkpoint; default committed (falling back to earliest) in"
                    + " stream mode, earliest in replay mode"),

    WATERMARK_DELAY(
            Group.EVENT_TIME,
            "watermark.delay",
            "WATERMARK_DELAY",
            "10s",
            DURATION,
            "bounded out-of-orderness of event timestamps"),
    WATERMARK_IDLENESS(
            Group.EVENT_TIME,
            "watermark.idleness",
            "WATERMARK_IDLENESS",
            "30s",
            POSITIVE_DURATION,
            "a Kafka partition silent this long stops holding back the watermark"),
    WATERMARK_MAX_DRIFT(
            Group.EVENT_TIME,
            "watermark.max-drift",
            "WATERMARK_MAX_DRIFT",
            "0s",
            DURATION,
            "a Kafka partition whose watermark runs this far ahead of the slowest one pauses until"
                    + " it catches up (Flink's watermark alignment; 30s suits replays of a large"
                    + " backlog at many streams, docs/input-and-output.md); 0 turns it off"),
    MAX_FUTURE_SKEW(
            Group.EVENT_TIME,
            "watermark.max-future-skew",
            "MAX_FUTURE_SKEW",
            "10s",
            POSITIVE_DURATION,
            "events stamped further than this ahead of the wall clock are rejected as"
                    + " future_timestamp; keep it at most watermark.delay, so one such event cannot"
                    + " move the watermark past the present"),

    MAX_MESSAGE_LENGTH(
            Group.EVENTS,
            "events.max-message-length",
            "EVENTS_MAX_MESSAGE_LENGTH",
            Integer.toString(EventLimits.DEFAULT_MAX_MESSAGE_CHARS),
            intIn(1, 1_000_000),
            "longest chat message in characters; longer ones are rejected as too_large"),
    MAX_USER_ID_LENGTH(
            Group.EVENTS,
            "events.max-user-id-length",
            "EVENTS_MAX_USER_ID_LENGTH",
            Integer.toString(EventLimits.DEFAULT_MAX_USER_ID_CHARS),
            intIn(1, 100_000),
            "longest user_id in characters; longer ones are rejected as too_large"),
    MAX_EMOTES(
            Group.EVENTS,
            "events.max-emotes",
            "EVENTS_MAX_EMOTES",
            Integer.toString(EventLimits.DEFAULT_MAX_EMOTES),
            intIn(0, 100_000),
            "most entries in a message's emotes field; more are rejected as too_large (a record"
                    + " larger than all limits together is rejected unread)"),

    WINDOW_SIZE(
            Group.WINDOWS,
            "window.size",
            "WINDOW_SIZE",
            "60s",
            POSITIVE_DURATION,
            "window length (a multiple of the slide)"),
    WINDOW_SLIDE(
            Group.WINDOWS,
            "window.slide",
            "WINDOW_SLIDE",
            "10s",
            POSITIVE_DURATION,
            "how often windows are emitted"),
    ALLOWED_LATENESS(
            Group.WINDOWS,
            "window.allowed-lateness",
            "ALLOWED_LATENESS",
            "0s",
            DURATION,
            "how long after a window fired late events still update it"),
    SKETCH_LG_K(
            Group.WINDOWS,
            "sketch.lg-k",
            "SKETCH_LG_K",
            "12",
            intIn(4, 21),
            "log2 of the HyperLogLog sketch size for unique_chatters (docs/accuracy.md)"),

    ANOMALY_THRESHOLD(
            Group.MOMENTS,
            "anomaly.threshold",
            "ANOMALY_THRESHOLD",
            "3.0",
            doubleIn(0.0, false, 1000.0),
            "z-score at or above which a window is anomalous: chat_rate for chat_spike, and the"
                + " counting-noise floors of sentiment_swing, emote_flood and the viewer types"),
    ANOMALY_HISTORY(
            Group.MOMENTS,
            "anomaly.history",
            "ANOMALY_HISTORY",
            "10",
            intIn(2, 1000),
            "number of previous windows forming each baseline (also the warm-up); sentiment's"
                    + " holds 2 x (window.size / window.slide - 1) more, 10 at the defaults"),
    ANOMALY_MIN_STDDEV(
            Group.MOMENTS,
            "anomaly.min-stddev",
            "ANOMALY_MIN_STDDEV",
            "0.5",
            doubleIn(0.0, false, 1.0e9),
            "chat_spike: floor for the baseline's spread, in messages per second; busy streams get"
                    + " a higher one from counting noise, about √(usual rate / window seconds)"),
    CHAT_SPIKE_MIN_INCREASE(
            Group.MOMENTS,
            "moments.chat-spike.min-increase",
            "CHAT_SPIKE_MIN_INCREASE",
            "0.5",
            doubleIn(0.0, true, 1000.0),
            "chat_spike: and chat_rate at least this much above the baseline (0.5 = +50%)"),
    ANOMALY_BASELINE(
            Group.MOMENTS,
            "anomaly.baseline",
            "ANOMALY_BASELINE",
            "mean",
            oneOf(MomentSettings.BaselineKind.class),
            "baseline centre and spread: mean (mean and stddev) or median (median and MAD)"),
    ANOMALY_COOLDOWN(
            Group.MOMENTS,
            "anomaly.cooldown",
            "ANOMALY_COOLDOWN",
            "30s",
            DURATION,
            "anomalous windows of one type at most this far apart are one moment (whole slides)"),
    MOMENTS_MIN_MESSAGES(
            Group.MOMENTS,
            "moments.min-messages",
            "MOMENTS_MIN_MESSAGES",
            "15",
            intIn(1, 1_000_000),
            "sentiment_swing and emote_flood judge only windows with at least this many messages"),
    VIEWER_SPIKE_MIN_INCREASE(
            Group.MOMENTS,
            "moments.viewer-spike.min-increase",
            "VIEWER_SPIKE_MIN_INCREASE",
            "0.5",
            doubleIn(0.0, false, 1000.0),
            "viewer_spike: average viewers at least this much above the baseline (0.5 = +50%)"),
    VIEWER_DROP_MIN_DECREASE(
            Group.MOMENTS,
            "moments.viewer-drop.min-decrease",
            "VIEWER_DROP_MIN_DECREASE",
            "0.3",
            doubleIn(0.0, false, 1.0),
            "viewer_drop: average viewers at least this much below the baseline (0.3 = -30%)"),
    SENTIMENT_SWING_MIN_CHANGE(
            Group.MOMENTS,
            "moments.sentiment-swing.min-change",
            "SENTIMENT_SWING_MIN_CHANGE",
            "0.35",
            doubleIn(0.0, false, 2.0),
            "sentiment_swing: average sentiment at least this far from the baseline (scale -1..1)"),
    EMOTE_FLOOD_MIN_SHARE(
            Group.MOMENTS,
            "moments.emote-flood.min-share",
            "EMOTE_FLOOD_MIN_SHARE",
            "0.5",
            doubleIn(0.0, false, 1000.0),
            "emote_flood: occurrences of the top emote per message at least this"),
    EMOTE_FLOOD_MIN_LIFT(
            Group.MOMENTS,
            "moments.emote-flood.min-lift",
            "EMOTE_FLOOD_MIN_LIFT",
            "3.0",
            doubleIn(1.0, true, 1000.0),
            "emote_flood: and at least this many times its usual share"),
    MOMENTS_STATE_EXPIRY(
            Group.MOMENTS,
            "moments.state-expiry",
            "MOMENTS_STATE_EXPIRY",
            OptionType.format(MomentSettings.DEFAULT_STATE_EXPIRY),
            POSITIVE_DURATION,
            "a stream silent this long in event time loses its baselines (a stream that ended frees"
                    + " its state); at least anomaly.history x window.slide"),

    SENTIMENT_LEXICON(
            Group.SENTIMENT,
            "sentiment.lexicon",
            "SENTIMENT_LEXICON",
            null,
            TEXT,
            "path of a lexicon file adding to and overriding the built-in one"
                    + " (docs/sentiment-and-moments.md)"),

    POSTGRES_URL(
            Group.POSTGRES,
            "postgres.url",
            "POSTGRES_URL",
            "jdbc:postgresql://localhost:5432/telemetra",
            OptionType.text(
                    "jdbc:postgresql://host:port/database",
                    url -> {
                        if (url.toLowerCase(Locale.ROOT).contains("password=")) {
                            // not repeated in the message: it holds the password
                            return "contains a password; remove it from the URL and set"
                                    + " POSTGRES_PASSWORD or --postgres.password-file instead (the"
                                    + " URL is shown in logs)";
                        }
                        if (!url.startsWith("jdbc:postgresql:")) {
                            return "= '"
                                    + url
                                    + "' is not a PostgreSQL JDBC URL; expected"
                                    + " jdbc:postgresql://host:port/database";
                        }
                        return null;
                    }),
            "JDBC URL of the PostgreSQL database (sslmode etc. go in the URL)"),
    POSTGRES_USER(
            Group.POSTGRES, "postgres.user", "POSTGRES_USER", "telemetra", TEXT, "PostgreSQL user"),
    POSTGRES_PASSWORD_FILE(
            Group.POSTGRES,
            "postgres.password-file",
            "POSTGRES_PASSWORD_FILE",
            null,
            TEXT,
            "file holding the PostgreSQL password (else POSTGRES_PASSWORD from the environment)"),
    SINK_DELIVERY(
            Group.POSTGRES,
            "sink.delivery",
            "SINK_DELIVERY",
            "exactly-once",
            oneOf(TelemetraConfig.Delivery.class),
            "exactly-once (rows committed when their checkpoint completes) or at-least-once"
                    + " (idempotent upserts, rows visible sooner); docs/reliability.md says what"
                    + " each guarantees"),
    SINK_STRAY_TRANSACTIONS(
            Group.POSTGRES,
            "sink.stray-transactions",
            "SINK_STRAY_TRANSACTIONS",
            "fail",
            oneOf(PostgresTwoPhaseSink.StrayTransactions.class),
            "exactly-once: what to do with transactions an earlier job left prepared in"
                    + " PostgreSQL (they lock rows): fail names them, rollback rolls them back");

    /** Options by concern; each part of the job receives only its group's settings. */
    public enum Group {
        JOB("Job"),
        KAFKA("Kafka"),
        EVENT_TIME("Event time"),
        EVENTS("Event size limits"),
        WINDOWS("Windows"),
        MOMENTS("Moments"),
        SENTIMENT("Sentiment"),
        POSTGRES("PostgreSQL sink");

        public final String title;

        Group(String title) {
            this.title = title;
        }
    }

    private final Group group;
    private final String argName;
    private final String envName;
    private final String defaultValue;
    private final OptionType<?> type;
    private final String help;

    Option(
            Group group,
            String argName,
            String envName,
            String defaultValue,
            OptionType<?> type,
            String help) {
        this.group = group;
        this.argName = argName;
        this.envName = envName;
        this.defaultValue = defaultValue;
        this.type = type;
        this.help = help;
    }

    public Group group() {
        return group;
    }

    @Override
    public String argName() {
        return argName;
    }

    @Override
    public String envName() {
        return envName;
    }

    @Override
    public String defaultValue() {
        return defaultValue;
    }

    @Override
    public OptionType<?> type() {
        return type;
    }

    @Override
    public String help() {
        return help;
    }
}

package io.telemetra.config;

import io.telemetra.anomaly.MomentSettings;
import io.telemetra.event.EventLimits;
import io.telemetra.sink.PostgresTwoPhaseSink;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job's typed configuration, read once at start-up from program arguments ({@code --name
 * value}) with the environment as fallback, as the {@link Option} declarations say, and validated
 * as a whole: the first wrong value fails with the option's name, the value and what is allowed.
 * Settings come in groups by concern, so each part of the job receives only its own.
 *
 * <p>The PostgreSQL password is deliberately not an option: program arguments are shown by the
 * Flink dashboard, so it comes from {@code POSTGRES_PASSWORD} or a file, and {@link #toString()}
 * never prints it.
 */
public record TelemetraConfig(
        Mode mode,
        Duration checkpointInterval,
        String checkpointLocation,
        Kafka kafka,
        EventTime eventTime,
        EventLimits eventLimits,
        Windows windows,
        MomentSettings moments,
        String sentimentLexicon,
        Postgres postgres,
        Map<String, String> shown)
        implements Serializable {

    public enum Mode {
        STREAM,
        REPLAY
    }

    public enum Delivery {
        EXACTLY_ONCE,
        AT_LEAST_ONCE
    }

    public enum StartingOffsets {
        COMMITTED,
        EARLIEST,
        LATEST
    }

    /** Where events come from. */
    public record Kafka(
            String bootstrapServers,
            String chatTopic,
            String viewerTopic,
            String groupId,
            KafkaClientProperties client,
            StartingOffsets startingOffsets)
            implements Serializable {}

    /**
     * How event time advances.
     *
     * @param maxDrift how far one source partition's watermark may run ahead of the slowest; zero
     *     for no alignment
     */
    public record EventTime(Duration watermarkDelay, Duration idleness, Duration maxDrift)
            implements Serializable {}

    /** The sliding windows and their unique-chatter sketch. */
    public record Windows(Duration size, Duration slide, Duration allowedLateness, int sketchLgK)
            implements Serializable {}

    /** Where results go. */
    public record Postgres(
            String url,
            String user,
            Secret password,
            Delivery delivery,
            PostgresTwoPhaseSink.StrayTransactions strayTransactions)
            implements Serializable {
        public boolean exactlyOnce() {
            return delivery == Delivery.EXACTLY_ONCE;
        }
    }

    /**
     * Spark-era settings with no Flink equivalent: accepted in the environment, ignored with a
     * warning.
     */
    public static final String[] IGNORED_SPARK_VARIABLES = {
        "MAX_OFFSETS_PER_TRIGGER",
        "TRIGGER_INTERVAL",
        "SPARK_DRIVER_MEMORY",
        "SPARK_EXECUTOR_MEMORY",
        "SPARK_EXECUTOR_CORES"
    };

    /** Reads and validates the configuration. */
    public static TelemetraConfig load(String[] args, Map<String, String> env) {
        if (Arrays.stream(args)
                .anyMatch(
                        a ->
                                a.equals("--postgres.password")
                                        || a.startsWith("--postgres.password="))) {
            throw new ConfigException(
                    "--postgres.password is not accepted: program arguments are visible in the"
                            + " Flink dashboard. Set POSTGRES_PASSWORD in the environment or use"
                            + " --postgres.password-file");
        }
        Map<String, String> kafkaPassThrough = new TreeMap<>();
        CommandLine v =
                new CommandLine(
                        args, List.of(Option.values()), env, "kafka.", kafkaPassThrough::put);

        Mode mode = v.get(Option.MODE);
        StartingOffsets starting =
                v.isSet(Option.STARTING_OFFSETS)
                        ? v.get(Option.STARTING_OFFSETS)
                        : (mode == Mode.REPLAY
                                ? StartingOffsets.EARLIEST
                                : StartingOffsets.COMMITTED);

        Windows windows =
                new Windows(
                        v.get(Option.WINDOW_SIZE),
                        v.get(Option.WINDOW_SLIDE),
                        v.get(Option.ALLOWED_LATENESS),
                        v.get(Option.SKETCH_LG_K));
        if (windows.size().toMillis() % windows.slide().toMillis() != 0) {
            throw new ConfigException(
                    Option.WINDOW_SIZE.label()
                            + " = "
                            + v.shown(Option.WINDOW_SIZE)
                            + " must be a whole multiple of "
                            + Option.WINDOW_SLIDE.label()
                            + " = "
                            + v.shown(Option.WINDOW_SLIDE)
                            + " (windows are built from slides aligned to the epoch)");
        }

        String chatTopic = v.get(Option.CHAT_TOPIC);
        String viewerTopic = v.get(Option.VIEWER_TOPIC);
        if (chatTopic.equals(viewerTopic)) {
            throw new ConfigException(
                    Option.CHAT_TOPIC.label()
                            + " and "
                            + Option.VIEWER_TOPIC.label()
                            + " are both '"
                            + chatTopic
                            + "'; chat and viewer events need topics of their own");
        }
        KafkaClientProperties client =
                new KafkaClientProperties(kafkaPassThrough, v.get(Option.KAFKA_PROPERTIES_FILE));

        // what the dashboard and the log show: every option as the user would write it, plus the
        // Kafka pass-through keys (file values hidden); the password is not an option
        Map<String, String> shown = new LinkedHashMap<>();
        for (Option o : Option.values()) {
            String s = o == Option.STARTING_OFFSETS ? OptionType.name(starting) : v.shown(o);
            if (s != null) {
                shown.put(o.argName(), s);
            }
        }
        client.describe(shown);

        return new TelemetraConfig(
                mode,
                v.get(Option.CHECKPOINT_INTERVAL),
                v.get(Option.CHECKPOINT_LOCATION),
                new Kafka(
                        v.get(Option.KAFKA_BOOTSTRAP_SERVERS),
                        chatTopic,
                        viewerTopic,
                        v.get(Option.GROUP_ID),
                        client,
                        starting),
                new EventTime(
                        v.get(Option.WATERMARK_DELAY),
                        v.get(Option.WATERMARK_IDLENESS),
                        v.get(Option.WATERMARK_MAX_DRIFT)),
                new EventLimits(
                        v.<Duration>get(Option.MAX_FUTURE_SKEW).toMillis(),
                        v.get(Option.MAX_MESSAGE_LENGTH),
                        v.get(Option.MAX_USER_ID_LENGTH),
                        v.get(Option.MAX_EMOTES)),
                windows,
                momentSettings(v, windows.slide()),
                v.get(Option.SENTIMENT_LEXICON),
                new Postgres(
                        v.get(Option.POSTGRES_URL),
                        v.get(Option.POSTGRES_USER),
                        readPassword(v.get(Option.POSTGRES_PASSWORD_FILE), env),
                        v.get(Option.SINK_DELIVERY),
                        v.get(Option.SINK_STRAY_TRANSACTIONS)),
                shown);
    }

    /**
     * The moment detector's settings from the {@link Option.Group#MOMENTS} options (arguments,
     * environment or defaults); the cool-down in whole slides.
     */
    public static MomentSettings momentSettings(CommandLine v, Duration slide) {
        Duration cooldown = v.get(Option.ANOMALY_COOLDOWN);
        int history = v.get(Option.ANOMALY_HISTORY);
        Duration expiry = v.get(Option.MOMENTS_STATE_EXPIRY);
        Duration baselineSpan = slide.multipliedBy(history);
        if (expiry.compareTo(baselineSpan) < 0 || expiry.compareTo(cooldown) < 0) {
            // shorter would drop baselines the rules still use, and change moments, not just memory
            throw new ConfigException(
                    Option.MOMENTS_STATE_EXPIRY.label()
                            + " = "
                            + v.shown(Option.MOMENTS_STATE_EXPIRY)
                            + " is shorter than what the moment rules look back on: at least "
                            + Option.ANOMALY_HISTORY.label()
                            + " x "
                            + Option.WINDOW_SLIDE.label()
                            + " = "
                            + OptionType.format(baselineSpan)
                            + " and "
                            + Option.ANOMALY_COOLDOWN.label()
                            + " = "
                            + v.shown(Option.ANOMALY_COOLDOWN));
        }
        return new MomentSettings(
                history,
                v.get(Option.ANOMALY_BASELINE),
                (int) (cooldown.toMillis() / slide.toMillis()),
                v.get(Option.ANOMALY_THRESHOLD),
                v.get(Option.ANOMALY_MIN_STDDEV),
                v.get(Option.CHAT_SPIKE_MIN_INCREASE),
                v.get(Option.VIEWER_SPIKE_MIN_INCREASE),
                v.get(Option.VIEWER_DROP_MIN_DECREASE),
                v.get(Option.SENTIMENT_SWING_MIN_CHANGE),
                v.get(Option.MOMENTS_MIN_MESSAGES),
                v.get(Option.EMOTE_FLOOD_MIN_SHARE),
                v.get(Option.EMOTE_FLOOD_MIN_LIFT),
                expiry);
    }

    /** The PostgreSQL password as the job reads it: the password file, else POSTGRES_PASSWORD. */
    public static Secret postgresPassword(CommandLine v, Map<String, String> env) {
        return readPassword(v.get(Option.POSTGRES_PASSWORD_FILE), env);
    }

    private static Secret readPassword(String file, Map<String, String> env) {
        if (file != null) {
            try {
                return new Secret(Files.readString(Path.of(file), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new ConfigException(
                        Option.POSTGRES_PASSWORD_FILE.label()
                                + " = '"
                                + file
                                + "' cannot be read ("
                                + e.getClass().getSimpleName()
                                + "); check the path and its permissions");
            }
        }
        String fromEnv = env.get("POSTGRES_PASSWORD");
        return new Secret(fromEnv == null ? "" : fromEnv);
    }

    /** The non-secret settings, for the log and the dashboard's job parameters. */
    public Map<String, String> describe() {
        return shown;
    }

    @Override
    public String toString() {
        return "TelemetraConfig" + shown;
    }

    /** Renders the option list for {@code --help}, grouped by concern. */
    public static String help() {
        StringBuilder sb =
                new StringBuilder(
                        "Options (program argument; environment variable after 'env'):\n");
        for (Option.Group g : Option.Group.values()) {
            sb.append(g.title).append(":\n");
            sb.append(
                    CommandLine.usage(
                            Arrays.stream(Option.values()).filter(o -> o.group() == g).toList()));
        }
        sb.append(
                "The PostgreSQL password comes from POSTGRES_PASSWORD or"
                        + " --postgres.password-file, never an argument.\n");
        return sb.toString();
    }

    /**
     * The option table of docs/configuration.md (between its options markers), one table per group;
     * a test fails when the file differs from it.
     */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        for (Option.Group g : Option.Group.values()) {
            sb.append("\n**").append(g.title).append("**\n\n");
            sb.append("| Option | Environment variable | Default | Allowed | Description |\n");
            sb.append("|---|---|---|---|---|\n");
            for (Option o : Option.values()) {
                if (o.group() == g) {
                    sb.append("| `--")
                            .append(o.argName())
                            .append("` | `")
                            .append(o.envName())
                            .append("` | ")
                            .append(o.defaultValue() == null ? "-" : "`" + o.defaultValue() + "`")
                            .append(" | ")
                            .append(o.type().allowed())
                            .append(" | ")
                            .append(o.help().replace("|", "\\|"))
                            .append(" |\n");
                }
            }
        }
        return sb.append('\n').toString();
    }

    /**
     * A value that must not be printed: toString() hides it so it never reaches a log line by
     * accident.
     */
    public record Secret(String value) implements Serializable {
        @Override
        public String toString() {
            return "******";
        }
    }
}

package io.telemetra.config;

import io.telemetra.anomaly.MomentSettings;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's typed configuration, read once at start-up from program arguments ({@code --name
 * value}) with the environment as fallback, and validated as a whole: the first wrong value fails
 * with the option's name, the value and what is allowed.
 *
 * <p>The PostgreSQL password is deliberately not an option: program arguments are shown by the
 * Flink dashboard, so it comes from {@code POSTGRES_PASSWORD} or a file, and {@link #toString()}
 * never prints it.
 */
public record TelemetraConfig(
        Mode mode,
        String kafkaBootstrapServers,
        String chatTopic,
        String viewerTopic,
        String groupId,
        KafkaClientProperties kafkaClient,
        StartingOffsets startingOffsets,
        String postgresUrl,
        String postgresUser,
        Secret postgresPassword,
        Delivery delivery,
        Duration checkpointInterval,
        String checkpointLocation,
        Duration watermarkDelay,
        Duration watermarkIdleness,
        Duration maxFutureSkew,
        Duration windowSize,
        Duration windowSlide,
        Duration allowedLateness,
        double anomalyThreshold,
        int anomalyHistory,
        double anomalyMinStddev,
        MomentSettings.BaselineKind anomalyBaseline,
        Duration anomalyCooldown,
        int momentsMinMessages,
        double viewerSpikeMinIncrease,
        double viewerDropMinDecrease,
        double sentimentSwingMinChange,
        double emoteFloodMinShare,
        double emoteFloodMinLift,
        int sketchLgK,
        String sentimentLexicon)
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

    private static final Pattern DURATION =
            Pattern.compile(
                    "(\\d+)\\s*(ms|milli|millis|milliseconds?|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)");

    /** Reads and validates the configuration. */
    public static TelemetraConfig load(String[] args, Map<String, String> env) {
        Map<String, String> kafkaPassThrough = new java.util.TreeMap<>();
        Map<Option, String> given = parseArgs(args, kafkaPassThrough);
        Values v = new Values(given, env);

        Mode mode = v.enumValue(Option.MODE, Mode.class);
        String startingRaw = v.raw(Option.STARTING_OFFSETS);
        StartingOffsets starting =
                startingRaw != null
                        ? v.enumValue(Option.STARTING_OFFSETS, StartingOffsets.class)
                        : (mode == Mode.REPLAY
                                ? StartingOffsets.EARLIEST
                                : StartingOffsets.COMMITTED);

        Duration size = v.positiveDuration(Option.WINDOW_SIZE);
        Duration slide = v.positiveDuration(Option.WINDOW_SLIDE);
        if (size.toMillis() % slide.toMillis() != 0) {
            throw new ConfigException(
                    Option.WINDOW_SIZE.label()
                            + " = "
                            + size
                            + " must be a whole multiple of "
                            + Option.WINDOW_SLIDE.label()
                            + " = "
                            + slide
                            + " (windows are built from slides aligned to the epoch)");
        }

        String url = v.nonEmpty(Option.POSTGRES_URL);
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(
                    Option.POSTGRES_URL.label()
                            + " = '"
                            + url
                            + "' is not a PostgreSQL JDBC URL; expected"
                            + " jdbc:postgresql://host:port/database");
        }
        if (url.toLowerCase(Locale.ROOT).contains("password=")) {
            throw new ConfigException(
                    Option.POSTGRES_URL.label()
                            + " contains a password; remove it from the URL and set"
                            + " POSTGRES_PASSWORD or "
                            + Option.POSTGRES_PASSWORD_FILE.label()
                            + " instead (the URL is shown in logs)");
        }

        String chatTopic = v.nonEmpty(Option.CHAT_TOPIC);
        String viewerTopic = v.nonEmpty(Option.VIEWER_TOPIC);
        if (chatTopic.equals(viewerTopic)) {
            throw new ConfigException(
                    Option.CHAT_TOPIC.label()
                            + " and "
                            + Option.VIEWER_TOPIC.label()
                            + " are both '"
                            + chatTopic
                            + "'; chat and viewer events need topics of their own");
        }

        return new TelemetraConfig(
                mode,
                v.nonEmpty(Option.KAFKA_BOOTSTRAP_SERVERS),
                chatTopic,
                viewerTopic,
                v.nonEmpty(Option.GROUP_ID),
                new KafkaClientProperties(kafkaPassThrough, v.raw(Option.KAFKA_PROPERTIES_FILE)),
                starting,
                url,
                v.nonEmpty(Option.POSTGRES_USER),
                readPassword(v.raw(Option.POSTGRES_PASSWORD_FILE), env),
                v.enumValue(Option.SINK_DELIVERY, Delivery.class),
                v.positiveDuration(Option.CHECKPOINT_INTERVAL),
                v.raw(Option.CHECKPOINT_LOCATION),
                v.duration(Option.WATERMARK_DELAY),
                v.positiveDuration(Option.WATERMARK_IDLENESS),
                v.positiveDuration(Option.MAX_FUTURE_SKEW),
                size,
                slide,
                v.duration(Option.ALLOWED_LATENESS),
                v.doubleInRange(Option.ANOMALY_THRESHOLD, 0.0, false, 1000.0),
                v.intInRange(Option.ANOMALY_HISTORY, 2, 1000),
                v.doubleInRange(Option.ANOMALY_MIN_STDDEV, 0.0, false, 1.0e9),
                v.enumValue(Option.ANOMALY_BASELINE, MomentSettings.BaselineKind.class),
                v.duration(Option.ANOMALY_COOLDOWN),
                v.intInRange(Option.MOMENTS_MIN_MESSAGES, 1, 1_000_000),
                v.doubleInRange(Option.VIEWER_SPIKE_MIN_INCREASE, 0.0, false, 1000.0),
                v.doubleInRange(Option.VIEWER_DROP_MIN_DECREASE, 0.0, false, 1.0),
                v.doubleInRange(Option.SENTIMENT_SWING_MIN_CHANGE, 0.0, false, 2.0),
                v.doubleInRange(Option.EMOTE_FLOOD_MIN_SHARE, 0.0, false, 1000.0),
                v.doubleInRange(Option.EMOTE_FLOOD_MIN_LIFT, 1.0, true, 1000.0),
                v.intInRange(Option.SKETCH_LG_K, 4, 21),
                v.raw(Option.SENTIMENT_LEXICON));
    }

    private static Map<Option, String> parseArgs(
            String[] args, Map<String, String> kafkaPassThrough) {
        Map<Option, String> given = new EnumMap<>(Option.class);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new ConfigException(
                        "unexpected argument '"
                                + arg
                                + "'; options look like --name value (see --help)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("postgres.password")) {
                throw new ConfigException(
                        "--postgres.password is not accepted: program arguments are visible in the"
                            + " Flink dashboard. Set POSTGRES_PASSWORD in the environment or use"
                            + " --postgres.password-file");
            }
            Option option = Option.byArgName(name);
            if (option == null && name.startsWith("kafka.") && name.length() > 6) {
                // a Kafka client property: checked by KafkaClientProperties
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("option --" + name + " needs a value");
                    }
                    value = args[++i];
                }
                kafkaPassThrough.put(name.substring(6), value);
                continue;
            }
            if (option == null) {
                throw new ConfigException(
                        "unknown option --" + name + "; run with --help for the list of options");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            given.put(option, value);
        }
        return given;
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

    public boolean exactlyOnce() {
        return delivery == Delivery.EXACTLY_ONCE;
    }

    /** The non-secret settings, for the log and the dashboard's job parameters. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(Option.MODE.argName(), mode.name().toLowerCase(Locale.ROOT));
        out.put(Option.KAFKA_BOOTSTRAP_SERVERS.argName(), kafkaBootstrapServers);
        out.put(Option.CHAT_TOPIC.argName(), chatTopic);
        out.put(Option.VIEWER_TOPIC.argName(), viewerTopic);
        out.put(Option.GROUP_ID.argName(), groupId);
        kafkaClient.describe(out);
        out.put(Option.STARTING_OFFSETS.argName(), startingOffsets.name().toLowerCase(Locale.ROOT));
        out.put(Option.POSTGRES_URL.argName(), postgresUrl);
        out.put(Option.POSTGRES_USER.argName(), postgresUser);
        out.put(
                Option.SINK_DELIVERY.argName(),
                delivery.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        out.put(Option.CHECKPOINT_INTERVAL.argName(), checkpointInterval.toString());
        out.put(Option.WATERMARK_DELAY.argName(), watermarkDelay.toString());
        out.put(Option.WATERMARK_IDLENESS.argName(), watermarkIdleness.toString());
        out.put(Option.WINDOW_SIZE.argName(), windowSize.toString());
        out.put(Option.WINDOW_SLIDE.argName(), windowSlide.toString());
        out.put(Option.ALLOWED_LATENESS.argName(), allowedLateness.toString());
        out.put(Option.ANOMALY_THRESHOLD.argName(), Double.toString(anomalyThreshold));
        out.put(Option.ANOMALY_HISTORY.argName(), Integer.toString(anomalyHistory));
        out.put(Option.ANOMALY_MIN_STDDEV.argName(), Double.toString(anomalyMinStddev));
        out.put(Option.ANOMALY_BASELINE.argName(), anomalyBaseline.name().toLowerCase(Locale.ROOT));
        out.put(Option.ANOMALY_COOLDOWN.argName(), anomalyCooldown.toString());
        out.put(Option.MOMENTS_MIN_MESSAGES.argName(), Integer.toString(momentsMinMessages));
        out.put(
                Option.VIEWER_SPIKE_MIN_INCREASE.argName(),
                Double.toString(viewerSpikeMinIncrease));
        out.put(Option.VIEWER_DROP_MIN_DECREASE.argName(), Double.toString(viewerDropMinDecrease));
        out.put(
                Option.SENTIMENT_SWING_MIN_CHANGE.argName(),
                Double.toString(sentimentSwingMinChange));
        out.put(Option.EMOTE_FLOOD_MIN_SHARE.argName(), Double.toString(emoteFloodMinShare));
        out.put(Option.EMOTE_FLOOD_MIN_LIFT.argName(), Double.toString(emoteFloodMinLift));
        out.put(Option.SKETCH_LG_K.argName(), Integer.toString(sketchLgK));
        return out;
    }

    /** The moment detector's settings; the cool-down in whole slides. */
    public MomentSettings momentSettings() {
        return new MomentSettings(
                anomalyHistory,
                anomalyBaseline,
                (int) (anomalyCooldown.toMillis() / windowSlide.toMillis()),
                anomalyThreshold,
                anomalyMinStddev,
                viewerSpikeMinIncrease,
                viewerDropMinDecrease,
                sentimentSwingMinChange,
                momentsMinMessages,
                emoteFloodMinShare,
                emoteFloodMinLift,
                MomentSettings.DEFAULT_STATE_EXPIRY);
    }

    @Override
    public String toString() {
        return "TelemetraConfig" + describe();
    }

    /** Renders the option list for {@code --help}. */
    public static String help() {
        StringBuilder sb =
                new StringBuilder("Options (program argument / environment variable / default):\n");
        for (Option o : Option.values()) {
            sb.append(
                    String.format(
                            "  --%-28s %-24s %-28s %s%n",
                            o.argName(),
                            o.envName(),
                            o.defaultValue() == null ? "-" : o.defaultValue(),
                            o.description()));
        }
        sb.append(
                "  The PostgreSQL password comes from POSTGRES_PASSWORD or"
                        + " --postgres.password-file, never an argument.\n");
        return sb.toString();
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

    /**
     * Looks up each option in the arguments, then the environment, then the default, and types it.
     */
    private static final class Values {
        private final Map<Option, String> given;
        private final Map<String, String> env;

        Values(Map<Option, String> given, Map<String, String> env) {
            this.given = given;
            this.env = env;
        }

        String raw(Option o) {
            String v = given.get(o);
            if (v == null) {
                v = env.get(o.envName());
            }
            if (v == null) {
                v = o.defaultValue();
            }
            return v == null ? null : v.strip();
        }

        String nonEmpty(Option o) {
            String v = raw(o);
            if (v == null || v.isEmpty()) {
                throw new ConfigException(
                        o.label() + " is empty; it needs a value (" + o.description() + ")");
            }
            return v;
        }

        <E extends Enum<E>> E enumValue(Option o, Class<E> type) {
            String v = nonEmpty(o);
            String normalized = v.toUpperCase(Locale.ROOT).replace('-', '_');
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(normalized)) {
                    return e;
                }
            }
            StringBuilder allowed = new StringBuilder();
            for (E e : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : ", ")
                        .append(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new ConfigException(
                    o.label() + " = '" + v + "' is not allowed; use one of: " + allowed);
        }

        Duration duration(Option o) {
            String v = nonEmpty(o);
            Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new ConfigException(
                        o.label()
                                + " = '"
                                + v
                                + "' is not a duration; write a whole number with a unit, e.g."
                                + " 500ms, 10s, 10 seconds, 5min, 1h");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2);
            if (unit.startsWith("ms") || unit.startsWith("milli")) {
                return Duration.ofMillis(n);
            } else if (unit.startsWith("s")) {
                return Duration.ofSeconds(n);
            } else if (unit.startsWith("m")) {
                return Duration.ofMinutes(n);
            }
            return Duration.ofHours(n);
        }

        Duration positiveDuration(Option o) {
            Duration d = duration(o);
            if (d.isZero()) {
                throw new ConfigException(
                        o.label() + " = '" + raw(o) + "' must be greater than zero");
            }
            return d;
        }

        double doubleInRange(Option o, double min, boolean minInclusive, double max) {
            String v = nonEmpty(o);
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(o.label() + " = '" + v + "' is not a number");
            }
            if (!(minInclusive ? d >= min : d > min) || d > max || Double.isNaN(d)) {
                throw new ConfigException(
                        o.label()
                                + " = '"
                                + v
                                + "' is out of range; allowed: "
                                + (minInclusive ? "[" : "(")
                                + min
                                + ", "
                                + max
                                + "]");
            }
            return d;
        }

        int intInRange(Option o, int min, int max) {
            String v = nonEmpty(o);
            int i;
            try {
                i = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(o.label() + " = '" + v + "' is not a whole number");
            }
            if (i < min || i > max) {
                throw new ConfigException(
                        o.label()
                                + " = '"
                                + v
                                + "' is out of range; allowed: "
                                + min
                                + " to "
                                + max);
            }
            return i;
        }
    }
}

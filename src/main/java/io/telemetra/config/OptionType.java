package io.telemetra.config;

import java.time.Duration;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.Function;
import org.apache.flink.util.TimeUtils;

/**
 * How an option's text is read, checked and shown: the one place that knows what a duration, a
 * bounded number or an enum looks like, for the job, the savepoint migrator and the local tools
 * alike. Durations use Flink's syntax ({@code 500ms}, {@code 10s}, {@code 5min}, {@code 1h}), in
 * input, in {@code --help}, in the dashboard's job parameters and in error messages.
 *
 * @param <T> the typed value
 */
public abstract class OptionType<T> {
    /**
     * Parses and checks {@code raw}; the message names the option, the value and what is allowed.
     */
    public abstract T parse(String label, String raw);

    /** The value as a user would write it. */
    public String show(T value) {
        return String.valueOf(value);
    }

    /** What is allowed, for {@code --help} and the documentation. */
    public abstract String allowed();

    /** Any text that is not empty. */
    public static final OptionType<String> TEXT =
            new OptionType<>() {
                @Override
                public String parse(String label, String raw) {
                    return raw;
                }

                @Override
                public String allowed() {
                    return "text";
                }
            };

    /** A switch that takes no value ({@code --name} alone); tools only. */
    public static final OptionType<Boolean> FLAG =
            new OptionType<>() {
                @Override
                public Boolean parse(String label, String raw) {
                    return Boolean.parseBoolean(raw);
                }

                @Override
                public String allowed() {
                    return "flag";
                }
            };

    /** A duration of zero or more. */
    public static final OptionType<Duration> DURATION = duration(false);

    /** A duration greater than zero. */
    public static final OptionType<Duration> POSITIVE_DURATION = duration(true);

    private static OptionType<Duration> duration(boolean positive) {
        return new OptionType<>() {
            @Override
            public Duration parse(String label, String raw) {
                Duration d;
                try {
                    // Flink reads a bare number as milliseconds; a forgotten unit in "60" would
                    // silently mean 60 ms here, so a unit is required
                    if (raw.strip().matches("\\d+")) {
                        throw new IllegalArgumentException("no unit");
                    }
                    d = TimeUtils.parseDuration(raw);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(
                            label
                                    + " = '"
                                    + raw
                                    + "' is not a duration; write a whole number with a unit, e.g."
                                    + " 500ms, 10s, 5min, 1h");
                }
                if (positive && d.isZero()) {
                    throw new ConfigException(label + " = '" + raw + "' must be greater than zero");
                }
                return d;
            }

            @Override
            public String show(Duration value) {
                return format(value);
            }

            @Override
            public String allowed() {
                return positive ? "duration > 0" : "duration";
            }
        };
    }

    /**
     * Flink's way of writing a duration, in its largest exact unit: {@code 10 s}, {@code 5 min}.
     */
    public static String format(Duration d) {
        return TimeUtils.formatWithHighestUnit(d).replace(" ", "");
    }

    /** A whole number in {@code [min, max]}. */
    public static OptionType<Integer> intIn(int min, int max) {
        OptionType<Long> wide = longIn(min, max);
        return new OptionType<>() {
            @Override
            public Integer parse(String label, String raw) {
                return wide.parse(label, raw).intValue();
            }

            @Override
            public String allowed() {
                return wide.allowed();
            }
        };
    }

    /** A whole number in {@code [min, max]}, as a long. */
    public static OptionType<Long> longIn(long min, long max) {
        return new OptionType<>() {
            @Override
            public Long parse(String label, String raw) {
                long l;
                try {
                    l = Long.parseLong(raw);
                } catch (NumberFormatException e) {
                    throw new ConfigException(label + " = '" + raw + "' is not a whole number");
                }
                if (l < min || l > max) {
                    throw new ConfigException(
                            label + " = '" + raw + "' is out of range; allowed: " + allowed());
                }
                return l;
            }

            @Override
            public String allowed() {
                return max == Long.MAX_VALUE ? "at least " + min : min + " to " + max;
            }
        };
    }

    /** A number above {@code min} (or at it, when inclusive) and at most {@code max}. */
    public static OptionType<Double> doubleIn(double min, boolean minInclusive, double max) {
        return new OptionType<>() {
            @Override
            public Double parse(String label, String raw) {
                double d;
                try {
                    d = Double.parseDouble(raw);
                } catch (NumberFormatException e) {
                    throw new ConfigException(label + " = '" + raw + "' is not a number");
                }
                if (Double.isNaN(d) || !(minInclusive ? d >= min : d > min) || d > max) {
                    throw new ConfigException(
                            label + " = '" + raw + "' is out of range; allowed: " + allowed());
                }
                return d;
            }

            @Override
            public String allowed() {
                return (minInclusive ? "[" : "(") + min + ", " + max + "]";
            }
        };
    }

    /** One of an enum's constants, written in lower case with hyphens ({@code at-least-once}). */
    public static <E extends Enum<E>> OptionType<E> oneOf(Class<E> type) {
        return new OptionType<>() {
            @Override
            public E parse(String label, String raw) {
                String normalized = raw.toUpperCase(Locale.ROOT).replace('-', '_');
                for (E e : type.getEnumConstants()) {
                    if (e.name().equals(normalized)) {
                        return e;
                    }
                }
                throw new ConfigException(
                        label + " = '" + raw + "' is not allowed; use one of: " + allowed());
            }

            @Override
            public String show(E value) {
                return name(value);
            }

            @Override
            public String allowed() {
                StringJoiner j = new StringJoiner(", ");
                for (E e : type.getEnumConstants()) {
                    j.add(name(e));
                }
                return j.toString();
            }
        };
    }

    /** An enum constant as options write it. */
    public static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Text checked by {@code check}, which returns what is wrong and what to do, or null. The
     * message does not repeat the value unless the check does: a rejected value may hold a secret.
     */
    public static OptionType<String> text(String allowed, Function<String, String> check) {
        return new OptionType<>() {
            @Override
            public String parse(String label, String raw) {
                String problem = check.apply(raw);
                if (problem != null) {
                    throw new ConfigException(label + " " + problem);
                }
                return raw;
            }

            @Override
            public String allowed() {
                return allowed;
            }
        };
    }
}

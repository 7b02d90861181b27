package io.telemetra.tools;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of the local tools, with typed getters and clear errors. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags;

    /**
     * @param flags options that take no value
     */
    public Args(String[] args, Set<String> known, Set<String> flags) {
        this.flags = flags;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            if (!known.contains(name) && !flags.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown option --" + name + "; known: " + known + " " + flags);
            }
            if (flags.contains(name)) {
                values.put(name, "true");
            } else if (i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
        }
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public long longValue(String name, long dflt) {
        String v = values.get(name);
        try {
            return v == null ? dflt : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + name + " = '" + v + "' is not a whole number");
        }
    }

    public double doubleValue(String name, double dflt) {
        String v = values.get(name);
        try {
            return v == null ? dflt : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " = '" + v + "' is not a number");
        }
    }

    /** Durations like 90s, 5m, 2h, 500ms. */
    public Duration duration(String name, Duration dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        String s = v.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException(
                "--" + name + " = '" + v + "' is not a duration like 90s, 5m or 1h");
    }
}

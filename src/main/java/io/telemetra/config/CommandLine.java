package io.telemetra.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The one argument parser: {@code --name value}, {@code --name=value} and, for flags, {@code
 * --name}, checked against the declared options; each value is typed by its declaration, falling
 * back to the environment, then the default.
 */
public final class CommandLine {
    private final Map<String, Declared> known = new LinkedHashMap<>();
    private final Map<Declared, String> given = new HashMap<>();
    private final Map<Declared, List<String>> repeated = new HashMap<>();
    private final Map<String, String> env;

    /**
     * @param passThrough takes {@code --<prefix>.<name> value} arguments that are not declared (the
     *     Kafka client properties); null when there is no such prefix
     * @param passThroughPrefix e.g. {@code kafka.}; ignored when passThrough is null
     */
    public CommandLine(
            String[] args,
            List<? extends Declared> options,
            Map<String, String> env,
            String passThroughPrefix,
            BiConsumer<String, String> passThrough) {
        this.env = env;
        options.forEach(o -> known.put(o.argName(), o));
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
            Declared option = known.get(name);
            boolean passed =
                    option == null
                            && passThrough != null
                            && name.startsWith(passThroughPrefix)
                            && name.length() > passThroughPrefix.length();
            if (option == null && !passed) {
                throw new ConfigException(
                        "unknown option --" + name + "; run with --help for the list of options");
            }
            if (value == null && option != null && option.type() == OptionType.FLAG) {
                value = "true";
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (passed) {
                passThrough.accept(name.substring(passThroughPrefix.length()), value);
            } else {
                given.put(option, value);
                repeated.computeIfAbsent(option, o -> new ArrayList<>()).add(value);
            }
        }
    }

    /**
     * For the savepoint migrator and the tools: their declared options, with the environment for
     * those that are the job's own (same variables as the job).
     */
    public CommandLine(String[] args, List<? extends Declared> options) {
        this(args, options, System.getenv(), null, null);
    }

    /** The raw text: argument, else environment, else default; null when none. */
    public String raw(Declared o) {
        String v = given.get(o);
        if (v == null && o.envName() != null) {
            v = env.get(o.envName());
        }
        if (v == null) {
            v = o.defaultValue();
        }
        return v == null ? null : v.strip();
    }

    /**
     * Every value given for a repeatable option, in order (a plain option keeps only the last);
     * else its environment variable or default as one value; empty when none.
     */
    public List<String> all(Declared o) {
        List<String> values = repeated.get(o);
        if (values != null) {
            return List.copyOf(values);
        }
        String v = raw(o);
        return v == null || v.isEmpty() ? List.of() : List.of(v);
    }

    /** Whether the user set the option (argument or environment). */
    public boolean isSet(Declared o) {
        return given.containsKey(o) || (o.envName() != null && env.containsKey(o.envName()));
    }

    /** The typed value; null only for an optional option that is not set. */
    @SuppressWarnings("unchecked")
    public <T> T get(Declared o) {
        String v = raw(o);
        if (v == null) {
            return null;
        }
        if (v.isEmpty()) {
            throw new ConfigException(o.label() + " is empty; it needs a value (" + o.help() + ")");
        }
        return (T) o.type().parse(o.label(), v);
    }

    /** The typed value of an option that must be given (it has no default). */
    public <T> T required(Declared o) {
        T v = get(o);
        if (v == null) {
            throw new ConfigException(o.label() + " is required (" + o.help() + ")");
        }
        return v;
    }

    /** The value as the option's type writes it, for logs and the dashboard; null when unset. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public String shown(Declared o) {
        Object v = get(o);
        return v == null ? null : ((OptionType) o.type()).show(v);
    }

    /** {@code --help} text: one line per option with its variable, default, allowed values. */
    public static String usage(List<? extends Declared> options) {
        StringBuilder sb = new StringBuilder();
        for (Declared o : options) {
            sb.append(
                    String.format("  --%-34s %s%n", o.argName() + valueHint(o), describe(o, true)));
        }
        return sb.toString();
    }

    /** The help text with allowed values, default and environment variable. */
    public static String describe(Declared o, boolean withEnv) {
        StringBuilder facts = new StringBuilder();
        if (o.type() != OptionType.FLAG && o.type() != OptionType.TEXT) {
            facts.append(o.type().allowed());
        }
        if (o.defaultValue() != null && o.type() != OptionType.FLAG) {
            facts.append(facts.length() == 0 ? "" : "; ")
                    .append("default ")
                    .append(o.defaultValue());
        }
        if (withEnv && o.envName() != null) {
            facts.append(facts.length() == 0 ? "" : "; ").append("env ").append(o.envName());
        }
        return facts.length() == 0 ? o.help() : o.help() + " (" + facts + ")";
    }

    private static String valueHint(Declared o) {
        if (o.type() == OptionType.FLAG) {
            return "";
        }
        if (o.type() == OptionType.DURATION || o.type() == OptionType.POSITIVE_DURATION) {
            return " D";
        }
        return " V";
    }
}

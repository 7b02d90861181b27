package io.telemetra.tools;

import io.telemetra.config.CommandLine;
import io.telemetra.config.CommandOption;
import io.telemetra.config.OptionType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A local tool's options, read with the job's parser ({@link CommandLine}) from declarations made
 * once per tool: defaults, types (durations in Flink's syntax, as the job reads them) and usage
 * come from the declaration, so a call site names the option only.
 */
public final class Args {
    private final CommandLine line;
    private final Map<String, CommandOption> byName = new HashMap<>();

    public Args(String[] argv, List<CommandOption> options) {
        options.forEach(o -> byName.put(o.argName(), o));
        this.line = new CommandLine(argv, options);
    }

    /** A text option. */
    public static CommandOption text(String name, String dflt, String help) {
        return new CommandOption(name, dflt, OptionType.TEXT, help);
    }

    /** A whole number of at least {@code min}. */
    public static CommandOption number(String name, String dflt, long min, String help) {
        return new CommandOption(name, dflt, OptionType.longIn(min, Long.MAX_VALUE), help);
    }

    /** A number in {@code [min, max]}. */
    public static CommandOption decimal(
            String name, String dflt, double min, double max, String help) {
        return new CommandOption(name, dflt, OptionType.doubleIn(min, true, max), help);
    }

    public static CommandOption duration(String name, String dflt, String help) {
        return new CommandOption(name, dflt, OptionType.DURATION, help);
    }

    public static CommandOption flag(String name, String help) {
        return new CommandOption(name, null, OptionType.FLAG, help);
    }

    /** {@code header}, then one line per option, generated from the declarations. */
    public static String usage(String header, List<CommandOption> options) {
        return header + "\n" + CommandLine.usage(options);
    }

    public boolean has(String name) {
        return line.isSet(option(name));
    }

    public boolean flag(String name) {
        return has(name);
    }

    /** The option's text as given (or its default), whatever its type. */
    public String string(String name) {
        return line.raw(option(name));
    }

    public long longValue(String name) {
        return line.<Long>get(option(name));
    }

    public double doubleValue(String name) {
        return line.<Double>get(option(name));
    }

    public Duration duration(String name) {
        return line.get(option(name));
    }

    private CommandOption option(String name) {
        CommandOption o = byName.get(name);
        if (o == null) {
            // a programming error in the tool, not a user's mistake
            throw new IllegalStateException("option --" + name + " is not declared");
        }
        return o;
    }
}

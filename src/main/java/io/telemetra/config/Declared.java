package io.telemetra.config;

/**
 * An option declared once: its name, environment variable (if any), default, type and help. The
 * job's {@link Option}s and the local tools' options both implement it, so one parser ({@link
 * CommandLine}) reads them and {@code --help} and the documentation are generated from them.
 */
public interface Declared {
    /** The program-argument name, without the leading {@code --}. */
    String argName();

    /** The environment variable read when the argument is absent, or null. */
    String envName();

    /** The default as a user would write it, or null when the option is optional. */
    String defaultValue();

    OptionType<?> type();

    String help();

    /** How the option is named in error messages: every spelling a user may have used. */
    default String label() {
        return "--" + argName() + (envName() == null ? "" : " (env " + envName() + ")");
    }
}

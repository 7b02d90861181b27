package io.telemetra.config;

/**
 * An option of a command other than the job (the savepoint migrator, the local tools): declared
 * once, parsed by {@link CommandLine}, its usage generated from the declaration. Commands that
 * share a setting with the job (window size, sketch size, moment knobs) use the job's {@link
 * Option} instead, so name, default and syntax are the same.
 */
public record CommandOption(String argName, String defaultValue, OptionType<?> type, String help)
        implements Declared {
    @Override
    public String envName() {
        return null;
    }
}

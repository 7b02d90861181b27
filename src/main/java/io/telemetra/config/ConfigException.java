package io.telemetra.config;

/**
 * A configuration value the job cannot run with. The message names the option (and its environment
 * variable), the value that was given and what is allowed, so the user can fix it without reading
 * code.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}

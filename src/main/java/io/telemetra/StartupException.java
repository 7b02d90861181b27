package io.telemetra;

/**
 * Something outside the job is not ready (broker unreachable, topic or table missing, PostgreSQL
 * misconfigured). The message says what is wrong and what to run or set.
 */
public class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }
}

package io.telemetra.testing;

import org.slf4j.LoggerFactory;

/** Logs one line through whatever log4j configuration it is started with (LogFormatIT). */
public final class LogLine {
    private LogLine() {}

    public static void main(String[] args) {
        LoggerFactory.getLogger(LogLine.class).info("one line from Telemetra");
    }
}

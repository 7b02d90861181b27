package io.telemetra.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The reliability tests' own report: each scenario appends a row to {@link #RESULTS} when it has
 * passed its assertions; scripts/reliability-report.sh turns the rows into RELIABILITY.md.
 */
public final class Reliability {
    public static final Path RESULTS = Path.of("target/reliability/results.tsv");

    private Reliability() {}

    public static synchronized void record(
            String scenario, String injected, String compared, String result) {
        try {
            Files.createDirectories(RESULTS.getParent());
            Files.writeString(
                    RESULTS,
                    String.join("\t", scenario, injected, compared, result) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + RESULTS, e);
        }
    }
}

package io.telemetra.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The reliability tests' own report: each scenario appends a row when it has passed its assertions,
 * to a file of this Maven run only ({@code target/reliability/run-<run>.tsv}, the run named by the
 * pom's build timestamp). The file opens with the commit the tests ran on and whether the sources
 * differed from it. {@code ./telemetra reliability-report} turns the newest run, with the test
 * results of that run, into RELIABILITY.md.
 */
public final class Reliability {
    public static final Path DIR = Path.of("target/reliability");

    private Reliability() {}

    public static synchronized void record(
            String scenario, String injected, String compared, String result) {
        Path file = DIR.resolve("run-" + System.getProperty("telemetra.run", "unnamed") + ".tsv");
        try {
            Files.createDirectories(DIR);
            if (!Files.exists(file)) {
                Files.writeString(
                        file,
                        "#commit\t" + git("rev-parse", "HEAD") + "\t" + sourcesDiffer() + "\n",
                        StandardCharsets.UTF_8);
            }
            Files.writeString(
                    file,
                    String.join("\t", scenario, injected, compared, result) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    /**
     * "clean", or "modified" when src/ differs from the commit (the run is then not that commit).
     */
    private static String sourcesDiffer() {
        return git("status", "--porcelain", "--", "src", "pom.xml").isEmpty()
                ? "clean"
                : "modified";
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out.strip() : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}

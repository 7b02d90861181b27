package io.telemetra.upgrade;

import io.telemetra.testing.TestEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The golden savepoints, one folder per released version under {@code
 * src/test/resources/savepoints/<version>/}: the savepoint's files, and {@code
 * golden-input.properties} with the sentiment score that version's scorer gave each golden message
 * (a fact about the saved accumulators, so a later scorer change does not change what the savepoint
 * is expected to hold).
 */
final class GoldenSavepoints {
    static final Path ROOT = Path.of("src/test/resources/savepoints");
    static final String INPUT_FILE = "golden-input.properties";

    /** The first release; its window state needs {@link MigrateSavepoint} before a restore. */
    static final String FIRST_RELEASE = "0.1.0";

    private GoldenSavepoints() {}

    static Path dir(String version) {
        return ROOT.resolve(version);
    }

    /** Every version that has a golden savepoint, oldest first. */
    static List<String> versions() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(Files::isDirectory)
                    .map(d -> d.getFileName().toString())
                    .sorted(Comparator.comparing(GoldenSavepoints::versionKey))
                    .toList();
        }
    }

    /** The version of the code under test, from the pom (surefire and failsafe pass it on). */
    static String currentVersion() {
        String v = System.getProperty("telemetra.version");
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(
                    "system property telemetra.version is not set; run through Maven (./mvnw test"
                            + " -Dtest=...), which sets it from the pom's version");
        }
        return v;
    }

    /** The golden messages with the scores the given version's scorer gave them. */
    static List<TestEvent.MessageTemplate> messages(String version) throws IOException {
        Properties scores = new Properties();
        try (InputStream in = Files.newInputStream(dir(version).resolve(INPUT_FILE))) {
            scores.load(in);
        }
        List<TestEvent.MessageTemplate> out = new ArrayList<>();
        for (TestEvent.MessageTemplate t : GoldenInput.MESSAGES) {
            String score = scores.getProperty(t.text());
            if (score == null) {
                throw new IllegalStateException(
                        dir(version).resolve(INPUT_FILE) + " has no score for '" + t.text() + "'");
            }
            out.add(
                    new TestEvent.MessageTemplate(
                            t.text(), t.emotesField(), Double.parseDouble(score), t.emotes()));
        }
        return out;
    }

    static void writeMessages(Path dir, List<TestEvent.MessageTemplate> messages)
            throws IOException {
        Properties scores = new Properties();
        for (TestEvent.MessageTemplate t : messages) {
            scores.setProperty(t.text(), Double.toString(t.score()));
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(INPUT_FILE))) {
            scores.store(
                    out, "sentiment score of each golden message when the savepoint was taken");
        }
    }

    private static String versionKey(String version) {
        StringBuilder key = new StringBuilder();
        for (String part : version.split("[.-]")) {
            key.append(part.matches("\\d+") ? String.format("%06d", Integer.parseInt(part)) : part)
                    .append('.');
        }
        return key.toString();
    }
}

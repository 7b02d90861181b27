package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.telemetra.testing.FlinkSessionCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One setting, TELEMETRA_LOG_FORMAT=json, turns the logs of a real cluster's processes
 * (flink-conf/log4j.properties) into JSON lines in the Elastic Common Schema; without it they stay
 * text. Read from the JobManager's and TaskManager's log files.
 */
class LogFormatIT {
    private static final Path LOGS = Path.of("work/flink/log");

    @Test
    void oneSettingTurnsTheClusterLogsIntoEcsJsonLines() throws Exception {
        List<String> json = linesWritten(Map.of("TELEMETRA_LOG_FORMAT", "json"));
        assertTrue(json.size() > 20, "lines written: " + json.size());
        JsonFactory factory = new JsonFactory();
        for (String line : json) {
            Set<String> fields = new HashSet<>();
            try (JsonParser p = factory.createParser(line)) {
                assertEquals(JsonToken.START_OBJECT, p.nextToken(), line);
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    fields.add(p.currentName());
                    p.nextToken();
                    p.skipChildren();
                }
                assertEquals(null, p.nextToken(), "one object per line: " + line);
            }
            assertTrue(
                    fields.containsAll(Set.of("@timestamp", "log.level", "message", "log.logger")),
                    fields + " in " + line);
        }
        // text by default: every entry starts with its time (a message may go on over lines)
        List<String> text = linesWritten(Map.of());
        long entries =
                text.stream()
                        .filter(
                                l ->
                                        l.matches(
                                                "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}"
                                                        + " .*"))
                        .count();
        assertTrue(entries > 20, "text entries: " + entries);
        assertTrue(text.stream().noneMatch(l -> l.startsWith("{\"@timestamp\"")), "no JSON line");
    }

    @Test
    void theForegroundConfigurationOfTheDockerImageSwitchesConsoleAndFileAlike(@TempDir Path dir)
            throws Exception {
        for (String format : List.of("json", "text")) {
            Path file = dir.resolve(format + ".log");
            ProcessBuilder pb =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    "-Dlog4j.configurationFile=flink-conf/log4j-console.properties",
                                    "-Dlog.file=" + file,
                                    "io.telemetra.testing.LogLine")
                            .redirectErrorStream(true);
            pb.environment().put("TELEMETRA_LOG_FORMAT", format);
            Process p = pb.start();
            String console = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), console);
            for (String out : List.of(console, Files.readString(file))) {
                String line =
                        out.lines()
                                .filter(l -> l.contains("one line from Telemetra"))
                                .findFirst()
                                .orElseThrow(() -> new AssertionError(out));
                if (format.equals("json")) {
                    assertTrue(
                            line.startsWith("{\"@timestamp\"")
                                    && line.contains("\"message\":\"one line from Telemetra\""),
                            line);
                } else {
                    assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d .* INFO .*"), line);
                }
            }
        }
    }

    /** The lines both processes add to their log files while the cluster starts and stops. */
    private static List<String> linesWritten(Map<String, String> env) throws Exception {
        long jm = size("jobmanager.log");
        long tm = size("taskmanager.log");
        FlinkSessionCluster.start(env);
        FlinkSessionCluster.stop();
        List<String> lines = new java.util.ArrayList<>(after("jobmanager.log", jm));
        lines.addAll(after("taskmanager.log", tm));
        return lines;
    }

    private static long size(String file) throws Exception {
        Path p = LOGS.resolve(file);
        return Files.exists(p) ? Files.size(p) : 0;
    }

    private static List<String> after(String file, long offset) throws Exception {
        byte[] all = Files.readAllBytes(LOGS.resolve(file));
        return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
    }
}

package io.telemetra.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./telemetra demo --duration 90s} as a user runs it, in a child JVM: the dashboard's REST
 * API reports the job RUNNING, rows appear, the first planted burst becomes a moment, and
 * afterwards no process or listening port is left.
 */
class DemoIT {
    @Test
    void boundedDemoShowsResultsAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        int kafka = freePortPair();
        int pg = freePort();
        int web = freePort();
        int consolePort = freePort();
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-Dlog4j2.configurationFile=src/tools/log4j2-tools.properties",
                                "-Dtelemetra.log.file=" + dir.resolve("telemetra.log"),
                                "--add-opens=java.base/java.util=ALL-UNNAMED",
                                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                                "-cp",
                                System.getProperty("java.class.path"),
                                "io.telemetra.tools.Tools",
                                "demo",
                                "--duration",
                                "90s",
                                "--streams",
                                "10",
                                "--rate",
                                "150",
                                "--kafka-port",
                                Integer.toString(kafka),
                                "--postgres-port",
                                Integer.toString(pg),
                                "--dashboard-port",
                                Integer.toString(web),
                                "--console-port",
                                Integer.toString(consolePort),
                                "--data-dir",
                                dir.resolve("data").toString()));
        Path console = dir.resolve("console.txt");
        Process demo =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(console.toFile())
                        .start();
        List<ProcessHandle> children = new ArrayList<>();
        try {
            HttpClient http = HttpClient.newHttpClient();
            waitFor(
                    demo,
                    console,
                    "the dashboard's REST API reports the job RUNNING",
                    () -> {
                        try {
                            String body =
                                    http.send(
                                                    HttpRequest.newBuilder(
                                                                    URI.create(
                                                                            "http://127.0.0.1:"
                                                                                    + web
                                                                                    + "/jobs/overview"))
                                                            .timeout(Duration.ofSeconds(5))
                                                            .build(),
                                                    HttpResponse.BodyHandlers.ofString())
                                            .body();
                            return body.contains("\"state\":\"RUNNING\"");
                        } catch (IOException e) {
                            return false;
                        }
                    });
            demo.descendants().forEach(children::add);
            assertTrue(!children.isEmpty(), "Kafka and PostgreSQL run as child processes");
            String url = "jdbc:postgresql://127.0.0.1:" + pg + "/postgres";
            waitFor(
                    demo,
                    console,
                    "rows in chat_summary_minute",
                    () -> count(url, "SELECT count(*) FROM chat_summary_minute") > 0);
            Path labels = dir.resolve("data").resolve("labels.jsonl");
            waitFor(
                    demo,
                    console,
                    "a planted scenario",
                    () -> Files.exists(labels) && Files.size(labels) > 0);
            String first = Files.readAllLines(labels).get(0);
            assertTrue(first.contains("\"kind\":\"hype_burst\""), first);
            String stream = first.replaceAll(".*\"stream_id\":\"([^\"]+)\".*", "$1");
            waitFor(
                    demo,
                    console,
                    "the planted burst on " + stream + " as a moment",
                    () ->
                            count(
                                            url,
                                            "SELECT count(*) FROM moments WHERE moment_type ="
                                                    + " 'chat_spike' AND stream_id = '"
                                                    + stream
                                                    + "'")
                                    > 0);
            // the console, as the demo printed it, shows the stream and its moment
            String consoleUrl = "http://127.0.0.1:" + consolePort + "/";
            String overview = get(http, consoleUrl + "api/overview");
            assertTrue(overview.contains("\"stream_id\":\"" + stream + "\""), overview);
            String page = get(http, consoleUrl + "api/streams/" + stream);
            assertTrue(page.contains("\"moment_type\":\"chat_spike\""), page);
            assertTrue(get(http, consoleUrl).contains("data-page=\"overview\""));

            assertTrue(demo.waitFor(150, TimeUnit.SECONDS), "the demo ends after --duration");
            assertEquals(0, demo.exitValue(), Files.readString(console));
            String out = Files.readString(console);
            assertTrue(out.contains("Flink dashboard:  http://localhost:" + web), out);
            assertTrue(out.contains("Console:          " + consoleUrl), out);
            assertTrue(
                    out.contains("psql \"postgresql://postgres@127.0.0.1:" + pg + "/postgres\""),
                    out);
            assertTrue(
                    out.contains("msg/s") && out.contains("newest moments:"),
                    "the live view was printed");
            // the scorecard at the stop names the burst that was caught above
            assertTrue(out.contains("Scorecard: "), out);
            assertTrue(
                    out.contains("  caught    hype_burst on " + stream + " at "),
                    "the scorecard shows the caught burst: " + out);
            for (ProcessHandle child : children) {
                child.onExit().get(10, TimeUnit.SECONDS);
                assertTrue(!child.isAlive(), "child process " + child.pid() + " stopped");
            }
            for (int port : new int[] {kafka, kafka + 1, pg, web, consolePort}) {
                assertTrue(isFree(port), "port " + port + " released");
            }
        } finally {
            demo.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static long count(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return 0; // not up yet, or the schema not created yet
        }
    }

    private static void waitFor(
            Process demo, Path console, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            if (!demo.isAlive()) {
                throw new AssertionError(
                        "the demo exited before " + what + ":\n" + Files.readString(console));
            }
            Thread.sleep(500);
        }
        throw new AssertionError(
                "timed out waiting for " + what + ":\n" + Files.readString(console));
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** A free port whose successor is free too (Kafka's controller listens on port + 1). */
    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p = freePort();
            if (isFree(p + 1)) {
                return p;
            }
        }
        throw new IOException("no two adjacent free ports");
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }
}

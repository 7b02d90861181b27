package io.telemetra;

import static io.telemetra.SessionClusterIT.T0;
import static io.telemetra.SessionClusterIT.count;
import static io.telemetra.SessionClusterIT.waitFor;
import static io.telemetra.SessionClusterIT.windowsEndingBy;
import static io.telemetra.testing.FlinkSessionCluster.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.Dashboards;
import io.telemetra.testing.FlinkSessionCluster;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.TestEvent;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Every query of the Grafana dashboards (deploy/grafana/dashboards) against the real systems they
 * are written for: the job runs on a real session cluster with flink-conf's Prometheus reporter, a
 * real Prometheus (Debian's package, installed by .ci/run) scrapes it with deploy/prometheus's
 * scrape job, and each PromQL query must return series; the job fills a real PostgreSQL, and each
 * SQL query, with Grafana's macros expanded, must return rows.
 */
@ExtendWith(RealInfrastructure.class)
class MonitoringIT {
    static final String PROMETHEUS = "/usr/bin/prometheus";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startCluster() throws Exception {
        FlinkSessionCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        FlinkSessionCluster.stop();
    }

    @Test
    void everyDashboardQueryReturnsDataFromARealFlinkRun(@TempDir Path dir) throws Exception {
        assertTrue(
                Files.isExecutable(Path.of(PROMETHEUS)),
                PROMETHEUS
                        + " is missing: install Debian's prometheus package (.ci/run does: apt-get"
                        + " install prometheus)");
        RealInfrastructure.resetSchema();
        RealInfrastructure.createTopic("monitor.chat", 2);
        RealInfrastructure.createTopic("monitor.viewer", 1);
        produce();
        String job = SessionClusterIT.submitTo(dir, "monitored", "monitor", null, "3.0", List.of());
        Process prometheus = startPrometheus(dir);
        try {
            waitFor("windows up to 4 min written", () -> windowsEndingBy(T0 + 240_000) >= 24);
            waitFor("the burst's moment written", () -> count("SELECT count(*) FROM moments") > 0);

            List<String> empty = new ArrayList<>();
            int sql = 0;
            int promql = 0;
            for (Dashboards.Query q : Dashboards.queries()) {
                if (q.datasource().equals("telemetra-postgres")) {
                    sql++;
                    String expanded =
                            Dashboards.sql(
                                    q.text(),
                                    Instant.ofEpochMilli(T0),
                                    Instant.ofEpochMilli(T0 + 3_600_000),
                                    streams());
                    if (count("SELECT count(*) FROM (" + expanded + ") q") == 0) {
                        empty.add(q + ": no rows from " + expanded);
                    }
                } else {
                    promql++;
                    String expr = Dashboards.promql(q.text(), "20s");
                    if (!seriesWithin(prometheus, expr, Duration.ofSeconds(60))) {
                        empty.add(q + ": no series from " + expr);
                    }
                }
            }
            assertEquals(List.of(), empty, "dashboard queries without data");
            assertTrue(sql >= 9 && promql >= 13, sql + " SQL and " + promql + " PromQL queries");
            System.out.printf(
                    "MonitoringIT: %d PostgreSQL and %d Prometheus queries of the dashboards"
                            + " returned data%n",
                    sql, promql);
        } finally {
            prometheus.destroy();
            prometheus.waitFor();
            sh(List.of("scripts/flink", "cancel", job), dir.resolve("cancel.txt"), 60);
        }
    }

    /** Five minutes of one steady stream with a burst at 200-220 s, and its viewer counts. */
    private static void produce() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = RealInfrastructure.producer()) {
            for (long ms = 0; ms < 300_000; ms += 500) {
                boolean burst = ms >= 200_000 && ms < 220_000;
                for (int i = 0; i < (burst ? 10 : 1); i++) {
                    // positive, negative, neutral and emote lines in turn
                    TestEvent.MessageTemplate line =
                            TestEvent.MessageTemplate.ALL.get((int) ((ms / 500 + i) % 7));
                    TestEvent e =
                            TestEvent.chat(
                                    "watched", T0 + ms + i, "u" + (ms / 1000 % 13 + i), line);
                    p.send(
                            new ProducerRecord<>(
                                    "monitor.chat", (int) (ms / 1000 % 2), null, e.json()));
                }
                if (ms % 10_000 == 0) {
                    TestEvent v = TestEvent.viewers("watched", T0 + ms, 100 + ms / 10_000);
                    p.send(new ProducerRecord<>("monitor.viewer", 0, null, v.json()));
                }
            }
            // one record the job rejects, so the rejection panels have something to count
            p.send(new ProducerRecord<>("monitor.chat", 0, null, "not json".getBytes()));
        }
    }

    /** deploy/prometheus's scrape job, with this machine's reporter ports as its targets. */
    @SuppressWarnings("unchecked")
    private static Process startPrometheus(Path dir) throws Exception {
        Map<String, Object> config =
                (Map<String, Object>)
                        new Load(LoadSettings.builder().build())
                                .loadFromString(
                                        Files.readString(
                                                Path.of("deploy/prometheus/prometheus.yml")));
        Map<String, Object> global =
                new LinkedHashMap<>((Map<String, Object>) config.get("global"));
        global.put("scrape_interval", "1s");
        config.put("global", global);
        Map<String, Object> job =
                (Map<String, Object>) ((List<Object>) config.get("scrape_configs")).get(0);
        List<String> targets = new ArrayList<>();
        // flink-conf's reporter range: the JobManager and the TaskManager each take a free port
        for (int port = 9249; port <= 9260; port++) {
            targets.add("127.0.0.1:" + port);
        }
        job.put("static_configs", List.of(Map.of("targets", targets)));
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, new Dump(DumpSettings.builder().build()).dumpToString(config));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p =
                new ProcessBuilder(
                                PROMETHEUS,
                                "--config.file=" + file,
                                "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                                "--web.listen-address=127.0.0.1:" + port)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("prometheus.log").toFile())
                        .start();
        PROMETHEUS_URL = "http://127.0.0.1:" + port;
        waitFor(
                "Prometheus ready (" + dir.resolve("prometheus.log") + ")",
                () -> {
                    try {
                        return get("/-/ready").contains("Ready");
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
        return p;
    }

    static String PROMETHEUS_URL;

    private static boolean seriesWithin(Process prometheus, String expr, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            assertTrue(prometheus.isAlive(), "Prometheus stopped");
            JsonNode answer =
                    new ObjectMapper()
                            .readTree(
                                    get(
                                            "/api/v1/query?query="
                                                    + URLEncoder.encode(
                                                            expr, StandardCharsets.UTF_8)));
            assertEquals("success", answer.path("status").asText(), expr + ": " + answer);
            if (!answer.path("data").path("result").isEmpty()) {
                return true;
            }
            Thread.sleep(1000);
        }
        return false;
    }

    private static String get(String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(PROMETHEUS_URL + path)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static List<String> streams() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT DISTINCT stream_id FROM chat_summary_minute")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}

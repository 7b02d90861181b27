package io.telemetra.tools.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetra.TelemetraJob;
import io.telemetra.config.TelemetraConfig.Secret;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Reliability;
import io.telemetra.testing.TestEvent;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console over a PostgreSQL filled by the real job (stream mode, from a real Kafka): the API
 * returns exactly the database's rows, reads only, and every query can use an index; then headless
 * Chromium loads the overview and stream pages and, through the pages' own test hooks, finds the
 * database's points and moments in the charts, a new window drawn without a reload, and hostile
 * stream ids shown as text. It prints the time from navigation start to the 24 h page's "data
 * drawn" signal and saves screenshots under target/.
 */
@ExtendWith(RealInfrastructure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static final String DAY = "day-long stream";

    /** HostileInputIT's stream ids, and two that are HTML. */
    static final List<String> HOSTILE =
            List.of(
                    "x'); DROP TABLE moments; --",
                    "🎮 stream ✨",
                    "<img src=x onerror=window.pwned=1>",
                    "</script><script>window.pwned=2</script>");

    static final String CHAT = "console.chat";
    static final String VIEWER = "console.viewer";
    static final ObjectMapper JSON = new ObjectMapper();

    static long end;
    static JobClient job;
    static Console console;
    static String base;
    static ChromeDriver browser;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void fillTheDatabaseWithTheJob() throws Exception {
        RealInfrastructure.resetSchema();
        RealInfrastructure.createTopic(CHAT, 2);
        RealInfrastructure.createTopic(VIEWER, 1);
        try (Connection c = RealInfrastructure.connect()) {
            ConsoleRoles.create(c, "console-secret", "alerts-secret");
        }
        // 24 h of one stream (a viewer report every slide, a message every 5 s, a burst at 20 h)
        // and the last 10 minutes of the hostile ones, ending 5 minutes ago
        end = (System.currentTimeMillis() - 300_000) / 10_000 * 10_000;
        long start = end - Duration.ofHours(24).toMillis() - 60_000;
        List<TestEvent> events = new ArrayList<>();
        List<TestEvent.MessageTemplate> templates = TestEvent.MessageTemplate.ALL;
        for (long t = start; t <= end; t += 5_000) {
            events.add(TestEvent.chat(DAY, t + 1, "u" + (t / 5_000 % 20), templates.get(0)));
            if (t % 10_000 == 0) {
                events.add(TestEvent.viewers(DAY, t + 2, 1_000 + (t / 10_000) % 50));
            }
        }
        long burst = start + Duration.ofHours(20).toMillis();
        for (int i = 0; i < 1_800; i++) {
            events.add(
                    TestEvent.chat(
                            DAY,
                            burst + i * 50L,
                            "fan" + i % 300,
                            templates.get(i % templates.size())));
        }
        for (String id : HOSTILE) {
            for (long t = end - 600_000; t <= end; t += 2_000) {
                events.add(TestEvent.chat(id, t + 3, "h" + t % 7, templates.get(1)));
                if (t % 10_000 == 0) {
                    events.add(TestEvent.viewers(id, t + 4, 50));
                }
            }
        }
        events.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        produce(events);

        StreamExecutionEnvironment env = JobRunner.environment();
        TelemetraJob.build(
                env,
                JobRunner.config(
                        CHAT,
                        VIEWER,
                        "--watermark.delay",
                        "1s",
                        "--kafka.starting-offsets",
                        "earliest"));
        job = env.executeAsync("console-it");
        // the windows closed by the corpus: up to the watermark, a second before its last event
        waitFor(
                "the day-long stream's windows",
                Duration.ofMinutes(4),
                () -> windows(DAY) >= 8_640 && moments(DAY) > 0);
        console =
                new Console(
                        RealInfrastructure.postgresUrl(),
                        "telemetra_console",
                        new Secret("console-secret"),
                        "127.0.0.1",
                        0);
        console.start();
        base = console.address();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.close();
        }
        if (job != null) {
            job.cancel().get();
        }
    }

    @Test
    @Order(1)
    void theStreamApiReturnsTheDatabasesWindowsAndMoments() throws Exception {
        JsonNode page = get("api/streams/" + encode(DAY) + "?range=24h");
        long from = page.get("from").asLong();
        long to = page.get("to").asLong();
        assertEquals(DAY, page.get("stream_id").asText());
        List<Long> ends = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        try (Connection c = RealInfrastructure.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT window_end, chat_count FROM chat_summary_minute WHERE"
                                        + " stream_id = ? AND window_start >= ? AND window_start"
                                        + " < ? ORDER BY window_start")) {
            ps.setString(1, DAY);
            ps.setTimestamp(2, new Timestamp(from));
            ps.setTimestamp(3, new Timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ends.add(rs.getTimestamp(1).getTime() / 1000);
                    counts.add(rs.getLong(2));
                }
            }
        }
        // the range ends at the newest window's end: 24 h of window ends, 8,634 windows
        assertTrue(ends.size() >= 8_630, "24 h of windows: " + ends.size());
        assertEquals(ends, longs(page.get("series").get("t")));
        assertEquals(counts, longs(page.get("series").get("chat_count")));
        List<Long> momentIds = new ArrayList<>();
        page.get("moments").forEach(m -> momentIds.add(m.get("id").asLong()));
        assertEquals(momentIdsInDatabase(DAY, from, to), momentIds);
        assertTrue(!momentIds.isEmpty(), "the burst is a moment");
        assertTrue(page.get("top_emotes").size() > 0);
    }

    @Test
    @Order(2)
    void theOverviewListsEveryStreamByItsExactId() throws Exception {
        JsonNode overview = get("api/overview?range=24h");
        List<String> ids = new ArrayList<>();
        overview.get("streams").forEach(s -> ids.add(s.get("stream_id").asText()));
        assertTrue(ids.contains(DAY), ids.toString());
        assertTrue(ids.containsAll(HOSTILE), ids.toString());
        for (String id : HOSTILE) {
            assertEquals(id, get("api/streams/" + encode(id)).get("stream_id").asText());
        }
        HttpResponse<String> bad = raw("api/overview?range=7y");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("unknown range '7y'"), bad.body());
    }

    @Test
    @Order(3)
    void theConsoleRoleReadsOnlyAndEveryQueryCanUseAnIndex() throws Exception {
        try (Connection c = console.connect();
                Statement st = c.createStatement()) {
            SQLException e =
                    assertThrows(
                            SQLException.class,
                            () -> st.executeUpdate("DELETE FROM moments WHERE stream_id = 'x'"));
            assertTrue(
                    e.getMessage().contains("read-only")
                            || e.getMessage().contains("permission denied"),
                    e.getMessage());
        }
        // with sequential scans priced out, each query's plan must use an index (or it has none
        // that serves it); the plans go to target/console-explain.txt for the README
        StringBuilder plans = new StringBuilder();
        long from = end - 900_000;
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            st.execute("ANALYZE chat_summary_minute");
            st.execute("ANALYZE moments");
            st.execute("SET enable_seqscan = off");
            Object[][] queries = {
                {ConsoleApi.NEWEST_WINDOW, new Object[] {}},
                {ConsoleApi.OVERVIEW_STREAMS_SQL, new Object[] {ts(from), ts(end)}},
                {
                    ConsoleApi.SPARKLINES_SQL,
                    new Object[] {15.0, ts(from), ts(end), new String[] {DAY}}
                },
                {ConsoleApi.MOMENT_COUNTS_SQL, new Object[] {new String[] {DAY}, ts(0), ts(end)}},
                {ConsoleApi.NEWEST_MOMENTS_SQL, new Object[] {ts(from), ts(end)}},
                {ConsoleApi.STREAM_SERIES_SQL, new Object[] {DAY, ts(from), ts(end)}},
                {ConsoleApi.STREAM_MOMENTS_SQL, new Object[] {DAY, ts(0), ts(end)}},
            };
            for (Object[] q : queries) {
                String plan = explain(c, (String) q[0], (Object[]) q[1]);
                plans.append("-- ").append(q[0]).append('\n').append(plan).append('\n');
                assertTrue(
                        plan.contains("Index"), "no index in the plan of " + q[0] + ":\n" + plan);
            }
        }
        Files.writeString(Path.of("target/console-explain.txt"), plans);
    }

    @Test
    @Order(4)
    void chromiumDrawsTheDatabasesPointsAndMomentsAndHostileIdsAsText() throws Exception {
        browser = chromium();
        JavascriptExecutor js = browser;

        browser.get(base + "?range=24h");
        waitDrawn(js, 1);
        @SuppressWarnings("unchecked")
        List<String> listed = (List<String>) js.executeScript("return window.__telemetra.streams");
        assertTrue(listed.contains(DAY) && listed.containsAll(HOSTILE), listed.toString());
        for (String id : HOSTILE) {
            WebElement row = rowOf(id);
            assertTrue(row.getText().contains(id), row.getText());
        }
        assertNull(js.executeScript("return window.pwned"), "a stream id ran as markup");
        screenshot("target/console-overview.png");

        // the 24 h stream page: its chart holds the API's points, and each moment a marker
        JsonNode api = get("api/streams/" + encode(DAY) + "?range=24h");
        int points = api.get("series").get("t").size();
        List<Double> drawnMs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            browser.get(base + "streams/" + encode(DAY) + "?range=24h");
            waitDrawn(js, 1);
            drawnMs.add(
                    ((Number) js.executeScript("return window.__telemetra.drawnAt")).doubleValue());
        }
        assertEquals(
                (long) points,
                ((Number) js.executeScript("return window.__telemetra.series.t.length"))
                        .longValue());
        assertEquals(
                Integer.toString(nonNull(api.get("series").get("chat_rate"))),
                browser.findElement(By.cssSelector("[data-chart=chat_rate]"))
                        .getAttribute("data-points"));
        List<String> markers = new ArrayList<>();
        browser.findElements(By.cssSelector("#moments [data-moment-id]"))
                .forEach(e -> markers.add(e.getAttribute("data-moment-id")));
        List<String> expected = new ArrayList<>();
        api.get("moments").forEach(m -> expected.add(m.get("id").asText()));
        assertEquals(expected, markers);
        assertEquals(
                (long) expected.size(),
                ((Number) js.executeScript("return window.__telemetra.moments.length"))
                        .longValue());
        screenshot("target/console-stream.png");
        String timing =
                String.format(
                        Locale.ROOT,
                        "24 h stream page, %d windows and %d moments: data drawn %.0f, %.0f, %.0f"
                                + " ms after navigation start (headless Chromium, 3 loads)",
                        points,
                        expected.size(),
                        drawnMs.get(0),
                        drawnMs.get(1),
                        drawnMs.get(2));
        System.out.println("console: " + timing);
        Files.writeString(Path.of("target/console-render.txt"), timing + "\n");

        // live: a new window appears without a reload
        browser.get(base + "streams/" + encode(DAY) + "?range=15m");
        waitDrawn(js, 1);
        js.executeScript("window.__sameDocument = true");
        long draws = ((Number) js.executeScript("return window.__telemetra.draws")).longValue();
        long newest =
                ((Number) js.executeScript("return window.__telemetra.newestWindowEnd"))
                        .longValue();
        List<TestEvent> later = new ArrayList<>();
        for (long t = end + 1_000; t <= end + 40_000; t += 1_000) {
            later.add(TestEvent.chat(DAY, t, "late" + t % 5, TestEvent.MessageTemplate.ALL.get(0)));
            if (t % 10_000 == 0) {
                later.add(TestEvent.viewers(DAY, t, 1_000));
            }
        }
        produce(later);
        waitFor(
                "a newer window drawn by the open page",
                Duration.ofSeconds(90),
                () -> {
                    Object n = js.executeScript("return window.__telemetra.newestWindowEnd");
                    Object d = js.executeScript("return window.__telemetra.draws");
                    return n != null
                            && ((Number) n).longValue() > newest
                            && ((Number) d).longValue() > draws;
                });
        assertEquals(Boolean.TRUE, js.executeScript("return window.__sameDocument === true"));
        @SuppressWarnings("unchecked")
        List<Object> t = (List<Object>) js.executeScript("return window.__telemetra.series.t");
        long lastDrawn = ((Number) t.get(t.size() - 1)).longValue() * 1000;
        assertTrue(lastDrawn > newest, "the new window is in the chart's data");

        // hostile ids on their own pages: text in the title, nothing executed
        for (String id : HOSTILE) {
            browser.get(base + "streams/" + encode(id) + "?range=1h");
            waitDrawn(js, 1);
            WebElement title = browser.findElement(By.id("stream-title"));
            assertEquals(id, title.getText());
            assertEquals(id, title.getAttribute("data-stream-id"));
            assertNull(js.executeScript("return window.pwned"), "stream id " + id + " ran");
        }
        screenshot("target/console-hostile.png");
        Reliability.record(
                "console in headless Chromium",
                "a 24 h stream filled by the job, four hostile stream ids, a window committed"
                        + " while the page is open",
                "chart points and moment markers against the database",
                timing + "; new window drawn without reload; hostile ids shown as text");
    }

    // --- helpers

    static ChromeDriver chromium() {
        File driver = new File("/usr/bin/chromedriver");
        File binary = new File("/usr/bin/chromium");
        if (!driver.canExecute() || !binary.canExecute()) {
            throw new IllegalStateException(
                    "the console's browser test needs Debian's chromium and chromium-driver"
                            + " packages (/usr/bin/chromium, /usr/bin/chromedriver): bash .ci/run"
                            + " installs them, or apt-get install chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1400,1100");
        ChromeDriverService service =
                new ChromeDriverService.Builder().usingDriverExecutable(driver).build();
        return new ChromeDriver(service, options);
    }

    WebElement rowOf(String id) {
        for (WebElement row : browser.findElements(By.cssSelector("tr[data-stream-id]"))) {
            if (id.equals(row.getAttribute("data-stream-id"))) {
                return row;
            }
        }
        throw new AssertionError("no overview row for " + id);
    }

    static void waitDrawn(JavascriptExecutor js, int draws) throws InterruptedException {
        waitFor(
                "the page's data drawn",
                Duration.ofSeconds(30),
                () -> {
                    Object d =
                            js.executeScript(
                                    "return document.documentElement.getAttribute('data-drawn')");
                    Object err =
                            js.executeScript(
                                    "var e = document.getElementById('error');"
                                            + " return e && !e.hidden && e.textContent ?"
                                            + " e.textContent : null");
                    if (err != null && !err.toString().isBlank()) {
                        throw new AssertionError("the page shows an error: " + err);
                    }
                    return d != null && Integer.parseInt(d.toString()) >= draws;
                });
    }

    void screenshot(String file) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), Path.of(file), StandardCopyOption.REPLACE_EXISTING);
    }

    static void produce(List<TestEvent> events) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = RealInfrastructure.producer()) {
            int i = 0;
            for (TestEvent e : events) {
                p.send(
                        e.chat()
                                ? new ProducerRecord<>(CHAT, i++ % 2, null, e.json())
                                : new ProducerRecord<>(VIEWER, 0, null, e.json()));
            }
            p.flush();
        }
    }

    static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = raw(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> raw(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }

    static int nonNull(JsonNode array) {
        int n = 0;
        for (JsonNode v : array) {
            if (!v.isNull()) {
                n++;
            }
        }
        return n;
    }

    static Timestamp ts(long ms) {
        return new Timestamp(ms);
    }

    static String explain(Connection c, String sql, Object[] params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p instanceof String[] arr) {
                    ps.setArray(i + 1, c.createArrayOf("varchar", arr));
                } else {
                    ps.setObject(i + 1, p);
                }
            }
            StringBuilder sb = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('\n');
                }
            }
            return sb.toString();
        }
    }

    static long windows(String stream) {
        return count("SELECT count(*) FROM chat_summary_minute WHERE stream_id = ?", stream);
    }

    static long moments(String stream) {
        return count("SELECT count(*) FROM moments WHERE stream_id = ?", stream);
    }

    static long count(String sql, String stream) {
        try (Connection c = RealInfrastructure.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Long> momentIdsInDatabase(String stream, long from, long to) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = RealInfrastructure.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT id FROM moments WHERE stream_id = ? AND \"timestamp\" >= ?"
                                        + " AND \"timestamp\" < ? ORDER BY \"timestamp\", id")) {
            ps.setString(1, stream);
            ps.setTimestamp(2, new Timestamp(from));
            ps.setTimestamp(3, new Timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    static void waitFor(String what, Duration timeout, BooleanSupplier done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}

package io.telemetra.tools.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.telemetra.config.TelemetraConfig.Secret;
import io.telemetra.sink.Statements;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Reliability;
import io.telemetra.tools.console.ConsoleRoles;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The moment-alert notifier against a real PostgreSQL (moments written with the job's own upsert)
 * and a local webhook that fails the first attempts of every alert: each moment is delivered
 * successfully exactly once, across a notifier restart, including a moment whose transaction
 * commits after one with a higher id was already delivered; alerts that keep failing end dead with
 * their error; filters decide on the moment as first seen; an update sends nothing without
 * --alerts.on-update.
 */
@ExtendWith(RealInfrastructure.class)
class AlertNotifierIT {
    static final String ALERTS_PASSWORD = "alerts-secret";
    static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

    /** Requests seen per idempotency key; the first FAILS of each key are answered 503. */
    final Map<String, List<Integer>> answers = new ConcurrentHashMap<>();

    final Map<String, String> bodies = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    static final int FAILS = 2;

    HttpServer webhook;
    String flaky;
    String broken;

    @BeforeEach
    void start() throws Exception {
        RealInfrastructure.resetSchema();
        try (Connection c = RealInfrastructure.connect()) {
            ConsoleRoles.create(c, "console-secret", ALERTS_PASSWORD);
        }
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        webhook.createContext(
                "/flaky",
                ex -> {
                    requests.incrementAndGet();
                    String key = ex.getRequestHeaders().getFirst("Telemetra-Moment-Id");
                    String body = new String(ex.getRequestBody().readAllBytes(), UTF8);
                    List<Integer> seen =
                            answers.computeIfAbsent(
                                    key, k -> Collections.synchronizedList(new ArrayList<>()));
                    int status = seen.size() < FAILS ? 503 : 200;
                    seen.add(status);
                    bodies.put(key, body);
                    ex.sendResponseHeaders(status, -1);
                    ex.close();
                });
        webhook.createContext(
                "/broken",
                ex -> {
                    byte[] b = "boom".getBytes(UTF8);
                    ex.getRequestBody().readAllBytes();
                    ex.sendResponseHeaders(500, b.length);
                    ex.getResponseBody().write(b);
                    ex.close();
                });
        webhook.start();
        String base = "http://127.0.0.1:" + webhook.getAddress().getPort();
        flaky = base + "/flaky";
        broken = base + "/broken";
    }

    @AfterEach
    void stop() {
        webhook.stop(0);
    }

    static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

    AlertNotifier notifier(List<String> hooks, Set<String> types, boolean onUpdate) {
        return new AlertNotifier(
                RealInfrastructure.postgresUrl(),
                "telemetra_alerts",
                new Secret(ALERTS_PASSWORD),
                hooks,
                new AlertNotifier.Settings(
                        AlertFormat.JSON,
                        types,
                        0,
                        Set.of(),
                        onUpdate,
                        4,
                        Duration.ofMillis(100),
                        Duration.ofMillis(200),
                        Duration.ofHours(24),
                        Duration.ofSeconds(5),
                        "http://127.0.0.1:8090/"));
    }

    @Test
    void everyMomentIsDeliveredOnceAcrossOutOfOrderCommitsAndARestart() throws Exception {
        long t0 = System.nanoTime();
        AlertNotifier first = notifier(List.of(flaky, broken), Set.of(), false);
        first.start();
        long idA;
        long idB;
        try (Connection a = RealInfrastructure.connect();
                Connection b = RealInfrastructure.connect()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            // A takes the lower id, B the higher; B commits first, as two sink subtasks may
            idA = insertMoment(a, "stream-a", "chat_spike", 0, 3.0);
            idB = insertMoment(b, "stream-b", "chat_spike", 0, 4.0);
            assertTrue(idA < idB);
            b.commit();
            waitFor("B delivered", () -> delivered(idB));
            // the notifier has seen a higher id delivered; A commits now, with the lower id
            a.commit();
        }
        waitFor("A delivered after its late commit", () -> delivered(idA));
        first.close();

        // a moment committed while no notifier runs is delivered by the next one
        long idC;
        try (Connection c = RealInfrastructure.connect()) {
            idC = insertMoment(c, "stream-c", "raid", 0, 5.0);
        }
        AlertNotifier second = notifier(List.of(flaky, broken), Set.of(), false);
        second.start();
        try {
            waitFor("C delivered by the restarted notifier", () -> delivered(idC));
            waitFor("the broken webhook's alerts dead", () -> deadCount() == 3);
            Thread.sleep(1000); // a few more polls: nothing may be sent again
        } finally {
            second.close();
        }

        // exactly FAILS failed attempts and one success per moment, nothing else
        Map<String, List<Integer>> got = new TreeMap<>(answers);
        List<Integer> expected = List.of(503, 503, 200);
        assertEquals(
                Map.of(
                        Long.toString(idA), expected,
                        Long.toString(idB), expected,
                        Long.toString(idC), expected),
                got);
        String bodyA = bodies.get(Long.toString(idA));
        assertTrue(bodyA.contains("\"moment_id\":" + idA), bodyA);
        assertTrue(bodyA.contains("\"stream_id\":\"stream-a\""), bodyA);
        assertTrue(bodyA.contains("/streams/stream-a?at="), bodyA);
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT attempts, last_error FROM moment_alerts WHERE status ="
                                        + " 'dead'")) {
            int dead = 0;
            while (rs.next()) {
                dead++;
                assertEquals(4, rs.getInt(1), "dead after --alerts.max-attempts");
                assertEquals("HTTP 500: boom", rs.getString(2));
            }
            assertEquals(3, dead);
        }
        Reliability.record(
                "moment alerts: out-of-order commits and a notifier restart",
                "a webhook failing the first "
                        + FAILS
                        + " attempts of every alert; a lower moment id committed after a higher"
                        + " one was delivered; a moment committed while no notifier ran; a"
                        + " webhook that always fails",
                "webhook requests per moment; moment_alerts",
                String.format(
                        "3 moments, %d requests: each moment 2 failed attempts and 1 successful"
                                + " delivery, none missed or repeated; 3 alerts to the failing"
                                + " webhook dead after 4 attempts with its error; %.1f s",
                        requests.get(), (System.nanoTime() - t0) / 1e9));
    }

    @Test
    void filtersDecideOnTheMomentAsFirstSeenAndUpdatesSendNothingByDefault() throws Exception {
        AlertNotifier n = notifier(List.of(flaky), Set.of("raid"), false);
        n.start();
        long raid;
        long spike;
        try (Connection c = RealInfrastructure.connect()) {
            raid = insertMoment(c, "s", "raid", 0, 2.0);
            spike = insertMoment(c, "s", "chat_spike", 0, 9.0);
            waitFor("the raid delivered", () -> delivered(raid));
            waitFor("the spike filtered", () -> status(spike).equals("filtered"));
            // the open raid reaches a higher peak: the job upserts the same row
            insertMoment(c, "s", "raid", 0, 7.5);
            Thread.sleep(1500);
        } finally {
            n.close();
        }
        assertEquals(List.of(503, 503, 200), answers.get(Long.toString(raid)));
        assertEquals(null, answers.get(Long.toString(spike)), "filtered by --alerts.types");
        assertTrue(bodies.get(Long.toString(raid)).contains("\"intensity\":2.0"));

        // with --alerts.on-update, the change since it was sent is announced, as an update
        try (Connection c = RealInfrastructure.connect()) {
            insertMoment(c, "s", "raid", 0, 8.0);
        }
        AlertNotifier updates = notifier(List.of(flaky), Set.of("raid"), true);
        updates.start();
        try {
            waitFor(
                    "the update delivered",
                    () -> answers.get(Long.toString(raid)).size() >= 4 && delivered(raid));
            Thread.sleep(1000);
        } finally {
            updates.close();
        }
        assertEquals(List.of(503, 503, 200, 200), answers.get(Long.toString(raid)));
        String update = bodies.get(Long.toString(raid));
        assertTrue(update.contains("\"event\":\"moment_updated\""), update);
        assertTrue(update.contains("\"intensity\":8.0"), update);
        assertEquals(null, answers.get(Long.toString(spike)), "still filtered");
    }

    /** Upserts a moment with the job's own statement; returns its id. */
    static long insertMoment(
            Connection c, String stream, String type, long offsetSeconds, double intensity)
            throws Exception {
        try (PreparedStatement ps = c.prepareStatement(Statements.UPSERT_MOMENT)) {
            ps.setString(1, stream);
            ps.setTimestamp(2, Timestamp.from(T.plusSeconds(offsetSeconds)));
            ps.setString(3, type);
            ps.setString(4, type + " <b>on</b> " + stream);
            ps.setDouble(5, intensity);
            ps.setString(6, "{\"peak\":" + intensity + "}");
            ps.executeUpdate();
        }
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT id FROM moments WHERE stream_id = ? AND moment_type = ? AND"
                                + " \"timestamp\" = ?")) {
            ps.setString(1, stream);
            ps.setString(2, type);
            ps.setTimestamp(3, Timestamp.from(T.plusSeconds(offsetSeconds)));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    boolean delivered(long id) {
        return status(id).equals("delivered");
    }

    /** The status of the moment's alert to the flaky webhook; "" before it has one. */
    String status(long id) {
        try (Connection c = RealInfrastructure.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT status FROM moment_alerts WHERE moment_id = ? AND target ="
                                        + " ?")) {
            ps.setLong(1, id);
            ps.setString(2, AlertNotifier.Target.of(flaky).id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long deadCount() {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM moment_alerts WHERE status = 'dead'")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void waitFor(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}

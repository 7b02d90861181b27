package io.telemetra.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.config.TelemetraConfig;
import io.telemetra.event.Rejection;
import io.telemetra.sink.Statements;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.window.WindowSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema version 2's day partitions on a real PostgreSQL, written with the job's own upsert
 * statements: where rows land, replays, and retention while a writer holds prepared transactions as
 * the exactly-once sink does.
 */
@ExtendWith(RealInfrastructure.class)
class PartitionsIT {
    private LocalDate today;

    @BeforeEach
    void schema() throws Exception {
        RealInfrastructure.resetSchema();
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT (now() AT TIME ZONE 'UTC')::date")) {
            rs.next();
            today = rs.getObject(1, LocalDate.class);
        }
    }

    @Test
    void rowsLandInTheirDaysPartitionAcrossMidnight() throws Exception {
        long midnight = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        try (Connection c = RealInfrastructure.connect()) {
            upsert(c, summary("s", midnight - 10_000, 5));
            upsert(c, summary("s", midnight, 6));
            reject(c, 1, midnight - 1);
            reject(c, 2, midnight);
            reject(c, 3, -1); // no timestamp: the epoch, in the DEFAULT partition
            assertEquals(
                    List.of(
                            "chat_summary_minute_p" + day(today),
                            "chat_summary_minute_p" + day(today.plusDays(1))),
                    partitions(c, "chat_summary_minute", "window_start"));
            assertEquals(
                    List.of(
                            "rejected_events_default",
                            "rejected_events_p" + day(today),
                            "rejected_events_p" + day(today.plusDays(1))),
                    partitions(c, "rejected_events", "record_timestamp"));
        }
    }

    @Test
    void aReplayOfOldDataLandsInItsDayAndStaysIdempotent() throws Exception {
        LocalDate old = today.minusDays(30);
        long noon = old.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + 43_200_000;
        try (Connection c = RealInfrastructure.connect()) {
            upsert(c, summary("s", noon, 5));
            upsert(c, summary("s", noon, 7)); // replayed, re-fired with more messages
            reject(c, 9, noon);
            reject(c, 9, noon); // rejected again on replay: the first row stays
            assertEquals(
                    List.of("chat_summary_minute_default"),
                    partitions(c, "chat_summary_minute", "window_start"));
            assertEquals(7, count(c, "SELECT max(chat_count) FROM chat_summary_minute"));
            // the next maintenance run gives that day its partition and moves the rows there
            // (rejected records are kept for 14 days by default: keep them here)
            migrate(Partitions.SUMMARY_RETENTION, Duration.ZERO);
            assertEquals(
                    List.of("chat_summary_minute_p" + day(old)),
                    partitions(c, "chat_summary_minute", "window_start"));
            assertEquals(
                    List.of("rejected_events_p" + day(old)),
                    partitions(c, "rejected_events", "record_timestamp"));
            upsert(c, summary("s", noon, 8)); // and replayed once more
            reject(c, 9, noon);
            assertEquals(1, count(c, "SELECT count(*) FROM chat_summary_minute"));
            assertEquals(8, count(c, "SELECT max(chat_count) FROM chat_summary_minute"));
            assertEquals(1, count(c, "SELECT count(*) FROM rejected_events"));
        }
    }

    @Test
    void anExpiredPartitionIsDroppedWhileAWriterHoldsPreparedTransactions() throws Exception {
        LocalDate expired = today.minusDays(100);
        long then = expired.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        try (Connection c = RealInfrastructure.connect()) {
            upsert(c, summary("old", then, 1));
        }
        migrate(Duration.ZERO, Duration.ZERO); // kept forever: the old day gets its partition
        String oldPartition = "chat_summary_minute_p" + day(expired);
        assertTrue(exists(oldPartition));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger committed = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        long now = today.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + 3_600_000;
        Thread writer =
                new Thread(
                        () -> {
                            try (Connection c = RealInfrastructure.connect()) {
                                for (int i = 0; !stop.get() || i < 20; i++) {
                                    // the two-phase sink's pattern: write, prepare, commit later
                                    c.setAutoCommit(false);
                                    upsert(c, summary("live", now + i * 10_000L, i));
                                    String gid = "partitions-it-" + i;
                                    try (Statement st = c.createStatement()) {
                                        st.execute("PREPARE TRANSACTION '" + gid + "'");
                                    }
                                    c.setAutoCommit(true);
                                    Thread.sleep(50);
                                    try (Statement st = c.createStatement()) {
                                        st.execute("COMMIT PREPARED '" + gid + "'");
                                    }
                                    committed.incrementAndGet();
                                }
                            } catch (Throwable t) {
                                failed.set(t);
                            }
                        });
        writer.start();
        while (committed.get() < 3 && failed.get() == null) {
            Thread.sleep(10);
        }
        String out = migrate(Partitions.SUMMARY_RETENTION, Partitions.REJECTION_RETENTION);
        stop.set(true);
        writer.join(30_000);
        assertNull(failed.get(), () -> "the writer failed: " + failed.get());
        assertTrue(out.contains("chat_summary_minute: 0 day partition(s) created, 1 dropped"), out);
        assertFalse(exists(oldPartition));
        try (Connection c = RealInfrastructure.connect()) {
            assertEquals(
                    committed.get(),
                    count(c, "SELECT count(*) FROM chat_summary_minute WHERE stream_id = 'live'"));
            assertEquals(
                    0,
                    count(c, "SELECT count(*) FROM chat_summary_minute WHERE stream_id = 'old'"));
        }
    }

    private static String migrate(Duration summaries, Duration rejections) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Migrate.migrate(
                RealInfrastructure.postgresUrl(),
                RealInfrastructure.PG_USER,
                new TelemetraConfig.Secret(RealInfrastructure.PG_PASSWORD),
                Partitions.tables(summaries, Partitions.MOMENT_RETENTION, rejections),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static WindowSummary summary(String stream, long start, long chats) {
        WindowSummary s = new WindowSummary();
        s.streamId = stream;
        s.windowStart = start;
        s.windowEnd = start + 60_000;
        s.chatCount = chats;
        s.chatRate = chats / 60.0;
        s.topEmotes = new String[0];
        return s;
    }

    private static void upsert(Connection c, WindowSummary s) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(Statements.UPSERT_SUMMARY)) {
            Statements.SUMMARY.accept(ps, s);
            ps.executeUpdate();
        }
    }

    private static void reject(Connection c, long offset, long recordTimestamp) throws Exception {
        Rejection r = new Rejection();
        r.topic = "chat";
        r.partition = 0;
        r.offset = offset;
        r.reason = "not_json";
        r.payload = new byte[] {'x'};
        r.payloadSize = 1;
        r.recordTimestamp = recordTimestamp;
        try (PreparedStatement ps = c.prepareStatement(Statements.INSERT_REJECTION)) {
            Statements.REJECTION.accept(ps, r);
            ps.executeUpdate();
        }
    }

    /** The partition of each row of {@code table}, in the order of {@code key}. */
    private static List<String> partitions(Connection c, String table, String key)
            throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT DISTINCT tableoid::regclass::text, min("
                                        + key
                                        + ") OVER (PARTITION BY tableoid) AS first FROM "
                                        + table
                                        + " ORDER BY first")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean exists(String table) throws Exception {
        try (Connection c = RealInfrastructure.connect()) {
            return count(c, "SELECT count(*) FROM pg_class WHERE relname = '" + table + "'") == 1;
        }
    }

    private static String day(LocalDate d) {
        return d.toString().replace("-", "");
    }
}

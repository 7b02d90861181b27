package io.telemetra.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads the job's tables back and compares them, for the integration tests. */
public final class Tables {
    private Tables() {}

    /**
     * Every window row equals the reference; unique chatters within the sketch's tolerance at the
     * job's default lg K.
     */
    public static void assertWindowsMatch(
            TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected,
            TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> actual) {
        assertWindowsMatch(expected, actual, SketchTolerance.DEFAULT_LG_K);
    }

    /**
     * Every window row equals the reference; unique chatters within {@link SketchTolerance} of the
     * exact distinct count for a job run with this lg K.
     */
    public static void assertWindowsMatch(
            TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected,
            TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> actual,
            int lgK) {
        assertEquals(
                expected.keySet(), actual.keySet(), "the set of (stream_id, window_start) rows");
        for (var e : expected.entrySet()) {
            ExpectedWindows.Row want = e.getValue();
            ExpectedWindows.Row got = actual.get(e.getKey());
            String at = e.getKey().toString();
            assertEquals(want.chatCount(), got.chatCount(), "chat_count " + at);
            assertEquals(want.positive(), got.positive(), "positive_count " + at);
            assertEquals(want.negative(), got.negative(), "negative_count " + at);
            assertEquals(want.topEmotes(), got.topEmotes(), "top_emotes " + at);
            assertEquals(want.chatRate(), got.chatRate(), 1e-9, "chat_rate " + at);
            assertNullableEquals(want.avgSentiment(), got.avgSentiment(), "avg_sentiment " + at);
            assertNullableEquals(want.avgViewers(), got.avgViewers(), "avg_viewers " + at);
            assertUniqueChatters(want.uniqueChatters(), got.uniqueChatters(), lgK, at);
        }
    }

    /**
     * {@code unique_chatters} against the exact distinct count: equal while the sketch is exact,
     * otherwise within {@link SketchTolerance#uniqueChatters(long, int)}.
     */
    public static void assertUniqueChatters(long distinct, long estimate, int lgK, String at) {
        long tolerance = SketchTolerance.uniqueChatters(distinct, lgK);
        assertTrue(
                Math.abs(estimate - distinct) <= tolerance,
                "unique_chatters "
                        + at
                        + ": want "
                        + distinct
                        + (tolerance == 0 ? "" : " ± " + tolerance)
                        + " (lg K "
                        + lgK
                        + "), got "
                        + estimate);
    }

    /** Compares two table dumps, reporting only the first difference (the dumps are large). */
    public static void assertSameRows(List<String> want, List<String> got) {
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            assertEquals(want.get(i), got.get(i), "row " + i + " differs");
        }
        assertEquals(want.size(), got.size(), "row count");
    }

    private static void assertNullableEquals(Double want, Double got, String what) {
        if (want == null || got == null) {
            assertEquals(want, got, what);
        } else {
            assertEquals(want, got, 1e-9, what);
        }
    }

    public static TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> readSummaries()
            throws Exception {
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> out = new TreeMap<>();
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT stream_id, window_start, window_end, chat_count,"
                                        + " unique_chatters, avg_sentiment, positive_count,"
                                        + " negative_count, top_emotes, chat_rate, avg_viewers FROM"
                                        + " chat_summary_minute")) {
            while (rs.next()) {
                long start =
                        rs.getObject(2, java.time.OffsetDateTime.class).toInstant().toEpochMilli();
                long end =
                        rs.getObject(3, java.time.OffsetDateTime.class).toInstant().toEpochMilli();
                assertEquals(start + 60_000, end, "window_end = window_start + 60 s");
                assertEquals(0, Math.floorMod(start, 10_000L), "windows aligned to the epoch");
                Array emotes = rs.getArray(9);
                out.put(
                        new ExpectedWindows.Key(rs.getString(1), start),
                        new ExpectedWindows.Row(
                                rs.getLong(4),
                                rs.getLong(5),
                                (Double) rs.getObject(6),
                                rs.getLong(7),
                                rs.getLong(8),
                                Arrays.asList((String[]) emotes.getArray()),
                                rs.getDouble(10),
                                (Double) rs.getObject(11)));
            }
        }
        return out;
    }

    /** All three tables as sorted text rows, without ids and arrival times. */
    public static List<String> dump() throws Exception {
        try (Connection c = RealInfrastructure.connect()) {
            return dump(
                    c,
                    "SELECT stream_id, window_start, window_end, chat_count, unique_chatters,"
                            + " avg_sentiment, positive_count, negative_count, chat_rate,"
                            + " avg_viewers, top_emotes, z_score, is_anomaly FROM"
                            + " chat_summary_minute",
                    "SELECT stream_id, \"timestamp\", moment_type, description, intensity,"
                            + " metadata FROM moments",
                    "SELECT source_topic, source_partition, source_offset, reason, detail,"
                            + " payload, payload_size FROM rejected_events");
        }
    }

    /** The rows of each query as sorted text, each block headed by its table and row count. */
    public static List<String> dump(Connection c, String... queries) throws Exception {
        List<String> rows = new ArrayList<>();
        for (String q : queries) {
            TreeSet<String> sorted = new TreeSet<>();
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(q)) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 1; i <= cols; i++) {
                        Object v = rs.getObject(i);
                        sb.append(v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v))
                                .append('|');
                    }
                    sorted.add(sb.toString());
                }
            }
            String table = q.substring(q.indexOf(" FROM ") + 6).split(" ")[0];
            rows.add(table + " rows=" + sorted.size());
            rows.addAll(sorted);
        }
        return rows;
    }
}

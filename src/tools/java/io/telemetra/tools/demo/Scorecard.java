package io.telemetra.tools.demo;

import io.telemetra.anomaly.Moment;
import io.telemetra.tools.eval.MomentEval;
import io.telemetra.tools.generator.ChatSimulation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the demo planted against what the job found, printed when the demo stops: each planted
 * scenario (from the generator's labels file) with the moment that caught it, or "missed", and
 * every moment that no scenario explains. A moment catches a scenario by the rule of {@code
 * ./telemetra moment-eval} ({@link MomentEval#matches}): same stream, starting between one slide
 * before the scenario and one window after its end, of the type the scenario must produce.
 */
final class Scorecard {
    private static final Pattern LABEL =
            Pattern.compile(
                    "\"stream_id\":\"([^\"]*)\",\"kind\":\"([^\"]*)\",\"start\":\"([^\"]*)\","
                            + "\"end\":\"([^\"]*)\"");

    private Scorecard() {}

    /** What the scorecard is computed from, read at one moment. */
    record Snapshot(
            List<ChatSimulation.Label> labels,
            List<Moment> moments,
            long lastWindowEnd,
            Instant readAt) {
        List<String> lines() {
            return Scorecard.lines(labels, moments, lastWindowEnd);
        }
    }

    /**
     * Reads the labels file and the moments detected since {@code since}: the demo keeps its tables
     * between runs, and a moment of an earlier run is no scenario's of this one.
     */
    static Snapshot read(Path labelsFile, String jdbcUrl, Instant since)
            throws IOException, SQLException {
        List<ChatSimulation.Label> labels = new ArrayList<>();
        if (Files.exists(labelsFile)) {
            for (String line : Files.readAllLines(labelsFile)) {
                Matcher m = LABEL.matcher(line);
                if (m.find()) {
                    labels.add(
                            new ChatSimulation.Label(
                                    m.group(1),
                                    m.group(2),
                                    Instant.parse(m.group(3)).toEpochMilli(),
                                    Instant.parse(m.group(4)).toEpochMilli()));
                }
            }
        }
        List<Moment> moments = new ArrayList<>();
        long lastWindowEnd;
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT stream_id, moment_type, \"timestamp\", description FROM"
                                        + " moments WHERE detected_at >= ? ORDER BY \"timestamp\","
                                        + " stream_id");
                Statement st = c.createStatement()) {
            ps.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Moment m = new Moment();
                    m.streamId = rs.getString(1);
                    m.momentType = rs.getString(2);
                    m.timestamp = rs.getTimestamp(3).getTime();
                    m.description = rs.getString(4);
                    moments.add(m);
                }
            }
            try (ResultSet rs =
                    st.executeQuery("SELECT max(window_end) FROM chat_summary_minute")) {
                rs.next();
                lastWindowEnd =
                        rs.getTimestamp(1) == null ? Long.MIN_VALUE : rs.getTimestamp(1).getTime();
            }
        }
        return new Snapshot(labels, moments, lastWindowEnd, Instant.now());
    }

    static List<String> lines(
            List<ChatSimulation.Label> labels, List<Moment> moments, long lastWindowEnd) {
        List<String> out = new ArrayList<>();
        int caught = 0;
        int judged = 0;
        Set<Moment> explained = new HashSet<>();
        for (ChatSimulation.Label l : labels) {
            String required = MomentEval.REQUIRED.get(l.kind());
            Moment hit =
                    moments.stream()
                            .filter(m -> m.momentType.equals(required) && MomentEval.matches(m, l))
                            .findFirst()
                            .orElse(null);
            moments.stream()
                    .filter(
                            m ->
                                    MomentEval.EXPLAINED.get(l.kind()).contains(m.momentType)
                                            && MomentEval.matches(m, l))
                    .forEach(explained::add);
            String what =
                    l.kind() + " on " + l.streamId() + " at " + Instant.ofEpochMilli(l.start());
            if (hit != null) {
                caught++;
                judged++;
                out.add("  caught    " + what + ": " + hit.description);
            } else if (l.end() + MomentEval.SIZE > lastWindowEnd) {
                out.add("  too late  " + what + ": its windows had not all closed at the stop");
            } else {
                judged++;
                out.add("  MISSED    " + what + ": no " + required + " moment");
            }
        }
        int unplanted = 0;
        for (Moment m : moments) {
            if (!explained.contains(m)) {
                unplanted++;
                out.add(
                        "  unplanted "
                                + m.momentType
                                + " on "
                                + m.streamId
                                + " at "
                                + Instant.ofEpochMilli(m.timestamp)
                                + ": "
                                + m.description);
            }
        }
        out.add(
                0,
                String.format(
                        "Scorecard: %d of %d planted scenarios caught, %d moment(s) no scenario"
                                + " explains",
                        caught, judged, unplanted));
        return out;
    }
}

package io.telemetra.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.telemetra.testing.RealInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's scorecard against a real PostgreSQL that still holds an earlier run's moments (the
 * demo keeps its data folder): only the moments detected since this run started are scored.
 */
@ExtendWith(RealInfrastructure.class)
class ScorecardIT {
    static final Instant T = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void momentsOfAnEarlierRunAreNotScored(@TempDir Path dir) throws Exception {
        RealInfrastructure.resetSchema();
        Instant started = Instant.now();
        try (Connection c = RealInfrastructure.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO moments (stream_id, \"timestamp\", moment_type,"
                                        + " description, intensity, metadata, detected_at) VALUES"
                                        + " (?, ?, 'chat_spike', ?, 5, '{}'::jsonb, ?)")) {
            // the earlier run's moment, on a stream this run plants nothing on
            ps.setString(1, "stream-0009");
            ps.setTimestamp(2, Timestamp.from(T.minus(Duration.ofMinutes(30))));
            ps.setString(3, "an earlier run's spike");
            ps.setTimestamp(4, Timestamp.from(started.minus(Duration.ofMinutes(20))));
            ps.executeUpdate();
            // this run's moment, catching its planted burst
            ps.setString(1, "stream-0005");
            ps.setTimestamp(2, Timestamp.from(T.plusSeconds(10)));
            ps.setString(3, "this run's spike");
            ps.setTimestamp(4, Timestamp.from(started.plusSeconds(1)));
            ps.executeUpdate();
            c.createStatement()
                    .execute(
                            "INSERT INTO chat_summary_minute (stream_id, window_start, window_end,"
                                    + " chat_count, unique_chatters, avg_sentiment,"
                                    + " positive_count, negative_count, chat_rate, top_emotes,"
                                    + " is_anomaly) VALUES ('stream-0005', '"
                                    + T.plusSeconds(600)
                                    + "', '"
                                    + T.plusSeconds(660)
                                    + "', 1, 1, 0, 0, 0, 0.1, '{}', false)");
        }
        Path labels = dir.resolve("labels.jsonl");
        Files.writeString(
                labels,
                "{\"stream_id\":\"stream-0005\",\"kind\":\"hype_burst\",\"start\":\""
                        + T
                        + "\",\"end\":\""
                        + T.plusSeconds(30)
                        + "\"}\n");

        List<String> ours =
                Scorecard.read(labels, RealInfrastructure.postgresUrl(), started).lines();
        assertEquals(
                "Scorecard: 1 of 1 planted scenarios caught, 0 moment(s) no scenario explains",
                ours.get(0),
                String.join("\n", ours));

        // the same tables scored without the run's start: the old moment counts against it
        List<String> all =
                Scorecard.read(labels, RealInfrastructure.postgresUrl(), Instant.EPOCH).lines();
        assertEquals(
                "Scorecard: 1 of 1 planted scenarios caught, 1 moment(s) no scenario explains",
                all.get(0),
                String.join("\n", all));
    }
}

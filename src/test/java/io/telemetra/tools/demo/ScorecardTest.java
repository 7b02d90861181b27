package io.telemetra.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.telemetra.anomaly.Moment;
import io.telemetra.tools.generator.ChatSimulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScorecardTest {
    static final long T = 1_767_225_600_000L;

    private static Moment moment(String stream, String type, long at) {
        Moment m = new Moment();
        m.streamId = stream;
        m.momentType = type;
        m.timestamp = at;
        m.description = type + " on " + stream;
        return m;
    }

    @Test
    void eachScenarioIsCaughtMissedOrTooLateAndUnexplainedMomentsAreListed() {
        List<ChatSimulation.Label> labels =
                List.of(
                        new ChatSimulation.Label("a", "hype_burst", T, T + 30_000),
                        new ChatSimulation.Label("b", "raid", T, T + 30_000),
                        new ChatSimulation.Label("e", "sentiment_collapse", T, T + 60_000),
                        new ChatSimulation.Label("c", "emote_flood", T + 500_000, T + 530_000));
        List<Moment> moments =
                new ArrayList<>(
                        List.of(
                                // catches a's burst; the sentiment swing is explained by it too
                                moment("a", Moment.CHAT_SPIKE, T + 10_000),
                                moment("a", Moment.SENTIMENT_SWING, T + 20_000),
                                // on b, but a chat spike alone does not catch a raid
                                moment("b", Moment.CHAT_SPIKE, T + 10_000),
                                // the collapse raises chat by half: its chat spike is explained
                                moment("e", Moment.SENTIMENT_SWING, T + 20_000),
                                moment("e", Moment.CHAT_SPIKE, T + 30_000),
                                // nothing planted on d
                                moment("d", Moment.CHAT_SPIKE, T + 200_000)));

        List<String> lines = Scorecard.lines(labels, moments, T + 400_000);

        assertEquals(
                "Scorecard: 2 of 3 planted scenarios caught, 1 moment(s) no scenario explains",
                lines.get(0));
        assertEquals(
                List.of(
                        "  caught    hype_burst on a at 2026-01-01T00:00:00Z: chat_spike on a",
                        "  MISSED    raid on b at 2026-01-01T00:00:00Z: no viewer_spike moment",
                        "  caught    sentiment_collapse on e at 2026-01-01T00:00:00Z:"
                                + " sentiment_swing on e",
                        "  too late  emote_flood on c at 2026-01-01T00:08:20Z: its windows had not"
                                + " all closed at the stop",
                        "  unplanted chat_spike on d at 2026-01-01T00:03:20Z: chat_spike on d"),
                lines.subList(1, lines.size()));
    }
}

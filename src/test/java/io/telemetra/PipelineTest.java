package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.anomaly.Moment;
import io.telemetra.event.Rejection;
import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.InMemoryPipeline;
import io.telemetra.testing.InMemorySource;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.Tables;
import io.telemetra.testing.TestEvent;
import io.telemetra.window.WindowSummary;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fast tier: the production {@link Pipeline#build} on in-memory sources (payloads parsed by the
 * job's own parser) and collecting sinks, on a MiniCluster, in seconds. Valid, malformed, late and
 * burst records go in; windows, rejections and moments come out and are checked against what the
 * input determines, computed independently of the job ({@link ExpectedWindows}).
 */
class PipelineTest {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static final long T0 = Instant.parse("2026-05-01T12:00:00Z").toEpochMilli();
    static final long BURST_FROM = T0 + 150_000;
    static final long BURST_TO = T0 + 170_000;
    static final long END = T0 + 200_000;
    static final long LATE_AT = T0 + 5_000;
    static final byte[] LATE_PAYLOAD =
            TestEvent.chat("calm", LATE_AT, "late-user", TestEvent.MessageTemplate.ALL.get(0))
                    .json();

    static final List<TestEvent> VALID = new ArrayList<>();
    static List<WindowSummary> summaries;
    static List<Moment> moments;
    static List<Rejection> rejections;

    @BeforeAll
    static void runThePipeline() throws Exception {
        List<TestEvent.MessageTemplate> messages = TestEvent.MessageTemplate.ALL;
        List<InMemorySource.Item> chat = new ArrayList<>();
        List<InMemorySource.Item> viewers = new ArrayList<>();
        for (long t = T0; t < END; t += 500) {
            int i = (int) ((t - T0) / 500);
            // calm: 2 messages/s from 5 users, all day long
            add(chat, TestEvent.chat("calm", t, "c" + (i % 5), messages.get(i % messages.size())));
            // hype: 1 message/s, then 20/s for 20 s
            if (t % 1000 == 0) {
                add(chat, TestEvent.chat("hype", t, "h" + (i % 7), messages.get(0)));
            }
            if (t >= BURST_FROM && t < BURST_TO) {
                for (int k = 0; k < 10; k++) {
                    add(
                            chat,
                            TestEvent.chat(
                                    "hype", t + k, "fan" + (i * 10 + k) % 150, messages.get(3)));
                }
            }
            if (t % 10_000 == 0) {
                add(viewers, TestEvent.viewers("calm", t, 1000 + (t - T0) / 1000));
            }
            if (t == T0 + 60_000) {
                chat.add(raw("not json at all"));
                chat.add(raw("{\"stream_id\":\"calm\",\"timestamp\":" + t + "}"));
                chat.add(
                        raw(
                                "{\"stream_id\":\"calm\",\"user_id\":\"u\",\"message\":\"hi\","
                                        + "\"timestamp\":true}"));
                viewers.add(raw("[1,2,3]"));
            }
        }
        // everything above is read and the watermark has moved past it: then a straggler whose
        // every window has fired
        chat.add(InMemorySource.pause());
        chat.add(InMemorySource.record(LATE_PAYLOAD));

        InMemoryPipeline.Output out =
                InMemoryPipeline.run(
                        "pipeline-test", new String[] {"--mode", "replay"}, chat, viewers);
        summaries = out.summaries();
        moments = out.moments();
        rejections = out.rejections();
    }

    private static void add(List<InMemorySource.Item> to, TestEvent e) {
        VALID.add(e);
        to.add(InMemorySource.record(e.json()));
    }

    private static InMemorySource.Item raw(String payload) {
        return InMemorySource.record(payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyWindowEqualsTheReference() {
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> written = new TreeMap<>();
        for (WindowSummary s : summaries) {
            ExpectedWindows.Row previous =
                    written.put(
                            new ExpectedWindows.Key(s.streamId, s.windowStart),
                            new ExpectedWindows.Row(
                                    s.chatCount,
                                    s.uniqueChatters,
                                    s.avgSentiment,
                                    s.positiveCount,
                                    s.negativeCount,
                                    Arrays.asList(s.topEmotes),
                                    s.chatRate,
                                    s.avgViewers));
            assertEquals(
                    null, previous, "window written twice: " + s.streamId + " " + s.windowStart);
        }
        Tables.assertWindowsMatch(ExpectedWindows.compute(VALID), written);
    }

    @Test
    void malformedAndLateRecordsAreRejectedWithTheirReasons() {
        assertEquals(
                List.of("late", "missing_field", "not_json", "not_object", "wrong_type"),
                rejections.stream().map(r -> r.reason).sorted().toList(),
                rejections.stream().map(r -> r.reason + ": " + r.detail).toList().toString());
        Rejection late =
                rejections.stream().filter(r -> r.reason.equals("late")).findFirst().orElseThrow();
        // a late event is rejected as the event it was parsed into, not its raw bytes
        String payload = new String(late.payload, StandardCharsets.UTF_8);
        assertTrue(
                payload.contains("\"user_id\":\"late-user\"")
                        && payload.contains("\"timestamp\":" + LATE_AT),
                payload);
    }

    @Test
    void theBurstIsOneChatSpikeAndTheSteadyStreamHasNone() {
        TreeSet<String> found =
                moments.stream()
                        .map(m -> m.streamId + " " + m.momentType)
                        .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(found.contains("hype chat_spike"), found.toString());
        assertTrue(found.stream().noneMatch(f -> f.startsWith("calm")), found.toString());
        for (Moment m : moments) {
            if (m.momentType.equals(Moment.CHAT_SPIKE)) {
                // the moment's window overlaps the burst
                assertTrue(
                        m.timestamp < BURST_TO && m.timestamp + ExpectedWindows.SIZE > BURST_FROM,
                        "chat_spike at " + Instant.ofEpochMilli(m.timestamp));
            }
        }
    }
}

package io.telemetra.upgrade;

import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.TestEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The input the golden savepoint was taken on, and the facts about it the savepoint must hold.
 * Three streams over 185 s of event time; the savepoint was taken when all of it had been read, so
 * windows ending by {@link #LAST_FIRED_END} had fired (watermark = 185 s - 10 s delay) and the
 * windows ending after it were still open.
 */
final class GoldenInput {
    static final long T0 = Instant.parse("2026-04-01T00:00:00Z").toEpochMilli();
    static final long LAST_EVENT = T0 + 185_000;
    static final long LAST_FIRED_END = T0 + 170_000;
    static final String[] STREAMS = {"alpha", "beta", "gamma"};

    /**
     * Messages whose emotes come from the producer's {@code emotes} field, so the expected emote
     * counts do not depend on the lexicon; the scores are what the lexicon of version 0.1.0 gave
     * them when the savepoint was taken (they are facts about the saved state).
     */
    static final List<TestEvent.MessageTemplate> MESSAGES =
            List.of(
                    new TestEvent.MessageTemplate("great play", List.of(), 0.8, List.of()),
                    new TestEvent.MessageTemplate("hello chat", List.of(), 0.0, List.of()),
                    new TestEvent.MessageTemplate(
                            "nice",
                            List.of("Kappa", "Kappa", "catJAM"),
                            0.5,
                            List.of("Kappa", "Kappa", "catJAM")));

    static final String CHAT_TOPIC = "golden.chat";
    static final String VIEWER_TOPIC = "golden.viewer";

    private GoldenInput() {}

    /**
     * Creates the golden topics and produces {@link #events()}, then {@code more}, the way the
     * savepoint's run did: chat records alternate between partitions 0 and 1, viewer records go to
     * partition 0. The same records then sit at the offsets the savepoint's Kafka source state
     * points at.
     */
    static void produce(List<TestEvent> more) throws Exception {
        RealInfrastructure.recreateTopic(CHAT_TOPIC, 2);
        RealInfrastructure.recreateTopic(VIEWER_TOPIC, 1);
        List<TestEvent> all = new ArrayList<>(events());
        all.addAll(more);
        try (KafkaProducer<byte[], byte[]> p = RealInfrastructure.producer()) {
            int chats = 0;
            for (TestEvent e : all) {
                p.send(
                        e.chat()
                                ? new ProducerRecord<>(CHAT_TOPIC, chats++ % 2, null, e.json())
                                : new ProducerRecord<>(VIEWER_TOPIC, 0, null, e.json()));
            }
        }
    }

    /** {@link #MESSAGES} with the scores this version's built-in lexicon gives them. */
    static List<TestEvent.MessageTemplate> scoredByThisVersion() {
        SentimentScorer scorer = new SentimentScorer(Lexicon.builtIn());
        List<TestEvent.MessageTemplate> out = new ArrayList<>();
        for (TestEvent.MessageTemplate t : MESSAGES) {
            out.add(
                    new TestEvent.MessageTemplate(
                            t.text(), t.emotesField(), scorer.score(t.text()), t.emotes()));
        }
        return out;
    }

    /** {@link #events(List)} with the scores of 0.1.0. */
    static List<TestEvent> events() {
        return events(MESSAGES);
    }

    /**
     * alpha: 2 messages/s from 10 users; beta: 1/s from 40; gamma: one every 7 s; viewers. The
     * messages are {@link #MESSAGES} with the scores of the version whose savepoint is checked.
     */
    static List<TestEvent> events(List<TestEvent.MessageTemplate> messages) {
        List<TestEvent> out = new ArrayList<>();
        for (long ms = 0; ms <= LAST_EVENT - T0; ms += 500) {
            int i = (int) (ms / 500);
            out.add(TestEvent.chat("alpha", T0 + ms, "a" + (i % 10), messages.get(i % 3)));
            if (ms % 1000 == 0) {
                out.add(TestEvent.chat("beta", T0 + ms, "b" + (i % 40), messages.get(i % 2)));
            }
            if (ms % 7000 == 0) {
                out.add(TestEvent.chat("gamma", T0 + ms, "g" + (i % 3), messages.get(2)));
            }
            if (ms % 10_000 == 0) {
                out.add(TestEvent.viewers("alpha", T0 + ms, 1000 + ms / 1000));
            }
        }
        // every stream's last event, so each one's last windows are where the watermark left them
        out.add(TestEvent.chat("beta", LAST_EVENT, "b0", messages.get(0)));
        out.add(TestEvent.chat("gamma", LAST_EVENT, "g0", messages.get(0)));
        return out;
    }
}

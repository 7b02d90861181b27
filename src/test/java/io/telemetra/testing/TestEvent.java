package io.telemetra.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A valid event as a test writes it to Kafka, with the facts the test expects the job to derive
 * from it, stated independently of the job's code (the sentiment score is read off the lexicon by
 * hand).
 */
public record TestEvent(
        boolean chat,
        String streamId,
        long timestamp,
        String userId,
        String message,
        List<String> emotesField,
        double expectedScore,
        List<String> expectedEmotes,
        long viewerCount) {

    public static TestEvent chat(String stream, long ts, String user, MessageTemplate t) {
        return new TestEvent(
                true, stream, ts, user, t.text(), t.emotesField(), t.score(), t.emotes(), 0);
    }

    public static TestEvent viewers(String stream, long ts, long count) {
        return new TestEvent(false, stream, ts, null, null, null, 0, List.of(), count);
    }

    public byte[] json() {
        StringBuilder sb = new StringBuilder("{\"stream_id\":\"").append(streamId).append('"');
        if (chat) {
            sb.append(",\"user_id\":\"")
                    .append(userId)
                    .append("\",\"message\":\"")
                    .append(message)
                    .append('"');
            if (emotesField != null) {
                sb.append(",\"emotes\":[");
                for (int i = 0; i < emotesField.size(); i++) {
                    sb.append(i == 0 ? "" : ",").append('"').append(emotesField.get(i)).append('"');
                }
                sb.append(']');
            }
        } else {
            sb.append(",\"viewer_count\":").append(viewerCount);
        }
        sb.append(",\"timestamp\":")
                .append(timestamp)
                .append(",\"unknown_field\":{\"ignored\":[1,2]}}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Chat messages with their scores taken from src/main/resources/sentiment/lexicon.tsv by hand.
     */
    public record MessageTemplate(
            String text, List<String> emotesField, double score, List<String> emotes) {
        public static final List<MessageTemplate> ALL =
                List.of(
                        new MessageTemplate("great play", null, 0.8, List.of()),
                        new MessageTemplate("so boring", null, -0.6, List.of()),
                        new MessageTemplate("hello chat", null, 0.0, List.of()),
                        new MessageTemplate("LUL LUL", null, 0.5, List.of("LUL", "LUL")),
                        new MessageTemplate("PogChamp what a play", null, 0.8, List.of("PogChamp")),
                        // lower-case "lul" is not the emote, and "terrible" is a word (-0.9)
                        new MessageTemplate("lul terrible", null, -0.9, List.of()),
                        // emotes given by the producer win over the lexicon: counted as listed
                        new MessageTemplate(
                                "nice",
                                List.of("Kappa", "Kappa", "catJAM"),
                                0.5,
                                List.of("Kappa", "Kappa", "catJAM")),
                        new MessageTemplate("", null, 0.0, List.of()));
    }
}

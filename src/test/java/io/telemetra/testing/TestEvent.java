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
     * Chat messages with their scores worked out by hand from the lexicon files
     * (src/main/resources/sentiment/) and the rules in the README: valences summed, then {@code s /
     * sqrt(s^2 + 15)}.
     */
    public record MessageTemplate(
            String text, List<String> emotesField, double score, List<String> emotes) {
        static double vader(double sum) {
            return sum / Math.sqrt(sum * sum + 15);
        }

        public static final List<MessageTemplate> ALL =
                List.of(
                        // great 3.1 + play 1.4
                        new MessageTemplate("great play", null, vader(3.1 + 1.4), List.of()),
                        // boring -1.6 (twitch_words.tsv), intensified by "so": -0.293
                        new MessageTemplate("so boring", null, vader(-1.6 - 0.293), List.of()),
                        new MessageTemplate("hello chat", null, 0.0, List.of()),
                        // LUL 1.5, twice: x (1 + 0.25 ln 2)
                        new MessageTemplate(
                                "LUL LUL",
                                null,
                                vader(1.5 * (1 + 0.25 * Math.log(2))),
                                List.of("LUL", "LUL")),
                        // PogChamp 3.0 + play 1.4
                        new MessageTemplate(
                                "PogChamp what a play",
                                null,
                                vader(3.0 + 1.4),
                                List.of("PogChamp")),
                        // lower-case "lul" is not the emote, and "terrible" is a word (-2.1)
                        new MessageTemplate("lul terrible", null, vader(-2.1), List.of()),
                        // emotes given by the producer win over the lexicon: counted as listed;
                        // the text alone is scored (nice 1.8)
                        new MessageTemplate(
                                "nice",
                                List.of("Kappa", "Kappa", "catJAM"),
                                vader(1.8),
                                List.of("Kappa", "Kappa", "catJAM")),
                        new MessageTemplate("", null, 0.0, List.of()));
    }
}

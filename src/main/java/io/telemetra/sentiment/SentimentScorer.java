package io.telemetra.sentiment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Locale;

/**
 * Scores a chat message in [-1, 1] as the mean score of its tokens found in the {@link Lexicon} (0
 * when none is found), and lists the emotes it contains. One pass over the message, no regex.
 *
 * <p>A token is first looked up as an emote exactly as written; otherwise its surrounding
 * punctuation is trimmed and it is looked up, lower-cased, as a word ("GREAT!!" scores as "great").
 */
public final class SentimentScorer implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String[] NO_EMOTES = new String[0];

    private final Lexicon lexicon;

    public SentimentScorer(Lexicon lexicon) {
        this.lexicon = lexicon;
    }

    /** The result of one pass: the score and, if asked for, the emotes in order of occurrence. */
    public record Analysis(double score, String[] emotes) {}

    public double score(String message) {
        return analyze(message, false).score();
    }

    public Analysis analyze(String message, boolean collectEmotes) {
        double sum = 0;
        int matched = 0;
        ArrayList<String> found = null;
        int n = message.length();
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(message.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(message.charAt(i))) {
                i++;
            }
            if (start == i) {
                break;
            }
            String token = message.substring(start, i);
            Double s = lexicon.emote(token);
            if (s != null) {
                if (collectEmotes) {
                    if (found == null) {
                        found = new ArrayList<>(4);
                    }
                    found.add(token);
                }
            } else {
                s = word(message, start, i);
            }
            if (s != null) {
                sum += s;
                matched++;
            }
        }
        double score = matched == 0 ? 0.0 : Math.max(-1.0, Math.min(1.0, sum / matched));
        String[] emotes =
                !collectEmotes ? null : (found == null ? NO_EMOTES : found.toArray(NO_EMOTES));
        return new Analysis(score, emotes);
    }

    private Double word(String message, int start, int end) {
        while (start < end && !Character.isLetterOrDigit(message.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetterOrDigit(message.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return null;
        }
        return lexicon.word(message.substring(start, end).toLowerCase(Locale.ROOT));
    }
}

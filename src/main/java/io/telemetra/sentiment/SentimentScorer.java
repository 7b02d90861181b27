package io.telemetra.sentiment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Set;

/**
 * Scores a chat message in [-1, 1] the way VADER does (a sum of token valences, normalised by
 * {@code sum / sqrt(sum^2 + 15)}), with rules for how Twitch chat is written, and lists the emotes
 * it contains. No regex.
 *
 * <p>Per token: an emote is looked up exactly as written; anything else as a lower-cased word,
 * first as written (emoticons such as {@code :)} and {@code <3}), then with surrounding punctuation
 * trimmed, then with elongations shortened ("gooood" → "good", "sooo" → "so"). Two neighbouring
 * words may form a phrase of the lexicon ("lets go"). The rules, with VADER's constants:
 *
 * <ul>
 *   <li><b>negation</b>: a negator ("not", "don't", "never", …) up to 3 tokens before a word flips
 *       and damps its valence (× -0.74); emotes are not negated ("NO WAY Pog" is amazement);
 *   <li><b>intensifiers</b> up to 3 tokens before ("so", "really", "hella") add 0.293 in the
 *       valence's direction, dampeners ("kinda", "slightly") take it away;
 *   <li><b>ALL CAPS</b>: a shouted sentiment word among lower-case ones adds 0.733; when the whole
 *       message is shouted, half of that;
 *   <li><b>elongation</b> ("sooo gooood") adds 0.293, like an intensifier;
 *   <li><b>"but"</b>: what comes before counts half, what comes after 1.5 times;
 *   <li><b>repetition</b>: the same token n times counts {@code 1 + 0.25 ln n} times, so one emote
 *       pasted 30 times is about twice the evidence of one, not 30 times;
 *   <li><b>sarcasm markers</b> (Kappa, Keepo, "/s") and <b>denial</b> emotes (COPIUM) turn positive
 *       words into mild negatives;
 *   <li><b>mockery and irony</b>: next to a complaint (a negative word, not negated), laughter and
 *       applause emotes ("hardstuck gold KEKW") and ironic praise ("oh great, the lag is back")
 *       turn into mild negatives;
 *   <li><b>"!" and "??"</b> add emphasis (up to 4 × 0.292 and 3 × 0.18);
 *   <li><b>{@code !commands}</b> score 0 and <b>links</b> are skipped.
 * </ul>
 *
 * <p>A message is positive at {@link #POSITIVE_THRESHOLD} or above and negative at {@link
 * #NEGATIVE_THRESHOLD} or below (VADER's customary ±0.05).
 */
public final class SentimentScorer implements Serializable {
    private static final long serialVersionUID = 2L;
    private static final String[] NO_EMOTES = new String[0];

    public static final double POSITIVE_THRESHOLD = 0.05;
    public static final double NEGATIVE_THRESHOLD = -0.05;

    static final double ALPHA = 15.0;
    static final double BOOST = 0.293;
    static final double CAPS = 0.733;
    static final double NEGATION = -0.74;
    static final double REPETITION = 0.25;
    static final double SARCASM = -0.5;

    private static final Set<String> NEGATORS =
            Set.of(
                    "not",
                    "no",
                    "never",
                    "none",
                    "nope",
                    "nor",
                    "nothing",
                    "nowhere",
                    "neither",
                    "without",
                    "cannot",
                    "cant",
                    "can't",
                    "dont",
                    "don't",
                    "doesnt",
                    "doesn't",
                    "didnt",
                    "didn't",
                    "isnt",
                    "isn't",
                    "wasnt",
                    "wasn't",
                    "arent",
                    "aren't",
                    "werent",
                    "weren't",
                    "aint",
                    "ain't",
                    "wont",
                    "won't",
                    "wouldnt",
                    "wouldn't",
                    "couldnt",
                    "couldn't",
                    "shouldnt",
                    "shouldn't",
                    "havent",
                    "haven't",
                    "hasnt",
                    "hasn't",
                    "hadnt",
                    "hadn't",
                    "rarely",
                    "seldom",
                    "hardly");
    private static final Set<String> INTENSIFIERS =
            Set.of(
                    "absolutely",
                    "amazingly",
                    "awfully",
                    "completely",
                    "deeply",
                    "especially",
                    "extremely",
                    "fully",
                    "fucking",
                    "freaking",
                    "frickin",
                    "hella",
                    "highly",
                    "hugely",
                    "incredibly",
                    "insanely",
                    "intensely",
                    "literally",
                    "mega",
                    "more",
                    "most",
                    "particularly",
                    "quite",
                    "really",
                    "rly",
                    "so",
                    "soo",
                    "super",
                    "totally",
                    "truly",
                    "unbelievably",
                    "utterly",
                    "very",
                    "wildly");
    private static final Set<String> DAMPENERS =
            Set.of(
                    "almost",
                    "barely",
                    "kinda",
                    "kindof",
                    "less",
                    "little",
                    "marginally",
                    "partly",
                    "scarcely",
                    "slightly",
                    "somewhat",
                    "sorta",
                    "sortof");
    private static final Set<String> SARCASM_MARKERS = Set.of("Kappa", "Keepo", "/s");

    /**
     * Emotes of denial: the hopeful words next to them are wishful ("COPIUM he'll win next game"),
     * so they count as the sarcasm markers' do.
     */
    private static final Set<String> COPE_MARKERS = Set.of("COPIUM", "Copium", "Copege");

    /**
     * Laughter and applause that chat aims at a failure: next to a complaint ("hardstuck gold
     * KEKW", "slow clap for that throw Clap") they mock, so they count as the sarcasm markers make
     * words count.
     */
    private static final Set<String> MOCKING_EMOTES =
            Set.of(
                    "LUL",
                    "LULW",
                    "OMEGALUL",
                    "KEKW",
                    "KEKL",
                    "ICANT",
                    "pepeLaugh",
                    "Clap",
                    "EZClap",
                    "peepoClap");

    /**
     * Praise that chat uses ironically; said of something bad in the same message ("oh great, the
     * lag is back", "wow so fun watching him die 40 times, fantastic"), it is a complaint.
     */
    private static final Set<String> IRONIC_PRAISE =
            Set.of(
                    "great",
                    "fantastic",
                    "wonderful",
                    "lovely",
                    "perfect",
                    "fun",
                    "genius",
                    "brilliant",
                    "amazing",
                    "awesome",
                    "nice");

    private final Lexicon lexicon;

    public SentimentScorer(Lexicon lexicon) {
        this.lexicon = lexicon;
    }

    /** The result of one pass: the score and, if asked for, the emotes in order of occurrence. */
    public record Analysis(double score, String[] emotes) {}

    public double score(String message) {
        return analyze(message, false).score();
    }

    /** What one whitespace-separated token is. */
    private static final class Token {
        String raw;
        String key; // the lexicon entry it matched, or its trimmed lower-case form
        String shortened; // key with every run of 3+ equal letters cut to one
        double valence;
        boolean emote;
        boolean word; // has letters and is not an emote
        boolean caps;
        boolean elongated;
        boolean skipped; // a link
    }

    public Analysis analyze(String message, boolean collectEmotes) {
        int n = message.length();
        int i = 0;
        while (i < n && Character.isWhitespace(message.charAt(i))) {
            i++;
        }
        if (i < n && message.charAt(i) == '!') {
            return new Analysis(0.0, collectEmotes ? NO_EMOTES : null); // a bot command
        }
        ArrayList<Token> tokens = new ArrayList<>(8);
        ArrayList<String> found = null;
        boolean sarcasm = false;
        int capsWords = 0;
        int lowerWords = 0;
        while (i < n) {
            int start = i;
            while (i < n && !Character.isWhitespace(message.charAt(i))) {
                i++;
            }
            Token t = token(message.substring(start, i));
            tokens.add(t);
            if (t.emote && collectEmotes) {
                if (found == null) {
                    found = new ArrayList<>(4);
                }
                found.add(t.raw);
            }
            sarcasm |= SARCASM_MARKERS.contains(t.raw) || COPE_MARKERS.contains(t.raw);
            if (t.word) {
                if (t.caps) {
                    capsWords++;
                } else {
                    lowerWords++;
                }
            }
            while (i < n && Character.isWhitespace(message.charAt(i))) {
                i++;
            }
        }
        joinPhrases(tokens);

        int but = -1;
        for (int k = 0; k < tokens.size(); k++) {
            if ("but".equals(tokens.get(k).key)) {
                but = k;
            }
        }
        double capsBoost = lowerWords > 0 ? CAPS : (capsWords > 1 ? CAPS / 2 : 0);
        boolean complaint = complaint(tokens);
        boolean irony = but < 0 && complaint && ironicPraise(tokens);

        // valence per distinct token, for the repetition rule; messages have few tokens, so a
        // linear search of three small arrays beats a map with an entry per token
        String[] distinct = new String[tokens.size()];
        double[] sums = new double[tokens.size()];
        int[] counts = new int[tokens.size()];
        int distinctCount = 0;
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (t.skipped || t.valence == 0) {
                continue;
            }
            double v = t.valence;
            double sign = Math.signum(v);
            if (t.word && t.caps) {
                v += sign * capsBoost;
            }
            if (t.elongated) {
                v += sign * BOOST;
            }
            int distance = 0;
            // emotes say how the writer feels whatever the words before them: "NO WAY Pog"
            for (int j = k - 1; t.word && j >= 0 && distance < 3; j--) {
                Token before = tokens.get(j);
                if (before.skipped) {
                    continue;
                }
                distance++;
                double scale = distance == 1 ? 1.0 : distance == 2 ? 0.95 : 0.9;
                if (is(before, INTENSIFIERS)) {
                    v += sign * BOOST * scale;
                } else if (is(before, DAMPENERS)) {
                    v -= sign * BOOST * scale;
                }
            }
            if (negated(tokens, k)) {
                v *= NEGATION;
            }
            if (t.word && v > 0 && (sarcasm || irony && IRONIC_PRAISE.contains(t.key))) {
                v *= SARCASM;
            }
            if (t.emote && v > 0 && complaint && MOCKING_EMOTES.contains(t.raw)) {
                v *= SARCASM;
            }
            if (but >= 0) {
                v *= k < but ? 0.5 : 1.5;
            }
            String key = t.emote ? t.raw : t.key;
            int d = 0;
            while (d < distinctCount && !distinct[d].equals(key)) {
                d++;
            }
            if (d == distinctCount) {
                distinct[distinctCount++] = key;
            }
            sums[d] += v;
            counts[d]++;
        }
        double sum = 0;
        for (int d = 0; d < distinctCount; d++) {
            sum += sums[d] / counts[d] * (1 + REPETITION * Math.log(counts[d]));
        }
        if (sum != 0) {
            sum += Math.signum(sum) * punctuationEmphasis(message);
        }
        double score = sum / Math.sqrt(sum * sum + ALPHA);
        String[] emotes =
                !collectEmotes ? null : (found == null ? NO_EMOTES : found.toArray(NO_EMOTES));
        return new Analysis(Math.max(-1.0, Math.min(1.0, score)), emotes);
    }

    /** Whether a negator stands up to 3 tokens before word {@code k} (emotes are not negated). */
    private static boolean negated(ArrayList<Token> tokens, int k) {
        int distance = 0;
        for (int j = k - 1; tokens.get(k).word && j >= 0 && distance < 3; j--) {
            Token before = tokens.get(j);
            if (before.skipped) {
                continue;
            }
            distance++;
            if (is(before, NEGATORS)) {
                return true;
            }
        }
        return false;
    }

    /** A negative word that is not negated. */
    private static boolean complaint(ArrayList<Token> tokens) {
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (t.word && t.valence < 0 && !negated(tokens, k)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A word of {@link #IRONIC_PRAISE} and no positive emote (which would say the writer is happy
     * after all); ironic when the message also complains.
     */
    private static boolean ironicPraise(ArrayList<Token> tokens) {
        boolean praise = false;
        for (Token t : tokens) {
            if (t.emote && t.valence > 0) {
                return false;
            }
            praise |= t.word && t.valence > 0 && IRONIC_PRAISE.contains(t.key);
        }
        return praise;
    }

    private Token token(String raw) {
        Token t = new Token();
        t.raw = raw;
        if (raw.startsWith("http://") || raw.startsWith("https://") || raw.startsWith("www.")) {
            t.skipped = true;
            return t;
        }
        Double emote = lexicon.emote(raw);
        if (emote != null) {
            t.emote = true;
            t.valence = emote;
            t.key = raw;
            return t;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        String trimmed = trim(lower);
        int letters = 0;
        int upper = 0;
        for (int c = 0; c < raw.length(); c++) {
            char ch = raw.charAt(c);
            if (Character.isLetter(ch)) {
                letters++;
                if (Character.isUpperCase(ch)) {
                    upper++;
                }
            }
        }
        t.word = letters > 0;
        t.caps = letters > 1 && upper == letters;
        t.key = trimmed;
        t.shortened = shorten(trimmed, 1);
        Double v = lexicon.word(lower);
        if (v == null && !trimmed.isEmpty()) {
            v = lexicon.word(trimmed);
            if (v == null && !t.shortened.equals(trimmed)) {
                String twice = shorten(trimmed, 2);
                v = lexicon.word(twice);
                String matched = twice;
                if (v == null) {
                    v = lexicon.word(t.shortened);
                    matched = t.shortened;
                }
                if (v != null) {
                    t.elongated = true;
                    t.key = matched;
                }
            }
        }
        t.valence = v == null ? 0 : v;
        return t;
    }

    /** "lets go": a phrase of the lexicon replaces the valences of its two words. */
    private void joinPhrases(ArrayList<Token> tokens) {
        for (int k = 1; k < tokens.size(); k++) {
            Token a = tokens.get(k - 1);
            Token b = tokens.get(k);
            if (!a.word || !b.word || b.key.isEmpty() || !lexicon.startsPhrase(a.key)) {
                continue;
            }
            Double v = lexicon.word(a.key + "_" + b.key);
            if (v == null && !b.shortened.equals(b.key)) {
                v = lexicon.word(a.key + "_" + b.shortened);
                b.elongated = v != null;
            }
            if (v != null) {
                a.valence = 0;
                b.valence = v;
                b.key = a.key + "_" + b.key;
            }
        }
    }

    private static boolean is(Token t, Set<String> words) {
        return t.word && (words.contains(t.key) || words.contains(t.shortened));
    }

    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && !Character.isLetterOrDigit(s.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetterOrDigit(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Cuts every run of 3 or more equal characters down to {@code keep}: "soooo" → "so". */
    static String shorten(String s, int keep) {
        StringBuilder out = null;
        int k = 0;
        while (k < s.length()) {
            int run = k + 1;
            while (run < s.length() && s.charAt(run) == s.charAt(k)) {
                run++;
            }
            if (run - k >= 3 && out == null) {
                out = new StringBuilder(s.length()).append(s, 0, k);
            }
            if (out != null) {
                out.append(s, k, run - k >= 3 ? k + keep : run);
            }
            k = run;
        }
        return out == null ? s : out.toString();
    }

    private static double punctuationEmphasis(String message) {
        int bangs = 0;
        int questions = 0;
        for (int k = 0; k < message.length(); k++) {
            char c = message.charAt(k);
            if (c == '!') {
                bangs++;
            } else if (c == '?') {
                questions++;
            }
        }
        double emphasis = Math.min(bangs, 4) * 0.292;
        if (questions > 1) {
            emphasis += Math.min(questions, 3) * 0.18;
        }
        return emphasis;
    }
}

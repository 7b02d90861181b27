package io.telemetra.sentiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;

/**
 * Sentiment scores of words (matched case-insensitively) and Twitch emotes (matched
 * case-sensitively, since {@code LUL} is an emote and "lul" is not). Loaded once on the client and
 * shipped with the job, so a user-supplied lexicon file only has to exist where {@code flink run}
 * is called.
 *
 * <p>File format: UTF-8, one entry a line, {@code word<TAB>token<TAB>score} or {@code
 * emote<TAB>token<TAB>score}, scores in [-1, 1]; blank lines and lines starting with {@code #} are
 * ignored. Every emote is an emote for top-emote counting, whatever its score (0 = neutral).
 */
public final class Lexicon implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String BUILT_IN = "/sentiment/lexicon.tsv";

    private final HashMap<String, Double> words;
    private final HashMap<String, Double> emotes;

    private Lexicon(HashMap<String, Double> words, HashMap<String, Double> emotes) {
        this.words = words;
        this.emotes = emotes;
    }

    public static Lexicon builtIn() {
        InputStream in = Lexicon.class.getResourceAsStream(BUILT_IN);
        if (in == null) {
            throw new IllegalStateException(
                    "built-in lexicon " + BUILT_IN + " is missing from the job jar");
        }
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return read(r, "built-in lexicon");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in lexicon", e);
        }
    }

    /** Loads a user's lexicon file; a bad line fails with its number and what is wrong with it. */
    public static Lexicon fromFile(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read lexicon file "
                            + file
                            + ": "
                            + e.getMessage()
                            + "; check --sentiment.lexicon (env SENTIMENT_LEXICON)",
                    e);
        }
    }

    static Lexicon read(Reader reader, String source) throws IOException {
        HashMap<String, Double> words = new HashMap<>();
        HashMap<String, Double> emotes = new HashMap<>();
        BufferedReader in = new BufferedReader(reader);
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split("\t");
            if (cols.length != 3) {
                throw bad(
                        source,
                        n,
                        "expected 3 tab-separated columns (word|emote, token, score), got "
                                + cols.length);
            }
            double score;
            try {
                score = Double.parseDouble(cols[2].strip());
            } catch (NumberFormatException e) {
                throw bad(source, n, "score '" + cols[2] + "' is not a number");
            }
            if (!(score >= -1.0 && score <= 1.0)) {
                throw bad(source, n, "score " + score + " is outside [-1, 1]");
            }
            String token = cols[1].strip();
            if (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace)) {
                throw bad(
                        source,
                        n,
                        "token '" + token + "' must be one non-empty word without spaces");
            }
            switch (cols[0].strip()) {
                case "word" -> words.put(token.toLowerCase(Locale.ROOT), score);
                case "emote" -> emotes.put(token, score);
                default ->
                        throw bad(
                                source,
                                n,
                                "first column must be 'word' or 'emote', got '" + cols[0] + "'");
            }
        }
        if (words.isEmpty() && emotes.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no entries");
        }
        return new Lexicon(words, emotes);
    }

    private static IllegalArgumentException bad(String source, int line, String what) {
        return new IllegalArgumentException(source + " line " + line + ": " + what);
    }

    /** The emote's score, or null when the token is not a known emote. */
    public Double emote(String token) {
        return emotes.get(token);
    }

    /** The score of an already lower-cased word, or null when it is not in the lexicon. */
    public Double word(String lowerCaseToken) {
        return words.get(lowerCaseToken);
    }

    public int wordCount() {
        return words.size();
    }

    public int emoteCount() {
        return emotes.size();
    }
}

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
import java.util.HashSet;
import java.util.Locale;

/**
 * Valences of words (matched case-insensitively) and Twitch emotes (matched case-sensitively, since
 * {@code LUL} is an emote and "lul" is not), on VADER's scale of -4 to +4. Loaded once on the
 * client and shipped with the job, so a user's lexicon file only has to exist where {@code flink
 * run} is called.
 *
 * <p>The built-in lexicon is three files under {@code src/main/resources/sentiment/}, each
 * overriding the one before: VADER's word list ({@code vader_lexicon.txt}, MIT licence, see {@code
 * VADER-LICENSE.txt}), Telemetra's Twitch words ({@code twitch_words.tsv}: "L", "ff", "sick" mean
 * something else in chat) and emotes ({@code emotes.tsv}). A user file given with {@code
 * --sentiment.lexicon} overrides and extends them: {@code word<TAB>token<TAB>score} or {@code
 * emote<TAB>token<TAB>score}, score in [-4, 4]. A word written with {@code _} is a two-word phrase.
 * Every emote counts for top emotes, whatever its score (0 = neutral).
 */
public final class Lexicon implements Serializable {
    private static final long serialVersionUID = 2L;
    static final String VADER = "/sentiment/vader_lexicon.txt";
    static final String TWITCH_WORDS = "/sentiment/twitch_words.tsv";
    static final String EMOTES = "/sentiment/emotes.tsv";
    static final double MAX_SCORE = 4.0;

    private final HashMap<String, Double> words = new HashMap<>();
    private final HashMap<String, Double> emotes = new HashMap<>();

    /** First words of the {@code a_b} phrases, so a scorer only builds "a_b" when it can match. */
    private final HashSet<String> phraseStarts = new HashSet<>();

    private Lexicon() {}

    public static Lexicon builtIn() {
        Lexicon lexicon = new Lexicon();
        lexicon.load(VADER, Kind.WORD);
        lexicon.load(TWITCH_WORDS, Kind.WORD);
        lexicon.load(EMOTES, Kind.EMOTE);
        return lexicon;
    }

    /**
     * The built-in lexicon with a user's file on top; a bad line fails with its number and what is
     * wrong with it.
     */
    public static Lexicon withUserFile(Path file) {
        Lexicon lexicon = builtIn();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lexicon.read(r, file.toString(), null);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read lexicon file "
                            + file
                            + ": "
                            + e.getMessage()
                            + "; check --sentiment.lexicon (env SENTIMENT_LEXICON)",
                    e);
        }
        return lexicon;
    }

    /** Reads a user-format lexicon from text (tests). */
    static Lexicon builtInWith(Reader userEntries, String source) throws IOException {
        Lexicon lexicon = builtIn();
        lexicon.read(userEntries, source, null);
        return lexicon;
    }

    private enum Kind {
        WORD,
        EMOTE
    }

    private void load(String resource, Kind kind) {
        InputStream in = Lexicon.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(
                    "built-in lexicon " + resource + " is missing from the job jar");
        }
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            read(r, "built-in lexicon " + resource, kind);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in lexicon " + resource, e);
        }
    }

    /**
     * Built-in files have a fixed kind and lines {@code token<TAB>score[<TAB>note]}; user files
     * (kind null) say the kind in a first column. Later entries win.
     */
    private void read(Reader reader, String source, Kind fixedKind) throws IOException {
        BufferedReader in = new BufferedReader(reader);
        String line;
        int n = 0;
        int entries = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split("\t");
            Kind kind = fixedKind;
            int first = 0;
            if (fixedKind == null) {
                if (cols.length != 3) {
                    throw bad(
                            source,
                            n,
                            "expected 3 tab-separated columns (word|emote, token, score), got "
                                    + cols.length);
                }
                kind =
                        switch (cols[0].strip()) {
                            case "word" -> Kind.WORD;
                            case "emote" -> Kind.EMOTE;
                            default ->
                                    throw bad(
                                            source,
                                            n,
                                            "first column must be 'word' or 'emote', got '"
                                                    + cols[0]
                                                    + "'");
                        };
                first = 1;
            } else if (cols.length < 2) {
                throw bad(source, n, "expected token<TAB>score");
            }
            String token = cols[first].strip();
            if (fixedKind != null && token.chars().anyMatch(Character::isWhitespace)) {
                continue; // a few of VADER's emoticons contain spaces: never one chat token
            }
            if (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace)) {
                throw bad(
                        source,
                        n,
                        "token '" + token + "' must be one non-empty word without spaces");
            }
            double score;
            try {
                score = Double.parseDouble(cols[first + 1].strip());
            } catch (NumberFormatException e) {
                throw bad(source, n, "score '" + cols[first + 1] + "' is not a number");
            }
            if (!(score >= -MAX_SCORE && score <= MAX_SCORE)) {
                throw bad(source, n, "score " + score + " is outside [-4, 4]");
            }
            if (kind == Kind.WORD) {
                String word = token.toLowerCase(Locale.ROOT);
                words.put(word, score);
                int joint = word.indexOf('_');
                if (joint > 0) {
                    phraseStarts.add(word.substring(0, joint));
                }
            } else {
                emotes.put(token, score);
            }
            entries++;
        }
        if (entries == 0) {
            throw new IllegalArgumentException(source + " holds no entries");
        }
    }

    private static IllegalArgumentException bad(String source, int line, String what) {
        return new IllegalArgumentException(source + " line " + line + ": " + what);
    }

    /** The emote's valence, or null when the token is not a known emote. */
    public Double emote(String token) {
        return emotes.get(token);
    }

    /** The valence of an already lower-cased word or {@code a_b} phrase, or null. */
    public Double word(String lowerCaseToken) {
        return words.get(lowerCaseToken);
    }

    /** Whether some {@code a_b} phrase of the lexicon begins with this lower-cased word. */
    public boolean startsPhrase(String lowerCaseWord) {
        return phraseStarts.contains(lowerCaseWord);
    }

    public int wordCount() {
        return words.size();
    }

    public int emoteCount() {
        return emotes.size();
    }
}

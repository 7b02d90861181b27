package io.telemetra.sentiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentimentScorerTest {
    // scores below are read from src/main/resources/sentiment/lexicon.tsv
    final SentimentScorer scorer = new SentimentScorer(Lexicon.builtIn());

    @Test
    void builtInLexiconHasAtLeastTheSparkJobsTwentyWordsPerSideAndTheCommonEmotes() {
        Lexicon l = Lexicon.builtIn();
        assertTrue(l.wordCount() >= 40, "words: " + l.wordCount());
        for (String emote :
                new String[] {
                    "Pog",
                    "PogChamp",
                    "KEKW",
                    "LUL",
                    "Kreygasm",
                    "ResidentSleeper",
                    "NotLikeThis",
                    "BibleThump"
                }) {
            assertTrue(l.emote(emote) != null, emote);
        }
    }

    @Test
    void wordsAreCaseInsensitiveAndPunctuationIsTrimmed() {
        assertEquals(0.8, scorer.score("GREAT!!"), 1e-12);
        assertEquals(0.8, scorer.score("(great)"), 1e-12);
        assertEquals(-0.6, scorer.score("so Boring..."), 1e-12);
    }

    @Test
    void emotesAreCaseSensitive() {
        assertEquals(0.5, scorer.score("LUL"), 1e-12);
        assertEquals(0.0, scorer.score("lul"), 1e-12, "'lul' is neither an emote nor a word");
        assertEquals(-0.6, scorer.score("ResidentSleeper"), 1e-12);
    }

    @Test
    void scoreIsTheMeanOfMatchedTokensAndZeroWithoutAny() {
        assertEquals((0.8 + -0.6) / 2, scorer.score("great but boring"), 1e-12);
        assertEquals(0.0, scorer.score("hello there"), 1e-12);
        assertEquals(0.0, scorer.score(""), 1e-12);
        assertEquals(0.0, scorer.score("   "), 1e-12);
    }

    @Test
    void emotesAreFoundPerOccurrenceInOrder() {
        SentimentScorer.Analysis a = scorer.analyze("LUL that was KEKW LUL", true);
        assertArrayEquals(new String[] {"LUL", "KEKW", "LUL"}, a.emotes());
        assertEquals(0.5, a.score(), 1e-12);
    }

    @Test
    void scoresStayWithinMinusOneAndOne() {
        String[] messages = {"best best best", "terrible awful worst", "Pog PogChamp amazing"};
        for (String m : messages) {
            double s = scorer.score(m);
            assertTrue(s >= -1 && s <= 1, m + " -> " + s);
        }
    }

    @Test
    void userLexiconReplacesTheBuiltInOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lexicon.tsv");
        Files.writeString(file, "# mine\nword\tbanana\t1.0\nemote\tMyEmote\t-1.0\n");
        SentimentScorer custom = new SentimentScorer(Lexicon.fromFile(file));
        assertEquals(1.0, custom.score("Banana"), 1e-12);
        assertEquals(-1.0, custom.score("MyEmote"), 1e-12);
        assertEquals(0.0, custom.score("great"), 1e-12, "built-in entries are gone");
    }

    @Test
    void badLexiconLineNamesTheLineAndTheProblem() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Lexicon.read(
                                        new StringReader("word\tgood\t0.5\nword\tbad\t-3\n"),
                                        "my.tsv"));
        assertEquals("my.tsv line 2: score -3.0 is outside [-1, 1]", e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Lexicon.read(new StringReader("phrase\tgood\t0.5\n"), "my.tsv"));
        assertTrue(
                e.getMessage().startsWith("my.tsv line 1: first column must be 'word' or 'emote'"),
                e.getMessage());
    }
}

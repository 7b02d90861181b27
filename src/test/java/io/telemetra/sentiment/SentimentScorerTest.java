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

/**
 * Expected scores are worked out by hand from the lexicon files (valences quoted in each test) and
 * VADER's normalisation {@code s / sqrt(s^2 + 15)}; 0.4404 for "good" is also the score VADER's own
 * documentation gives.
 */
class SentimentScorerTest {
    final SentimentScorer scorer = new SentimentScorer(Lexicon.builtIn());

    static double vader(double sum) {
        return sum / Math.sqrt(sum * sum + 15);
    }

    @Test
    void builtInLexiconIsVaderPlusTwitchWordsPlusEmotes() {
        Lexicon l = Lexicon.builtIn();
        assertTrue(l.wordCount() >= 7500, "words: " + l.wordCount());
        assertTrue(l.emoteCount() >= 150, "emotes: " + l.emoteCount());
        for (String emote :
                new String[] {
                    "Pog",
                    "PogChamp",
                    "KEKW",
                    "LUL",
                    "OMEGALUL",
                    "monkaS",
                    "PepeHands",
                    "Sadge",
                    "COPIUM",
                    "Kreygasm",
                    "ResidentSleeper",
                    "NotLikeThis",
                    "BibleThump"
                }) {
            assertTrue(l.emote(emote) != null, emote);
        }
        // Twitch meanings win over VADER's: "l" is +2.0 there, a loss here
        assertEquals(-2.0, l.word("l"));
    }

    @Test
    void aSingleWordScoresAsInVader() {
        assertEquals(0.4404, scorer.score("good"), 1e-4); // good = 1.9
        assertEquals(vader(1.9), scorer.score("(good)"), 1e-12, "punctuation is trimmed");
        assertEquals(0.0, scorer.score("hello there"), 1e-12);
        assertEquals(0.0, scorer.score(""), 1e-12);
        assertEquals(0.0, scorer.score("   "), 1e-12);
    }

    @Test
    void denialMockeryAndIronyTurnPraiseIntoComplaints() {
        // COPIUM makes the hopeful words wishful
        assertTrue(scorer.score("he'll win next game") > 0);
        assertTrue(scorer.score("COPIUM he'll win next game") < 0);
        // laughter and applause aimed at a failure mock it; on their own they are laughter
        assertTrue(scorer.score("KEKW") > 0);
        assertTrue(scorer.score("hardstuck gold KEKW") < 0);
        assertTrue(scorer.score("slow clap for that throw Clap") < 0);
        assertTrue(
                scorer.score("he didn't throw this time Clap") > 0, "a negated complaint is none");
        // ironic praise of something bad; but not with a happy emote or a "but"
        assertTrue(scorer.score("oh great, the lag is back") < 0);
        assertTrue(scorer.score("great game PogChamp even with the lag") > 0);
        assertTrue(scorer.score("the lag was bad but great game") > 0);
        assertTrue(scorer.score("not bad at all, great game") > 0);
    }

    @Test
    void negationFlipsAndDamps() {
        assertEquals(vader(1.9 * -0.74), scorer.score("not good"), 1e-12);
        assertEquals(vader(1.9 * -0.74), scorer.score("don't think it's good"), 1e-12);
        assertTrue(scorer.score("not bad") > 0, "not bad is mildly positive");
    }

    @Test
    void intensifiersCapsElongationAndExclamationsAddEmphasis() {
        assertEquals(vader(1.9 + 0.293), scorer.score("very good"), 1e-12);
        assertEquals(vader(1.9 + 0.293 + 0.293 * 0.95), scorer.score("really very good"), 1e-12);
        assertEquals(vader(1.9 + 0.733), scorer.score("this is GOOD"), 1e-12);
        assertEquals(vader(1.9 + 0.293), scorer.score("gooood"), 1e-12, "elongation");
        assertEquals(vader(1.9 + 3 * 0.292), scorer.score("good!!!"), 1e-12);
        assertTrue(scorer.score("kinda good") < scorer.score("good"), "dampener");
    }

    @Test
    void butShiftsTheWeightToWhatFollows() {
        // good 1.9 x 0.5, boring (twitch_words.tsv) -1.6 x 1.5
        assertEquals(vader(1.9 * 0.5 - 1.6 * 1.5), scorer.score("good but boring"), 1e-12);
    }

    @Test
    void repeatedTokensAreNotRepeatedEvidence() {
        double once = scorer.score("KEKW"); // KEKW = 1.8
        double thirty = scorer.score("KEKW ".repeat(30));
        assertEquals(vader(1.8), once, 1e-12);
        assertEquals(vader(1.8 * (1 + 0.25 * Math.log(30))), thirty, 1e-12);
        assertTrue(thirty < 0.7, "30 KEKWs: " + thirty);
    }

    @Test
    void twitchWordsPhrasesAndSarcasm() {
        assertEquals(vader(-2.0), scorer.score("L"), 1e-12);
        assertTrue(scorer.score("W streamer") > 0.3);
        assertEquals(vader(2.5 + 0.293), scorer.score("lets gooo"), 1e-12, "phrase lets_go");
        // great 3.1 and play 1.4 turned by Kappa (x -0.5); Kappa itself is 0 (emotes.tsv)
        assertEquals(vader(3.1 * -0.5 + 1.4 * -0.5), scorer.score("great play Kappa"), 1e-12);
        // emotes are not negated: "no" and "not" leave Pog (2.8) alone
        assertEquals(vader(2.8), scorer.score("no way Pog"), 1e-12);
    }

    @Test
    void commandsAndLinksAreIgnored() {
        assertEquals(0.0, scorer.score("!uptime great"), 1e-12);
        assertEquals(0.0, scorer.score("  !love"), 1e-12);
        assertEquals(
                vader(1.9), scorer.score("good https://clips.twitch.tv/AwfulTerribleClip"), 1e-12);
    }

    @Test
    void emotesAreCaseSensitiveAndFoundPerOccurrenceInOrder() {
        assertEquals(vader(1.5), scorer.score("LUL"), 1e-12);
        assertEquals(0.0, scorer.score("lul"), 1e-12, "'lul' is neither an emote nor a word");
        SentimentScorer.Analysis a = scorer.analyze("LUL that was KEKW LUL", true);
        assertArrayEquals(new String[] {"LUL", "KEKW", "LUL"}, a.emotes());
    }

    @Test
    void scoresStayWithinMinusOneAndOne() {
        String[] messages = {
            "best best best!!!!!!", "TERRIBLE AWFUL WORST!!!!", "Pog PogChamp amazing LETS GOOOO"
        };
        for (String m : messages) {
            double s = scorer.score(m);
            assertTrue(s >= -1 && s <= 1, m + " -> " + s);
        }
    }

    @Test
    void aUserLexiconAddsToAndOverridesTheBuiltInOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lexicon.tsv");
        Files.writeString(
                file, "# mine\nword\tbanana\t2.0\nemote\tMyEmote\t-2.0\nword\tgood\t-1.0\n");
        SentimentScorer custom = new SentimentScorer(Lexicon.withUserFile(file));
        assertEquals(vader(2.0), custom.score("Banana"), 1e-12);
        assertEquals(vader(-2.0), custom.score("MyEmote"), 1e-12);
        assertEquals(vader(-1.0), custom.score("good"), 1e-12, "overridden");
        assertEquals(vader(3.1), custom.score("great"), 1e-12, "built-in entries stay");
    }

    @Test
    void badLexiconLineNamesTheLineAndTheProblem() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Lexicon.builtInWith(
                                        new StringReader("word\tgood\t0.5\nword\tbad\t-5\n"),
                                        "my.tsv"));
        assertEquals("my.tsv line 2: score -5.0 is outside [-4, 4]", e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Lexicon.builtInWith(
                                        new StringReader("phrase\tgood\t0.5\n"), "my.tsv"));
        assertTrue(
                e.getMessage().startsWith("my.tsv line 1: first column must be 'word' or 'emote'"),
                e.getMessage());
    }
}

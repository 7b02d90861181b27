package io.telemetra.tools.eval;

import io.telemetra.config.CommandOption;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.tools.Args;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./telemetra sentiment-eval [FILE]}: scores a labelled set ({@code label<TAB>text}, labels
 * positive / neutral / negative) with the job's scorer and thresholds, and prints accuracy,
 * macro-F1, the confusion matrix and the messages it got wrong.
 */
public final class SentimentEval {
    public static final Path DEFAULT_SET =
            Path.of("src/test/resources/sentiment/eval/twitch-chat-eval.tsv");
    static final String[] LABELS = {"negative", "neutral", "positive"};

    public record Result(int total, int[][] confusion, List<String> errors) {
        public double accuracy() {
            int right = 0;
            for (int i = 0; i < 3; i++) {
                right += confusion[i][i];
            }
            return (double) right / total;
        }

        /** Mean over the three labels of F1 = 2PR / (P + R). */
        public double macroF1() {
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                int tp = confusion[c][c], predicted = 0, actual = 0;
                for (int k = 0; k < 3; k++) {
                    predicted += confusion[k][c];
                    actual += confusion[c][k];
                }
                double p = predicted == 0 ? 0 : (double) tp / predicted;
                double r = actual == 0 ? 0 : (double) tp / actual;
                sum += p + r == 0 ? 0 : 2 * p * r / (p + r);
            }
            return sum / 3;
        }
    }

    private SentimentEval() {}

    public static String classify(double score) {
        return score >= SentimentScorer.POSITIVE_THRESHOLD
                ? "positive"
                : score <= SentimentScorer.NEGATIVE_THRESHOLD ? "negative" : "neutral";
    }

    public static Result evaluate(Path file, SentimentScorer scorer) throws IOException {
        int[][] confusion = new int[3][3];
        List<String> errors = new ArrayList<>();
        int total = 0, lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            int actual = tab < 0 ? -1 : List.of(LABELS).indexOf(line.substring(0, tab));
            if (actual < 0) {
                throw new IllegalArgumentException(
                        file + " line " + lineNo + ": expected positive|neutral|negative<TAB>text");
            }
            String text = line.substring(tab + 1);
            double score = scorer.score(text);
            int predicted = List.of(LABELS).indexOf(classify(score));
            confusion[actual][predicted]++;
            total++;
            if (predicted != actual) {
                errors.add(
                        String.format(
                                Locale.ROOT,
                                "%-8s got %-8s %+.3f  %s",
                                LABELS[actual],
                                LABELS[predicted],
                                score,
                                text));
            }
        }
        return new Result(total, confusion, errors);
    }

    static final List<CommandOption> OPTIONS =
            List.of(
                    Args.text(
                            "set",
                            null,
                            "labelled set, label<TAB>text (default " + DEFAULT_SET + ")"),
                    Args.number("show-errors", "20", 0, "print the first N messages scored wrong"));

    public static void run(String[] args, PrintStream out) throws IOException {
        Args v = new Args(args, OPTIONS);
        Path file = v.has("set") ? Path.of(v.string("set")) : DEFAULT_SET;
        long show = v.longValue("show-errors");
        Result r = evaluate(file, new SentimentScorer(Lexicon.builtIn()));
        out.printf(Locale.ROOT, "%s: %d messages%n", file, r.total());
        out.printf(Locale.ROOT, "accuracy  %.3f%nmacro-F1  %.3f%n", r.accuracy(), r.macroF1());
        out.println("confusion (rows = label, columns = predicted):");
        out.printf(Locale.ROOT, "%10s %9s %9s %9s%n", "", "negative", "neutral", "positive");
        for (int i = 0; i < 3; i++) {
            out.printf(
                    Locale.ROOT,
                    "%10s %9d %9d %9d%n",
                    LABELS[i],
                    r.confusion()[i][0],
                    r.confusion()[i][1],
                    r.confusion()[i][2]);
        }
        if (show > 0 && !r.errors().isEmpty()) {
            out.println(
                    "wrong (first "
                            + Math.min(show, r.errors().size())
                            + " of "
                            + r.errors().size()
                            + "):");
            r.errors().stream().limit(show).forEach(e -> out.println("  " + e));
        }
    }

    public static final String USAGE =
            Args.usage(
                    "Usage: ./telemetra sentiment-eval [options]\n"
                            + "Scores a labelled set and prints accuracy, macro-F1, the confusion"
                            + " matrix and the messages scored wrong.",
                    OPTIONS);
}

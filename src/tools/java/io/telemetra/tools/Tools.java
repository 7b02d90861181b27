package io.telemetra.tools;

import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.tools.demo.Demo;
import io.telemetra.tools.eval.MomentEval;
import io.telemetra.tools.eval.SentimentEval;
import io.telemetra.tools.generator.Generate;

/**
 * Entry point of {@code ./telemetra}: the local demo and the event generator (not part of the job
 * jar).
 */
public final class Tools {
    private Tools() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        if (java.util.Arrays.asList(rest).contains("--help")) {
            System.out.println(
                    switch (command) {
                        case "demo" -> Demo.USAGE;
                        case "sentiment", "sentiment-eval" -> SentimentEval.USAGE;
                        case "moment-eval" -> MomentEval.USAGE;
                        case "bench" -> io.telemetra.tools.bench.Bench.USAGE;
                        case "migrate-savepoint" -> io.telemetra.upgrade.MigrateSavepoint.USAGE;
                        default -> Generate.USAGE;
                    });
            return;
        }
        try {
            switch (command) {
                case "demo" -> new Demo(rest, System.out).run();
                case "generate" -> {
                    Generate g = new Generate(rest, System.out);
                    Runtime.getRuntime().addShutdownHook(new Thread(g::stop));
                    g.run();
                }
                case "sentiment" -> scoreStandardInput();
                case "sentiment-eval" -> SentimentEval.run(rest, System.out);
                case "moment-eval" -> MomentEval.run(rest, System.out);
                case "bench" -> new io.telemetra.tools.bench.Bench(rest, System.out).run();
                case "migrate-savepoint" -> io.telemetra.upgrade.MigrateSavepoint.main(rest);
                default -> {
                    System.out.println(
                            "Usage: ./telemetra demo|generate|sentiment|sentiment-eval|moment-eval"
                                    + " [options]   (--help after a command for its options)\n");
                    System.out.println(Demo.USAGE);
                    System.out.println(Generate.USAGE);
                    System.out.println(SentimentEval.USAGE);
                    System.out.println(MomentEval.USAGE);
                    return;
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("telemetra " + command + ": " + e.getMessage());
            System.exit(2);
        } catch (IllegalStateException | io.telemetra.StartupException e) {
            System.err.println("telemetra " + command + " failed: " + e.getMessage());
            System.exit(1);
        }
        // the MiniCluster and Kafka clients leave non-daemon threads behind
        System.exit(0);
    }

    /** One score a line for one message a line, with the job's built-in lexicon. */
    private static void scoreStandardInput() throws java.io.IOException {
        SentimentScorer scorer = new SentimentScorer(Lexicon.builtIn());
        java.io.BufferedReader in =
                new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                                System.in, java.nio.charset.StandardCharsets.UTF_8));
        java.io.PrintStream out =
                new java.io.PrintStream(
                        new java.io.FileOutputStream(java.io.FileDescriptor.out),
                        false,
                        java.nio.charset.StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            out.printf(java.util.Locale.ROOT, "%.4f%n", scorer.score(line));
        }
        out.flush();
    }
}

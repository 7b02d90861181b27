package io.telemetra.tools;

import io.telemetra.StartupException;
import io.telemetra.config.ConfigException;
import io.telemetra.schema.Migrate;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.tools.alerts.AlertNotifier;
import io.telemetra.tools.bench.Bench;
import io.telemetra.tools.bench.ProfileSummary;
import io.telemetra.tools.bench.ScaleBench;
import io.telemetra.tools.console.Console;
import io.telemetra.tools.demo.Demo;
import io.telemetra.tools.eval.MomentEval;
import io.telemetra.tools.eval.SentimentEval;
import io.telemetra.tools.eval.SketchAccuracy;
import io.telemetra.tools.generator.Generate;
import io.telemetra.upgrade.MigrateSavepoint;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code ./telemetra}: the local demo, the event generator, the evaluations, the
 * benchmark and the savepoint migrator (not part of the job jar). Each command declares its options
 * once; its {@code --help} is generated from them.
 */
public final class Tools {
    private Tools() {}

    /** A command: its name, a one-line summary, its usage and what it runs. */
    private record Command(String name, String summary, String usage, Body body) {}

    @FunctionalInterface
    private interface Body {
        void run(String[] args) throws Exception;
    }

    private static final List<Command> COMMANDS =
            List.of(
                    new Command(
                            "demo",
                            "Kafka, PostgreSQL, the generator and the job on this machine, live",
                            Demo.USAGE,
                            args -> new Demo(args, System.out).run()),
                    new Command(
                            "console",
                            "the analytics and moments in a browser, live (read-only)",
                            Console.USAGE,
                            Console::main),
                    new Command(
                            "alerts",
                            "post each new moment to Slack, Discord or a JSON webhook",
                            AlertNotifier.USAGE,
                            AlertNotifier::main),
                    new Command(
                            "generate",
                            "produce simulated chat and viewer events into Kafka or a file",
                            Generate.USAGE,
                            Tools::generate),
                    new Command(
                            "sentiment",
                            "score standard input, one message a line, one score a line",
                            "Usage: ./telemetra sentiment < messages.txt",
                            args -> scoreStandardInput()),
                    new Command(
                            "sentiment-eval",
                            "accuracy and macro-F1 of the scorer on a labelled set",
                            SentimentEval.USAGE,
                            args -> SentimentEval.run(args, System.out)),
                    new Command(
                            "moment-eval",
                            "precision and recall of the moment rules on planted scenarios",
                            MomentEval.USAGE,
                            args -> MomentEval.run(args, System.out)),
                    new Command(
                            "sketch-accuracy",
                            "measured error of unique_chatters per lg K and window size",
                            SketchAccuracy.USAGE,
                            args -> SketchAccuracy.run(args, System.out)),
                    new Command(
                            "bench",
                            "the benchmark (bench/run calls this)",
                            Bench.USAGE,
                            args -> new Bench(args, System.out).run()),
                    new Command(
                            "bench-scale",
                            "the 100,000-stream benchmark (bench/scale calls this)",
                            ScaleBench.USAGE,
                            args -> new ScaleBench(args, System.out).run()),
                    new Command(
                            "profile",
                            "where a benchmark variant's CPU samples went (bench/profile calls"
                                    + " this)",
                            ProfileSummary.USAGE,
                            args -> ProfileSummary.run(args, System.out)),
                    new Command(
                            "reliability-report",
                            "write RELIABILITY.md from the newest ./mvnw -B verify run",
                            "Usage: ./telemetra reliability-report   (after ./mvnw -B verify)",
                            args -> ReliabilityReport.run(args, System.out)),
                    new Command(
                            "migrate",
                            "bring the PostgreSQL schema to this version (also converts Spark-era"
                                    + " tables)",
                            "Usage: ./telemetra " + Migrate.USAGE.substring("Usage: ".length()),
                            args -> Migrate.run(args, System.out)),
                    new Command(
                            "migrate-savepoint",
                            "rewrite a 0.1.0 savepoint for this version",
                            MigrateSavepoint.USAGE,
                            MigrateSavepoint::main));

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        Command command =
                COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        if (command == null) {
            boolean asked = name.equals("help") || name.equals("--help");
            (asked ? System.out : System.err).println(usage());
            if (!asked) {
                System.err.println("unknown command '" + name + "'");
            }
            System.exit(asked ? 0 : 2);
        }
        if (Arrays.asList(rest).contains("--help")) {
            System.out.println(command.usage());
            return;
        }
        try {
            command.body().run(rest);
        } catch (IllegalArgumentException | ConfigException e) {
            System.err.println("telemetra " + name + ": " + e.getMessage());
            System.err.println("(./telemetra " + name + " --help lists the options)");
            System.exit(2);
        } catch (IllegalStateException | StartupException e) {
            System.err.println("telemetra " + name + " failed: " + e.getMessage());
            System.exit(1);
        }
        // the MiniCluster and Kafka clients leave non-daemon threads behind
        System.exit(0);
    }

    /** Every command with its summary. */
    static String usage() {
        StringBuilder sb = new StringBuilder("Usage: ./telemetra COMMAND [options]\n\nCommands:\n");
        for (Command c : COMMANDS) {
            sb.append(String.format("  %-18s %s%n", c.name(), c.summary()));
        }
        return sb.append("\n./telemetra COMMAND --help lists a command's options.").toString();
    }

    private static void generate(String[] args) {
        Generate g = new Generate(args, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(g::stop));
        g.run();
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

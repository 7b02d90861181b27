package io.telemetra.tools;

import io.telemetra.tools.demo.Demo;
import io.telemetra.tools.generator.Generate;

/** Entry point of {@code ./telemetra}: the local demo and the event generator (not part of the job jar). */
public final class Tools {
    private Tools() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        if (java.util.Arrays.asList(rest).contains("--help")) {
            System.out.println(command.equals("demo") ? Demo.USAGE : Generate.USAGE);
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
                default -> {
                    System.out.println("Usage: ./telemetra demo|generate [options]   (--help after a command for its options)\n");
                    System.out.println(Demo.USAGE);
                    System.out.println(Generate.USAGE);
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
}

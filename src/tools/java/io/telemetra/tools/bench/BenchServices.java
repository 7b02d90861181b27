package io.telemetra.tools.bench;

import io.telemetra.tools.demo.LocalKafka;
import io.telemetra.tools.generator.Generate;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The benchmarks' own Kafka broker (a child JVM) and PostgreSQL under the working folder, stopped
 * on close and on Ctrl-C, and the deterministic corpus loaded into them.
 */
record BenchServices(EmbeddedPostgres pg, LocalKafka kafka, String jdbcUrl)
        implements AutoCloseable {

    static BenchServices start(Path dir) throws Exception {
        int pgPort = Bench.freePort();
        EmbeddedPostgres pg =
                EmbeddedPostgres.builder()
                        .setPort(pgPort)
                        .setDataDirectory(dir.resolve("postgres"))
                        .setServerConfig("max_prepared_transactions", "20")
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .start();
        LocalKafka kafka = new LocalKafka(dir.resolve("kafka"), Bench.freePort(), Bench.freePort());
        BenchServices services =
                new BenchServices(pg, kafka, "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres");
        // Ctrl-C: stop the broker and the database too (try-with-resources does not run then)
        Runtime.getRuntime().addShutdownHook(new Thread(services::closeQuietly));
        Bench.schema(services.jdbcUrl());
        kafka.start(Path.of("src/tools/log4j2-tools.properties").toAbsolutePath());
        return services;
    }

    /** The generator's corpus in {@code <prefix>.chat} and {@code <prefix>.viewer}. */
    void load(
            String prefix,
            int partitions,
            int streams,
            long rate,
            long events,
            long seed,
            PrintStream out)
            throws Exception {
        kafka.createTopic(prefix + ".chat", partitions);
        kafka.createTopic(prefix + ".viewer", partitions);
        out.printf(
                Locale.ROOT,
                "Loading %,d records (%,d streams, %,d records/s of event time, seed %d) into Kafka"
                        + " (%d partitions per topic) ...%n",
                events,
                streams,
                rate,
                seed,
                partitions);
        long t0 = System.nanoTime();
        new Generate(
                        new String[] {
                            "--bootstrap-servers", kafka.bootstrap(),
                            "--chat-topic", prefix + ".chat",
                            "--viewer-topic", prefix + ".viewer",
                            "--rate", Long.toString(rate),
                            "--streams", Integer.toString(streams),
                            "--count", Long.toString(events),
                            "--seed", Long.toString(seed),
                            "--start", "2026-01-01T00:00:00Z",
                            "--progress-every", "0s"
                        },
                        new PrintStream(PrintStream.nullOutputStream()))
                .run();
        out.printf(Locale.ROOT, "  loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            // exiting anyway
        }
    }

    @Override
    public void close() throws Exception {
        kafka.close();
        pg.close();
    }
}

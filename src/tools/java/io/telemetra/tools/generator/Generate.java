package io.telemetra.tools.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.telemetra.tools.Args;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./telemetra generate}: produces simulated chat and viewer events into Kafka, or writes
 * them to a file, at a controlled rate, with planted scenarios logged to a labels file.
 */
public final class Generate implements Runnable, Closeable {
    static final Set<String> OPTIONS =
            Set.of(
                    "bootstrap-servers",
                    "chat-topic",
                    "viewer-topic",
                    "rate",
                    "streams",
                    "duration",
                    "count",
                    "seed",
                    "out",
                    "from-file",
                    "labels",
                    "malformed-rate",
                    "start",
                    "backfill",
                    "first-scenario",
                    "scenario-every",
                    "progress-every");

    public static final String USAGE =
            """
            Usage: ./telemetra generate [options]
              --bootstrap-servers H:P   Kafka to produce into (default localhost:9092)
              --chat-topic T            (default telemetra.events.chat)
              --viewer-topic T          (default telemetra.events.viewer)
              --rate N                  events per second, chat and viewer together (default 200)
              --streams N               number of streams (default 50)
              --duration D | --count N  stop after this much event time / this many records (default: run until Ctrl-C)
              --seed N                  same seed and --start give byte-identical events (default 1)
              --start ISO|epoch-ms      event time of the first record (default: now)
              --backfill D              start D in the past and catch up to now at full speed (default 0s)
              --first-scenario D        first planted scenario D after the start (default 60s)
              --scenario-every D        then one about every D (default 90s; 0 disables)
              --malformed-rate P        share of malformed records, 0 disables (default 0.001)
              --labels FILE             planted scenarios as JSON lines (default labels.jsonl beside --out, else none)
              --out FILE                write JSON lines instead of producing, as fast as possible
              --from-file FILE          produce the records of a file written with --out
            """;

    private final Args args;
    private final PrintStream log;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public Generate(String[] argv, PrintStream log) {
        this.args = new Args(argv, OPTIONS, Set.of());
        this.log = log;
    }

    public void stop() {
        stopped.set(true);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public void run() {
        try {
            if (args.has("from-file")) {
                replayFile(Path.of(args.string("from-file", "")));
            } else {
                simulate();
            }
        } catch (IOException e) {
            throw new IllegalStateException("generator failed: " + e.getMessage(), e);
        }
    }

    /** Where the records go: Kafka or a JSON-lines file. */
    interface Output extends Closeable {
        void send(boolean chat, byte[] payload) throws IOException;
    }

    private Output kafka() {
        Properties p = new Properties();
        p.put(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                args.string("bootstrap-servers", "localhost:9092"));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        // Kafka's default for unkeyed records sticks to one partition until a batch (16 KiB) is
        // full: at 20 viewer records/s that is one partition for ~10 s, then the other, and the
        // silent one holds the job's watermark back by as much. Round robin keeps every partition
        // moving, as producers keyed by stream do.
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class.getName());
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        String chatTopic = args.string("chat-topic", "telemetra.events.chat");
        String viewerTopic = args.string("viewer-topic", "telemetra.events.viewer");
        return new Output() {
            @Override
            public void send(boolean chat, byte[] payload) {
                producer.send(new ProducerRecord<>(chat ? chatTopic : viewerTopic, payload));
            }

            @Override
            public void close() {
                producer.flush();
                producer.close(Duration.ofSeconds(10));
            }
        };
    }

    private static Output file(Path path) throws IOException {
        BufferedWriter w = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        JsonFactory json = new JsonFactory();
        return new Output() {
            @Override
            public void send(boolean chat, byte[] payload) throws IOException {
                StringWriter line = new StringWriter();
                try (JsonGenerator g = json.createGenerator(line)) {
                    g.writeStartObject();
                    g.writeStringField("topic", chat ? "chat" : "viewer");
                    g.writeStringField("payload", new String(payload, StandardCharsets.UTF_8));
                    g.writeEndObject();
                }
                w.write(line.toString());
                w.write('\n');
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }

    private void simulate() throws IOException {
        long now = System.currentTimeMillis();
        long start =
                args.has("start")
                        ? parseInstant(args.string("start", ""))
                        : now - args.duration("backfill", Duration.ZERO).toMillis();
        double rate = args.doubleValue("rate", 200);
        int streams = (int) args.longValue("streams", 50);
        if (rate <= 0 || streams <= 0) {
            throw new IllegalArgumentException("--rate and --streams must be positive");
        }
        double chatRate = Math.max(0.1, rate - streams / 10.0);
        long count = args.longValue("count", Long.MAX_VALUE);
        long end =
                args.has("duration")
                        ? start + args.duration("duration", Duration.ZERO).toMillis()
                        : Long.MAX_VALUE;
        if (args.has("backfill") && args.has("duration")) {
            end = now + args.duration("duration", Duration.ZERO).toMillis();
        }
        boolean toFile = args.has("out");
        // Kafka is paced to event time (so --rate is a real rate); files are written as fast as
        // possible
        boolean paced = !toFile;
        ChatSimulation sim =
                new ChatSimulation(
                        args.longValue("seed", 1),
                        streams,
                        chatRate,
                        start,
                        args.doubleValue("malformed-rate", 0.001),
                        args.duration("first-scenario", Duration.ofSeconds(60)).toMillis(),
                        args.duration("scenario-every", Duration.ofSeconds(90)).toMillis());
        Path labelsPath =
                args.has("labels")
                        ? Path.of(args.string("labels", ""))
                        : toFile
                                ? Path.of(args.string("out", "")).resolveSibling("labels.jsonl")
                                : null;
        long progressEvery = args.duration("progress-every", Duration.ofSeconds(5)).toMillis();

        try (Output out = toFile ? file(Path.of(args.string("out", ""))) : kafka();
                BufferedWriter labels =
                        labelsPath == null ? null : Files.newBufferedWriter(labelsPath)) {
            long sent = 0;
            long wallStart = System.nanoTime();
            long lastReport = wallStart;
            long sentAtLastReport = 0;
            // wall time of the simulation's start: event time t is due at wallZero + (t - start)
            long wallZero = System.currentTimeMillis() - (now - start);
            while (!stopped.get() && sent < count) {
                ChatSimulation.Record r = sim.next(label -> writeLabel(labels, label));
                if (r.timestamp() >= end) {
                    break;
                }
                if (paced) {
                    long due = wallZero + (r.timestamp() - start);
                    long wait = due - System.currentTimeMillis();
                    if (wait > 0) {
                        sleep(wait);
                    }
                }
                out.send(r.chat(), r.payload());
                sent++;
                long t = System.nanoTime();
                if (progressEvery > 0 && (t - lastReport) / 1_000_000 >= progressEvery) {
                    double achieved = (sent - sentAtLastReport) / ((t - lastReport) / 1e9);
                    log.printf(
                            "generator: %,d records, %.0f records/s, %d scenarios planted, %d"
                                    + " malformed, event time %s%n",
                            sent,
                            achieved,
                            sim.scenarios(),
                            sim.malformed(),
                            Instant.ofEpochMilli(r.timestamp()));
                    lastReport = t;
                    sentAtLastReport = sent;
                }
            }
            double seconds = (System.nanoTime() - wallStart) / 1e9;
            log.printf(
                    "generator: done, %,d records in %.1f s (%.0f records/s), %d scenarios, %d"
                            + " malformed%n",
                    sent,
                    seconds,
                    sent / Math.max(seconds, 1e-9),
                    sim.scenarios(),
                    sim.malformed());
        }
    }

    private static void writeLabel(BufferedWriter labels, ChatSimulation.Label l) {
        if (labels == null) {
            return;
        }
        try {
            labels.write(
                    "{\"stream_id\":\""
                            + l.streamId()
                            + "\",\"kind\":\""
                            + l.kind()
                            + "\",\"start\":\""
                            + Instant.ofEpochMilli(l.start())
                            + "\",\"end\":\""
                            + Instant.ofEpochMilli(l.end())
                            + "\"}\n");
            labels.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write labels: " + e.getMessage(), e);
        }
    }

    private void replayFile(Path file) throws IOException {
        JsonFactory json = new JsonFactory();
        long sent = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                Output out = kafka()) {
            String line;
            while (!stopped.get() && (line = in.readLine()) != null) {
                String topic = null;
                String payload = null;
                try (JsonParser p = json.createParser(line)) {
                    String name;
                    p.nextToken();
                    while ((name = p.nextFieldName()) != null) {
                        JsonToken t = p.nextToken();
                        if (t == JsonToken.VALUE_STRING && name.equals("topic")) {
                            topic = p.getText();
                        } else if (t == JsonToken.VALUE_STRING && name.equals("payload")) {
                            payload = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                if (topic == null || payload == null) {
                    throw new IllegalArgumentException(
                            file
                                    + " line "
                                    + (sent + 1)
                                    + " is not a record written by --out"
                                    + " ({\"topic\":...,\"payload\":...})");
                }
                out.send(topic.equals("chat"), payload.getBytes(StandardCharsets.UTF_8));
                sent++;
            }
        }
        log.printf("generator: replayed %,d records from %s%n", sent, file);
    }

    private static long parseInstant(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return Instant.parse(s).toEpochMilli();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

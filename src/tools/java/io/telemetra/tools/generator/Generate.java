package io.telemetra.tools.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.telemetra.config.CommandOption;
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
import java.util.List;
import java.util.Properties;
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
    public static final List<CommandOption> OPTIONS =
            List.of(
                    Args.text("bootstrap-servers", "localhost:9092", "Kafka to produce into"),
                    Args.text("chat-topic", "telemetra.events.chat", "topic of chat events"),
                    Args.text("viewer-topic", "telemetra.events.viewer", "topic of viewer counts"),
                    Args.decimal(
                            "rate",
                            "200",
                            0.001,
                            1e9,
                            "events per second, chat and viewer together"),
                    Args.number("streams", "50", 1, "number of streams"),
                    Args.duration(
                            "duration",
                            null,
                            "stop after this much event time (default: until Ctrl-C)"),
                    Args.number("count", null, 1, "stop after this many records"),
                    Args.number("seed", "1", 0, "same seed and --start give byte-identical events"),
                    Args.text(
                            "start",
                            null,
                            "event time of the first record, ISO or epoch ms (default: now)"),
                    Args.duration(
                            "backfill",
                            "0s",
                            "start this far in the past and catch up to now at full speed"),
                    Args.duration(
                            "first-scenario",
                            "60s",
                            "first planted scenario this long after the start"),
                    Args.duration(
                            "scenario-every", "90s", "then one about this often; 0s disables"),
                    Args.decimal(
                            "malformed-rate",
                            "0.001",
                            0,
                            1,
                            "share of malformed records; 0 disables"),
                    Args.text(
                            "labels",
                            null,
                            "planted scenarios as JSON lines (default labels.jsonl beside --out)"),
                    Args.text(
                            "out",
                            null,
                            "write JSON lines to this file instead of producing, as fast as"
                                    + " possible"),
                    Args.text(
                            "from-file", null, "produce the records of a file written with --out"),
                    Args.duration("progress-every", "5s", "how often progress is printed"));

    public static final String USAGE = Args.usage("Usage: ./telemetra generate [options]", OPTIONS);

    private final Args args;
    private final PrintStream log;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public Generate(String[] argv, PrintStream log) {
        this.args = new Args(argv, OPTIONS);
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
                replayFile(Path.of(args.string("from-file")));
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
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.string("bootstrap-servers"));
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
        String chatTopic = args.string("chat-topic");
        String viewerTopic = args.string("viewer-topic");
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
                        ? parseInstant(args.string("start"))
                        : now - args.duration("backfill").toMillis();
        double rate = args.doubleValue("rate");
        int streams = (int) args.longValue("streams");
        if (rate <= 0 || streams <= 0) {
            throw new IllegalArgumentException("--rate and --streams must be positive");
        }
        double chatRate = Math.max(0.1, rate - streams / 10.0);
        long count = args.has("count") ? args.longValue("count") : Long.MAX_VALUE;
        long end =
                args.has("duration")
                        ? start + args.duration("duration").toMillis()
                        : Long.MAX_VALUE;
        if (args.has("backfill") && args.has("duration")) {
            end = now + args.duration("duration").toMillis();
        }
        boolean toFile = args.has("out");
        // Kafka is paced to event time (so --rate is a real rate); files are written as fast as
        // possible
        boolean paced = !toFile;
        ChatSimulation sim =
                new ChatSimulation(
                        args.longValue("seed"),
                        streams,
                        chatRate,
                        start,
                        args.doubleValue("malformed-rate"),
                        args.duration("first-scenario").toMillis(),
                        args.duration("scenario-every").toMillis());
        Path labelsPath =
                args.has("labels")
                        ? Path.of(args.string("labels"))
                        : toFile
                                ? Path.of(args.string("out")).resolveSibling("labels.jsonl")
                                : null;
        long progressEvery = args.duration("progress-every").toMillis();

        try (Output out = toFile ? file(Path.of(args.string("out"))) : kafka();
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

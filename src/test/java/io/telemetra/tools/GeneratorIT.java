package io.telemetra.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.telemetra.testing.RealInfrastructure;
import io.telemetra.tools.generator.Generate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The generator's file output replayed into a real Kafka broker with --from-file. */
@ExtendWith(RealInfrastructure.class)
class GeneratorIT {
    @Test
    void fileWrittenWithOutIsProducedUnchangedByFromFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");
        PrintStream quiet =
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        new Generate(
                        new String[] {
                            "--out",
                            file.toString(),
                            "--count",
                            "3000",
                            "--seed",
                            "3",
                            "--start",
                            "2026-01-01T00:00:00Z",
                            "--streams",
                            "20",
                            "--malformed-rate",
                            "0.01"
                        },
                        quiet)
                .run();
        RealInfrastructure.createTopic("gen.chat", 2);
        RealInfrastructure.createTopic("gen.viewer", 1);
        new Generate(
                        new String[] {
                            "--from-file",
                            file.toString(),
                            "--bootstrap-servers",
                            RealInfrastructure.kafkaBootstrap(),
                            "--chat-topic",
                            "gen.chat",
                            "--viewer-topic",
                            "gen.viewer"
                        },
                        quiet)
                .run();

        List<String> lines = Files.readAllLines(file);
        assertEquals(3000, lines.size());
        long chatLines = lines.stream().filter(l -> l.startsWith("{\"topic\":\"chat\"")).count();
        assertEquals(chatLines, consume("gen.chat").size());
        assertEquals(3000 - chatLines, consume("gen.viewer").size());
    }

    /**
     * A live, paced run prints the rate it achieved against the one asked for: a figure to read,
     * not a timing assertion (this machine is shared and noisy).
     */
    @Test
    void pacedRunReportsTheAchievedRate() throws Exception {
        RealInfrastructure.createTopic("rate.chat", 2);
        RealInfrastructure.createTopic("rate.viewer", 1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        new Generate(
                        new String[] {
                            "--bootstrap-servers",
                            RealInfrastructure.kafkaBootstrap(),
                            "--chat-topic",
                            "rate.chat",
                            "--viewer-topic",
                            "rate.viewer",
                            "--rate",
                            "1000",
                            "--streams",
                            "50",
                            "--duration",
                            "8s",
                            "--malformed-rate",
                            "0",
                            "--progress-every",
                            "0s"
                        },
                        out)
                .run();
        String summary = log.toString(StandardCharsets.UTF_8).strip();
        System.out.println("[rate control] target 1000 records/s for 8 s: " + summary);
        long produced = consume("rate.chat").size() + consume("rate.viewer").size();
        assertEquals(
                true,
                summary.contains(String.format("%,d records", produced)),
                summary + " vs " + produced);
    }

    private static List<String> consume(String topic) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                RealInfrastructure.kafkaBootstrap(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "gen-it-" + topic,
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int idlePolls = 0;
            while (System.nanoTime() < deadline && idlePolls < 5) {
                var records = c.poll(Duration.ofMillis(500));
                idlePolls = records.isEmpty() && !out.isEmpty() ? idlePolls + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}

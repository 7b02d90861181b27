package io.telemetra.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client settings passed through to the sources and the start-up check: security (SASL, SSL)
 * and tuning. Two ways in: {@code --kafka.<property> value} for settings that are not secret, and
 * {@code --kafka.properties-file} for the rest, read where {@code flink run} is called. Values from
 * the file are never printed (toString and {@link #describe} name the keys only).
 */
public final class KafkaClientProperties implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Settings Telemetra sets from its own options; passing them through would fight those. */
    static final Map<String, String> OWNED =
            Map.of(
                    "bootstrap.servers", "--kafka.bootstrap-servers",
                    "group.id", "--kafka.group-id",
                    "auto.offset.reset", "--kafka.starting-offsets",
                    "key.deserializer", "(fixed)",
                    "value.deserializer", "(fixed)");

    private static final Set<String> SECRET_WORDS =
            Set.of("password", "jaas", "secret", "token", "credential");

    /** The Kafka clients' own list of properties that hold passwords or key material. */
    private static final Set<String> KAFKA_PASSWORD_PROPERTIES = kafkaPasswordProperties();

    private static Set<String> kafkaPasswordProperties() {
        Set<String> out = new java.util.HashSet<>();
        for (ConfigDef def : List.of(ConsumerConfig.configDef(), AdminClientConfig.configDef())) {
            def.configKeys()
                    .forEach(
                            (name, key) -> {
                                if (key.type == ConfigDef.Type.PASSWORD) {
                                    out.add(name);
                                }
                            });
        }
        return Set.copyOf(out);
    }

    /**
     * Whether a client property carries a secret: every property the Kafka clients type as a
     * password (ssl.key.password, ssl.keystore.key, ssl.keystore.certificate.chain,
     * sasl.jaas.config, ...), anything named like one (a plug-in's own {@code *.password}, {@code
     * *.secret}), and any {@code *.key}.
     */
    static boolean isSecret(String property) {
        String k = property.toLowerCase(Locale.ROOT);
        return KAFKA_PASSWORD_PROPERTIES.contains(k)
                || SECRET_WORDS.stream().anyMatch(k::contains)
                || k.endsWith(".key")
                || k.contains("certificate.chain");
    }

    private final TreeMap<String, String> fromArgs;
    private final TreeMap<String, String> fromFile;
    private final String file;

    KafkaClientProperties(Map<String, String> fromArgs, String file) {
        this.fromArgs = new TreeMap<>();
        fromArgs.forEach(
                (k, v) -> {
                    checkNotOwned(k, "--kafka." + k);
                    if (isSecret(k)) {
                        throw new ConfigException(
                                "--kafka."
                                        + k
                                        + " holds a secret, and program arguments are visible in"
                                        + " the Flink dashboard: put it in a properties file given"
                                        + " with --kafka.properties-file (env"
                                        + " KAFKA_PROPERTIES_FILE)");
                    }
                    this.fromArgs.put(k, v);
                });
        this.file = file;
        this.fromFile = new TreeMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException(
                        Option.KAFKA_PROPERTIES_FILE.label()
                                + " = '"
                                + file
                                + "' cannot be read ("
                                + e.getClass().getSimpleName()
                                + "); check the path and its permissions");
            }
            for (String k : p.stringPropertyNames()) {
                checkNotOwned(k, k + " in " + file);
                fromFile.put(k, p.getProperty(k));
            }
        }
    }

    private static void checkNotOwned(String key, String where) {
        String option = OWNED.get(key);
        if (option != null) {
            throw new ConfigException(
                    where
                            + " is set by Telemetra itself"
                            + (option.startsWith("--") ? "; use " + option + " instead" : ""));
        }
    }

    public boolean isEmpty() {
        return fromArgs.isEmpty() && fromFile.isEmpty();
    }

    /** Every property, for the Kafka clients. */
    public Properties toProperties() {
        Properties p = new Properties();
        p.putAll(fromFile);
        p.putAll(fromArgs);
        return p;
    }

    /** What may be shown: argument values, and only the names of the file's properties. */
    void describe(Map<String, String> out) {
        fromArgs.forEach((k, v) -> out.put("kafka." + k, v));
        if (file != null) {
            out.put(Option.KAFKA_PROPERTIES_FILE.argName(), file + " " + fromFile.keySet());
        }
    }

    @Override
    public String toString() {
        return "KafkaClientProperties{args=" + fromArgs + ", file keys=" + fromFile.keySet() + "}";
    }
}

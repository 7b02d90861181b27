package io.telemetra.tools.alerts;

import io.telemetra.config.CommandLine;
import io.telemetra.config.CommandOption;
import io.telemetra.config.ConfigException;
import io.telemetra.config.Declared;
import io.telemetra.config.Option;
import io.telemetra.config.OptionType;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.config.TelemetraConfig.Secret;
import io.telemetra.sink.PostgresCheck;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./telemetra alerts}: posts each new moment to webhooks, reading the committed {@code
 * moments} table, never from inside the Flink job (a slow webhook cannot hold back a checkpoint).
 *
 * <p><b>Nothing committed is missed.</b> Rows of {@code moments} commit out of id order (two sink
 * subtasks, one transaction per checkpoint each), so "ids above the last seen" would skip some.
 * Instead every poll looks at all moments written within {@code --alerts.lookback} that have no row
 * in {@code moment_alerts} for the webhook yet, and inserts one, before calling the webhook. A
 * moment whose transaction commits later than the previous poll is simply found by a later one.
 *
 * <p><b>At least once, once in practice.</b> The delivery row is committed (pending) before the
 * webhook is called and marked delivered after it answers 2xx; a notifier that dies between the
 * answer and that update sends the alert again when it restarts. The moment id goes with every
 * attempt ({@code Idempotency-Key}) for receivers that deduplicate. Failed attempts are retried
 * with exponential backoff; after {@code --alerts.max-attempts} the row is {@code dead} with its
 * last error, which the console shows.
 *
 * <p>Filters apply to the moment as it was first seen; a later update (a higher peak of an open
 * moment) sends nothing unless {@code --alerts.on-update}.
 */
public final class AlertNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertNotifier.class);

    static final CommandOption USER =
            new CommandOption(
                    "postgres.user",
                    "telemetra_alerts",
                    OptionType.TEXT,
                    "PostgreSQL user: the notifier's role of sql/roles/console_roles.sql");
    static final CommandOption WEBHOOK_URL =
            new CommandOption(
                    "alerts.webhook-url",
                    null,
                    OptionType.TEXT,
                    "webhook to post each new moment to (repeatable); URLs that hold a token"
                            + " (Slack, Discord) belong in --alerts.webhook-urls-file instead");
    static final CommandOption WEBHOOK_URLS_FILE =
            new CommandOption(
                    "alerts.webhook-urls-file",
                    null,
                    OptionType.TEXT,
                    "file with one webhook URL a line (kept out of the process list and logs)");
    static final CommandOption FORMAT =
            new CommandOption(
                    "alerts.format",
                    "json",
                    OptionType.oneOf(AlertFormat.class),
                    "body: json (Telemetra's), slack or discord (their incoming webhooks)");
    static final CommandOption TYPES =
            new CommandOption(
                    "alerts.types",
                    null,
                    OptionType.TEXT,
                    "comma-separated moment types to announce (default: all)");
    static final CommandOption MIN_INTENSITY =
            new CommandOption(
                    "alerts.min-intensity",
                    "0",
                    OptionType.doubleIn(0, true, Double.MAX_VALUE),
                    "announce moments of at least this intensity");
    static final CommandOption STREAMS =
            new CommandOption(
                    "alerts.streams",
                    null,
                    OptionType.TEXT,
                    "comma-separated stream ids to announce (default: all)");
    static final CommandOption ON_UPDATE =
            new CommandOption(
                    "alerts.on-update",
                    null,
                    OptionType.FLAG,
                    "also announce a moment again when it changes (a higher peak)");
    static final CommandOption MAX_ATTEMPTS =
            new CommandOption(
                    "alerts.max-attempts",
                    "8",
                    OptionType.intIn(1, 1000),
                    "attempts before an alert is dead-lettered");
    static final CommandOption BACKOFF =
            new CommandOption(
                    "alerts.retry-backoff",
                    "2s",
                    OptionType.POSITIVE_DURATION,
                    "wait before the first retry; doubles each attempt, at most 5 min");
    static final CommandOption POLL =
            new CommandOption(
                    "alerts.poll-interval",
                    "2s",
                    OptionType.POSITIVE_DURATION,
                    "how often to look for new moments and due retries");
    static final CommandOption LOOKBACK =
            new CommandOption(
                    "alerts.lookback",
                    "24h",
                    OptionType.POSITIVE_DURATION,
                    "how long after it was written a moment can still commit and be announced"
                            + " (a job down that long with a prepared transaction)");
    static final CommandOption TIMEOUT =
            new CommandOption(
                    "alerts.timeout",
                    "10s",
                    OptionType.POSITIVE_DURATION,
                    "how long one webhook call may take");
    static final CommandOption CONSOLE_URL =
            new CommandOption(
                    "alerts.console-url",
                    null,
                    OptionType.TEXT,
                    "the console's address, for a link to the moment in each alert");

    static final List<Declared> OPTIONS =
            List.of(
                    Option.POSTGRES_URL,
                    USER,
                    Option.POSTGRES_PASSWORD_FILE,
                    WEBHOOK_URL,
                    WEBHOOK_URLS_FILE,
                    FORMAT,
                    TYPES,
                    MIN_INTENSITY,
                    STREAMS,
                    ON_UPDATE,
                    MAX_ATTEMPTS,
                    BACKOFF,
                    POLL,
                    LOOKBACK,
                    TIMEOUT,
                    CONSOLE_URL);

    public static final String USAGE =
            "Usage: ./telemetra alerts [options]\n"
                    + "Posts each new moment to webhooks (Slack, Discord or JSON), at least once,"
                    + " from the committed moments table.\n"
                    + CommandLine.usage(OPTIONS);

    /** Moments written this long before a webhook was first configured are still announced. */
    static final Duration FIRST_START_GRACE = Duration.ofMinutes(10);

    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /** Serialises notifiers of one database: two would both call every webhook. */
    static final long LOCK_KEY = 0x54454c414c455254L; // "TELALERT"

    /** What a moment's content is, for --alerts.on-update; the same expression in every query. */
    static final String VERSION_SQL =
            "md5(coalesce(m.description, '') || '|' || coalesce(m.intensity::text, '') || '|' ||"
                    + " coalesce(m.metadata::text, ''))";

    static final String NEW_MOMENTS_SQL =
            "SELECT m.id, m.stream_id, m.moment_type, m.\"timestamp\", m.intensity, m.description,"
                    + " m.metadata::text, "
                    + VERSION_SQL
                    + " FROM moments m WHERE m.detected_at >= greatest((SELECT since FROM"
                    + " moment_alert_targets WHERE target = ?), now() - ?::interval) AND NOT"
                    + " EXISTS (SELECT 1 FROM moment_alerts a WHERE a.moment_id = m.id AND"
                    + " a.target = ?) ORDER BY m.detected_at, m.id LIMIT 1000";

    static final String CHANGED_MOMENTS_SQL =
            "SELECT m.id, m.stream_id, m.moment_type, m.\"timestamp\", m.intensity, m.description,"
                    + " m.metadata::text, "
                    + VERSION_SQL
                    + " FROM moments m JOIN moment_alerts a ON a.moment_id = m.id AND a.target = ?"
                    + " WHERE m.detected_at >= now() - ?::interval AND a.status IN ('delivered',"
                    + " 'filtered') AND a.version <> "
                    + VERSION_SQL
                    + " LIMIT 1000";

    /** Settings that decide which moments are announced and how. */
    public record Settings(
            AlertFormat format,
            Set<String> types,
            double minIntensity,
            Set<String> streams,
            boolean onUpdate,
            int maxAttempts,
            Duration backoff,
            Duration poll,
            Duration lookback,
            Duration timeout,
            String consoleUrl) {
        boolean announces(AlertFormat.Moment m) {
            return (types.isEmpty() || types.contains(m.type()))
                    && (streams.isEmpty() || streams.contains(m.streamId()))
                    && (minIntensity <= 0
                            || (m.intensity() != null && m.intensity() >= minIntensity));
        }
    }

    /** A webhook: its URL (a secret for Slack and Discord) and the id it is recorded under. */
    record Target(URI url, String id) {
        static Target of(String url) {
            URI u;
            try {
                u = URI.create(url.strip());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("a webhook URL is not a URL (" + e.getMessage() + ")");
            }
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new ConfigException(
                        "a webhook URL must start with http:// or https:// (one starts with "
                                + u.getScheme()
                                + ":)");
            }
            // recorded and shown as scheme, host and a hash: the path of a Slack or Discord
            // webhook is its token
            String hash = sha256(u.toString()).substring(0, 12);
            String port = u.getPort() < 0 ? "" : ":" + u.getPort();
            return new Target(u, u.getScheme() + "://" + u.getHost() + port + "/#" + hash);
        }
    }

    private final String url;
    private final String user;
    private final Secret password;
    private final List<Target> targets;
    private final Settings settings;
    private final HttpClient http;
    private final ExecutorService perTarget;
    private Connection lockSession;
    private volatile boolean stopped;

    public AlertNotifier(
            String url, String user, Secret password, List<String> webhooks, Settings settings) {
        if (webhooks.isEmpty()) {
            throw new ConfigException(
                    "no webhook: give --alerts.webhook-url URL (repeatable) or"
                            + " --alerts.webhook-urls-file FILE");
        }
        this.url = url;
        this.user = user;
        this.password = password;
        this.targets = webhooks.stream().distinct().map(Target::of).toList();
        this.settings = settings;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(settings.timeout())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        this.perTarget = Executors.newFixedThreadPool(targets.size());
    }

    public static void main(String[] args) throws Exception {
        CommandLine v = new CommandLine(args, OPTIONS);
        List<String> webhooks = new ArrayList<>(v.all(WEBHOOK_URL));
        String file = v.get(WEBHOOK_URLS_FILE);
        if (file != null) {
            for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    webhooks.add(line.strip());
                }
            }
        }
        Settings s =
                new Settings(
                        v.get(FORMAT),
                        csv(v.get(TYPES)),
                        v.<Double>get(MIN_INTENSITY),
                        csv(v.get(STREAMS)),
                        v.isSet(ON_UPDATE),
                        v.<Integer>get(MAX_ATTEMPTS),
                        v.get(BACKOFF),
                        v.get(POLL),
                        v.get(LOOKBACK),
                        v.get(TIMEOUT),
                        v.get(CONSOLE_URL));
        try (AlertNotifier n =
                new AlertNotifier(
                        v.get(Option.POSTGRES_URL),
                        v.get(USER),
                        TelemetraConfig.postgresPassword(v, System.getenv()),
                        webhooks,
                        s)) {
            n.start();
            Runtime.getRuntime().addShutdownHook(new Thread(n::close));
            Thread.currentThread().join();
        }
    }

    static Set<String> csv(String v) {
        if (v == null || v.isBlank()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(v.split(",")).map(String::strip).filter(x -> !x.isEmpty()).forEach(out::add);
        return out;
    }

    /**
     * Takes the database's notifier lock, records the webhooks, and starts one loop per webhook.
     */
    public void start() throws SQLException {
        lockSession = PostgresCheck.connect(url, user, password);
        try (Statement st = lockSession.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                lockSession.close();
                throw new IllegalStateException(
                        "another ./telemetra alerts is running against this database (it holds"
                                + " the notifier's advisory lock); stop it first, or run only"
                                + " one");
            }
        }
        try (PreparedStatement ps =
                lockSession.prepareStatement(
                        "INSERT INTO moment_alert_targets (target, since) VALUES (?, now() -"
                                + " ?::interval) ON CONFLICT (target) DO NOTHING")) {
            for (Target t : targets) {
                ps.setString(1, t.id());
                ps.setString(2, interval(FIRST_START_GRACE));
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new SQLException(
                    "cannot record the webhooks in moment_alert_targets ("
                            + e.getMessage()
                            + "); run ./telemetra migrate (schema version 3 adds the alert"
                            + " tables) and sql/roles/console_roles.sql",
                    e);
        }
        for (Target t : targets) {
            LOG.info("alerts: posting new moments to {} as {}", t.id(), settings.format());
            perTarget.submit(() -> loop(t));
        }
    }

    @Override
    public void close() {
        stopped = true;
        perTarget.shutdownNow();
        try {
            perTarget.awaitTermination(settings.timeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (lockSession != null) {
                lockSession.close(); // releases the lock
            }
        } catch (SQLException ignored) {
            // the session is gone, and with it the lock
        }
    }

    private void loop(Target t) {
        Connection c = null;
        while (!stopped) {
            try {
                if (c == null || !c.isValid(2)) {
                    c = PostgresCheck.connect(url, user, password);
                }
                pollOnce(c, t);
                Thread.sleep(settings.poll().toMillis());
            } catch (InterruptedException e) {
                break;
            } catch (Exception e) {
                LOG.warn("alerts: {}: {}; retrying", t.id(), e.getMessage());
                c = null;
                try {
                    Thread.sleep(Math.max(1000, settings.poll().toMillis()));
                } catch (InterruptedException stop) {
                    break;
                }
            }
        }
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // closing anyway
        }
    }

    /** One round for one webhook: record new (and, if asked, changed) moments, then deliver due. */
    void pollOnce(Connection c, Target t) throws SQLException, InterruptedException {
        discover(c, t);
        if (settings.onUpdate()) {
            changed(c, t);
        }
        deliverDue(c, t);
    }

    private void discover(Connection c, Target t) throws SQLException {
        List<Object[]> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(NEW_MOMENTS_SQL)) {
            ps.setString(1, t.id());
            ps.setString(2, interval(settings.lookback()));
            ps.setString(3, t.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Object[] {moment(rs), rs.getString(8)});
                }
            }
        }
        if (found.isEmpty()) {
            return;
        }
        try (PreparedStatement ins =
                c.prepareStatement(
                        "INSERT INTO moment_alerts (moment_id, target, stream_id, moment_type,"
                                + " status, payload, version) VALUES (?, ?, ?, ?, ?, ?, ?) ON"
                                + " CONFLICT (moment_id, target) DO NOTHING")) {
            for (Object[] f : found) {
                AlertFormat.Moment m = (AlertFormat.Moment) f[0];
                boolean announce = settings.announces(m);
                ins.setLong(1, m.id());
                ins.setString(2, t.id());
                ins.setString(3, m.streamId());
                ins.setString(4, m.type());
                ins.setString(5, announce ? "pending" : "filtered");
                ins.setString(
                        6,
                        announce ? settings.format().body(m, false, settings.consoleUrl()) : null);
                ins.setString(7, (String) f[1]);
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    private void changed(Connection c, Target t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CHANGED_MOMENTS_SQL);
                PreparedStatement upd =
                        c.prepareStatement(
                                "UPDATE moment_alerts SET status = ?, payload = coalesce(?,"
                                        + " payload), version = ?, attempts = CASE WHEN ? THEN 0"
                                        + " ELSE attempts END, next_attempt_at = now(),"
                                        + " updated_at = now() WHERE moment_id = ? AND target ="
                                        + " ?")) {
            ps.setString(1, t.id());
            ps.setString(2, interval(settings.lookback()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AlertFormat.Moment m = moment(rs);
                    boolean announce = settings.announces(m);
                    upd.setString(1, announce ? "pending" : "filtered");
                    upd.setString(
                            2,
                            announce
                                    ? settings.format().body(m, true, settings.consoleUrl())
                                    : null);
                    upd.setString(3, rs.getString(8));
                    upd.setBoolean(4, announce);
                    upd.setLong(5, m.id());
                    upd.setString(6, t.id());
                    upd.executeUpdate();
                }
            }
        }
    }

    private void deliverDue(Connection c, Target t) throws SQLException, InterruptedException {
        List<Object[]> due = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT moment_id, payload, attempts, version FROM moment_alerts WHERE"
                                + " status = 'pending' AND target = ? AND next_attempt_at <= now()"
                                + " ORDER BY next_attempt_at, moment_id LIMIT 100")) {
            ps.setString(1, t.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(
                            new Object[] {
                                rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4)
                            });
                }
            }
        }
        for (Object[] d : due) {
            if (stopped) {
                return;
            }
            long id = (Long) d[0];
            int attempts = (Integer) d[2] + 1;
            String error = post(t, id, (String) d[1], (String) d[3]);
            if (error == null) {
                update(c, t, id, "delivered", attempts, null, Duration.ZERO);
            } else if (attempts >= settings.maxAttempts()) {
                LOG.warn(
                        "alerts: moment {} to {}: dead after {} attempts: {}",
                        id,
                        t.id(),
                        attempts,
                        error);
                update(c, t, id, "dead", attempts, error, Duration.ZERO);
            } else {
                update(c, t, id, "pending", attempts, error, backoff(attempts));
            }
        }
    }

    /** The wait after the {@code attempts}-th failure: backoff × 2^(attempts-1), at most 5 min. */
    Duration backoff(int attempts) {
        long ms = settings.backoff().toMillis() << Math.min(20, attempts - 1);
        return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
    }

    /** Posts the body; null when the webhook answered 2xx, else what went wrong. */
    private String post(Target t, long momentId, String body, String version)
            throws InterruptedException {
        HttpRequest req =
                HttpRequest.newBuilder(t.url())
                        .timeout(settings.timeout())
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "telemetra-alerts")
                        // the same key on every attempt of an alert (an update of the moment
                        // is a new alert): receivers that keep keys drop repeats
                        .header(
                                "Idempotency-Key",
                                "moment-" + momentId + "-" + version.substring(0, 8))
                        .header("Telemetra-Moment-Id", Long.toString(momentId))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .build();
        try {
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() / 100 == 2) {
                return null;
            }
            String answer = resp.body() == null ? "" : resp.body().strip();
            return "HTTP "
                    + resp.statusCode()
                    + (answer.isEmpty()
                            ? ""
                            : ": " + answer.substring(0, Math.min(200, answer.length())));
        } catch (IOException e) {
            // the exception text names the host at most, never the URL's path (its token)
            return e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    private static void update(
            Connection c,
            Target t,
            long id,
            String status,
            int attempts,
            String error,
            Duration wait)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "UPDATE moment_alerts SET status = ?, attempts = ?, last_error = ?,"
                                + " next_attempt_at = now() + ?::interval, updated_at = now()"
                                + " WHERE moment_id = ? AND target = ?")) {
            ps.setString(1, status);
            ps.setInt(2, attempts);
            ps.setString(3, error);
            ps.setString(4, interval(wait));
            ps.setLong(5, id);
            ps.setString(6, t.id());
            ps.executeUpdate();
        }
    }

    private static AlertFormat.Moment moment(ResultSet rs) throws SQLException {
        return new AlertFormat.Moment(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getTimestamp(4).toInstant(),
                (Double) rs.getObject(5),
                rs.getString(6),
                rs.getString(7));
    }

    private static String interval(Duration d) {
        return String.format(Locale.ROOT, "%d milliseconds", d.toMillis());
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

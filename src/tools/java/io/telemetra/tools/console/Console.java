package io.telemetra.tools.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.telemetra.config.CommandLine;
import io.telemetra.config.CommandOption;
import io.telemetra.config.Declared;
import io.telemetra.config.Option;
import io.telemetra.config.OptionType;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.config.TelemetraConfig.Secret;
import io.telemetra.sink.PostgresCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./telemetra console}: a read-only web application over Telemetra's tables. Pages are
 * static shells ({@code src/tools/resources/console}); their script fetches the JSON API ({@link
 * ConsoleApi}) and draws with uPlot, served from its Maven webjar (no CDN). Open pages follow the
 * newest committed window over Server-Sent Events ({@code /api/events}).
 *
 * <p>It connects as a read-only role (sql/roles/console_roles.sql) and, like the job, takes the
 * password from {@code POSTGRES_PASSWORD} or {@code --postgres.password-file}, never an argument.
 * No stored value is ever written into HTML: the pages set every stream id and description as text.
 */
public final class Console implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    static final CommandOption BIND =
            new CommandOption(
                    "bind",
                    "127.0.0.1",
                    OptionType.TEXT,
                    "address to listen on (0.0.0.0 exposes the console to the network)");
    static final CommandOption PORT =
            new CommandOption("port", "8090", OptionType.intIn(0, 65535), "port (0: any free one)");

    /** The console's own user name: the read-only role. */
    static final CommandOption USER =
            new CommandOption(
                    "postgres.user",
                    "telemetra_console",
                    OptionType.TEXT,
                    "PostgreSQL user: the read-only role of sql/roles/console_roles.sql");

    static final List<Declared> OPTIONS =
            List.of(Option.POSTGRES_URL, USER, Option.POSTGRES_PASSWORD_FILE, BIND, PORT);

    public static final String USAGE =
            "Usage: ./telemetra console [options]\n"
                    + "The analytics and moments in a browser, live. Read-only; the password"
                    + " comes from POSTGRES_PASSWORD or --postgres.password-file.\n"
                    + CommandLine.usage(OPTIONS);

    /** How often the live stream looks for a newer window. */
    static final long LIVE_POLL_MILLIS = 1000;

    private final String url;
    private final String user;
    private final Secret password;
    private final HttpServer server;
    // a thread per request, and per open page for its live stream: cached, not fixed, so pages
    // left open cannot starve the others
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<OutputStream> listeners = new CopyOnWriteArrayList<>();
    private final Thread live;
    private volatile boolean stopped;

    public Console(String url, String user, Secret password, String bind, int port)
            throws IOException, SQLException {
        this.url = url;
        this.user = user;
        this.password = password;
        try (Connection c = connect()) {
            // fail at start, naming the problem, rather than on the first page
            ConsoleApi.newestWindowEnd(c);
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            throw new SQLException(
                    "cannot read chat_summary_minute as "
                            + user
                            + " ("
                            + e.getMessage()
                            + "); "
                            + (state.equals("42P01")
                                    ? "the database has no Telemetra tables: run ./telemetra"
                                            + " migrate"
                                    : "grant the role its reads: run sql/roles/console_roles.sql"
                                            + " as the database owner"),
                    e);
        }
        server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        server.setExecutor(pool);
        server.createContext("/", this::page);
        server.createContext("/assets/", this::asset);
        server.createContext("/api/", this::api);
        live = new Thread(this::followNewestWindow, "console-live");
        live.setDaemon(true);
    }

    public static void main(String[] args) throws Exception {
        CommandLine v = new CommandLine(args, OPTIONS);
        Secret password = TelemetraConfig.postgresPassword(v, System.getenv());
        try (Console console =
                new Console(
                        v.get(Option.POSTGRES_URL),
                        v.get(USER),
                        password,
                        v.get(BIND),
                        v.<Integer>get(PORT))) {
            console.start();
            System.out.println("Telemetra console: " + console.address());
            Runtime.getRuntime().addShutdownHook(new Thread(console::close));
            Thread.currentThread().join();
        }
    }

    /** Runs the console in this process until {@link #close()}. */
    public void start() {
        server.start();
        live.start();
    }

    public String address() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getHostString();
        return "http://" + host + ":" + a.getPort() + "/";
    }

    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        live.interrupt();
        for (OutputStream o : listeners) {
            try {
                o.close();
            } catch (IOException ignored) {
                // the browser went away first
            }
        }
        server.stop(0);
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A read-only session (PostgresCheck's errors name what to fix). */
    Connection connect() throws SQLException {
        Connection c = PostgresCheck.connect(url, user, password);
        c.setReadOnly(true);
        return c;
    }

    private void page(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            if (path.equals("/")) {
                resource(ex, "console/overview.html");
            } else if (path.startsWith("/streams/") && path.length() > "/streams/".length()) {
                resource(ex, "console/stream.html");
            } else {
                send(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void asset(HttpExchange ex) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getRawPath().substring("/assets/".length());
            switch (name) {
                case "uplot.js" -> resource(ex, Webjar.UPLOT_JS);
                case "uplot.css" -> resource(ex, Webjar.UPLOT_CSS);
                case "console.js", "console.css" -> resource(ex, "console/" + name);
                default ->
                        send(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void api(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            if (path.equals("/api/events")) {
                events(ex);
                return;
            }
            try (Connection c = connect()) {
                byte[] body;
                if (path.equals("/api/overview")) {
                    body = ConsoleApi.overview(c, query);
                } else if (path.startsWith("/api/streams/")) {
                    String id = pathSegment(path.substring("/api/streams/".length()));
                    body = ConsoleApi.stream(c, id, query);
                } else if (path.equals("/api/alerts")) {
                    body = ConsoleApi.alerts(c);
                    if (body == null) {
                        send(ex, 404, "application/json", error("no moment_alerts table"));
                        return;
                    }
                } else {
                    send(ex, 404, "application/json", error("no such API: " + path));
                    return;
                }
                send(ex, 200, "application/json", body);
            } catch (IllegalArgumentException e) {
                send(ex, 400, "application/json", error(e.getMessage()));
            } catch (Exception e) {
                LOG.warn("console: {} failed: {}", path, e.getMessage());
                send(ex, 500, "application/json", error(e.getMessage()));
            }
        }
    }

    /** Server-Sent Events: a {@code window} event whenever a newer window is committed. */
    private void events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        // the browser reconnects after this many ms if the console restarts
        out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        listeners.add(out);
        // hold this exchange's thread until the browser leaves (a write then fails) or we stop
        try {
            while (!stopped) {
                Thread.sleep(10_000);
                synchronized (out) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the browser left
        } finally {
            listeners.remove(out);
        }
    }

    /** Polls the newest committed window and tells every open page when it moves. */
    private void followNewestWindow() {
        Long last = null;
        Connection c = null;
        while (!stopped) {
            try {
                if (c == null || !c.isValid(2)) {
                    c = connect();
                }
                Long newest = ConsoleApi.newestWindowEnd(c);
                if (newest != null && !newest.equals(last)) {
                    last = newest;
                    byte[] event =
                            ("event: window\ndata: " + ConsoleApi.liveEvent(newest) + "\n\n")
                                    .getBytes(StandardCharsets.UTF_8);
                    for (OutputStream o : listeners) {
                        try {
                            synchronized (o) {
                                o.write(event);
                                o.flush();
                            }
                        } catch (IOException gone) {
                            listeners.remove(o);
                        }
                    }
                }
                Thread.sleep(LIVE_POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.warn("console: cannot read the newest window: {}", e.getMessage());
                c = null;
                try {
                    Thread.sleep(5 * LIVE_POLL_MILLIS);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private void resource(HttpExchange ex, String name) throws IOException {
        try (InputStream in = Console.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                send(ex, 404, "text/plain", ("missing " + name + "\n").getBytes());
                return;
            }
            String type =
                    name.endsWith(".html")
                            ? "text/html; charset=utf-8"
                            : name.endsWith(".css")
                                    ? "text/css; charset=utf-8"
                                    : "text/javascript; charset=utf-8";
            send(ex, 200, type, in.readAllBytes());
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        // the pages load scripts and data from this origin only
        ex.getResponseHeaders()
                .set(
                        "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; style-src 'self'"
                                + " 'unsafe-inline'");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static byte[] error(String message) {
        StringBuilder sb = new StringBuilder("{\"error\":\"");
        for (char ch : String.valueOf(message).toCharArray()) {
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    /** A path segment as encodeURIComponent wrote it ('+' is a plus there, not a space). */
    static String pathSegment(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}

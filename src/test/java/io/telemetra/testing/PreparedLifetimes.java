package io.telemetra.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How long the exactly-once sink's transactions stay prepared (from PREPARE TRANSACTION at the
 * barrier to COMMIT PREPARED after the checkpoint completes), seen from outside: pg_prepared_xacts
 * is polled every few milliseconds on one connection, and a transaction's lifetime runs from the
 * poll that first lists it to the first poll that no longer does. The figures are as coarse as the
 * polling interval, which {@link #summary()} states.
 */
public final class PreparedLifetimes implements AutoCloseable {
    private static final long POLL_MILLIS = 5;

    private final Thread poller;
    private final Map<String, Long> firstSeen = new HashMap<>();
    private final List<Long> lifetimesMillis = new ArrayList<>();
    private volatile boolean running = true;
    private volatile Exception failure;

    private PreparedLifetimes() {
        poller = new Thread(this::poll, "pg_prepared_xacts poller");
        poller.setDaemon(true);
    }

    public static PreparedLifetimes start() {
        PreparedLifetimes p = new PreparedLifetimes();
        p.poller.start();
        return p;
    }

    private void poll() {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            while (running) {
                long now = System.nanoTime();
                Set<String> listed = new HashSet<>();
                try (ResultSet rs = st.executeQuery("SELECT gid FROM pg_prepared_xacts")) {
                    while (rs.next()) {
                        listed.add(rs.getString(1));
                    }
                }
                for (String gid : listed) {
                    firstSeen.putIfAbsent(gid, now);
                }
                firstSeen
                        .entrySet()
                        .removeIf(
                                e -> {
                                    if (listed.contains(e.getKey())) {
                                        return false;
                                    }
                                    synchronized (lifetimesMillis) {
                                        lifetimesMillis.add((now - e.getValue()) / 1_000_000);
                                    }
                                    return true;
                                });
                Thread.sleep(POLL_MILLIS);
            }
        } catch (Exception e) {
            failure = e;
        }
    }

    /** "n transactions, prepared for p50 a ms, p90 b ms, max c ms (polled every 5 ms)". */
    public String summary() throws Exception {
        if (failure != null) {
            throw failure;
        }
        List<Long> sorted;
        synchronized (lifetimesMillis) {
            sorted = new ArrayList<>(lifetimesMillis);
        }
        if (sorted.isEmpty()) {
            throw new AssertionError("no prepared transaction was seen and then committed");
        }
        sorted.sort(null);
        return sorted.size()
                + " transactions prepared for p50 "
                + percentile(sorted, 50)
                + " ms, p90 "
                + percentile(sorted, 90)
                + " ms, p99 "
                + percentile(sorted, 99)
                + " ms, max "
                + sorted.get(sorted.size() - 1)
                + " ms (pg_prepared_xacts polled every "
                + POLL_MILLIS
                + " ms)";
    }

    private static long percentile(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.join(5_000);
    }
}

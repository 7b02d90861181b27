package io.telemetra.event;

/**
 * A record that was not used, with everything needed to find and replay it: where it came from in
 * Kafka, its payload (truncated at {@link #MAX_PAYLOAD_BYTES}) and original size, and a
 * machine-readable reason.
 */
public class Rejection {
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    public String topic;
    public int partition;
    public long offset;

    /**
     * The raw bytes, possibly truncated; bytes rather than text because a bad record may not be
     * UTF-8.
     */
    public byte[] payload;

    public int payloadSize;

    /** {@link RejectReason#code()}. */
    public String reason;

    /** A human-readable detail, e.g. which field was wrong. */
    public String detail;

    /** The Kafka record timestamp (epoch ms), or -1 when the record had none. */
    public long recordTimestamp;

    public Rejection() {}

    public static Rejection of(
            String topic,
            int partition,
            long offset,
            byte[] raw,
            RejectReason reason,
            String detail,
            long recordTimestamp) {
        Rejection r = new Rejection();
        r.topic = topic;
        r.partition = partition;
        r.offset = offset;
        int size = raw == null ? 0 : raw.length;
        r.payloadSize = size;
        if (raw == null) {
            r.payload = new byte[0];
        } else if (size > MAX_PAYLOAD_BYTES) {
            r.payload = java.util.Arrays.copyOf(raw, MAX_PAYLOAD_BYTES);
        } else {
            r.payload = raw;
        }
        r.reason = reason.code();
        // PostgreSQL text cannot hold NUL, and the detail may quote the bad value
        r.detail = detail == null ? null : detail.replace('\u0000', '\ufffd');
        r.recordTimestamp = recordTimestamp;
        return r;
    }
}

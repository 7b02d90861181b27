package io.telemetra.types;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Strings on the wire as a length and their UTF-8 bytes. The JDK encodes and decodes those with
 * bulk intrinsics, where Flink's {@code StringValue.writeString} spends a branch and a call per
 * character: the message text is most of an event's bytes as it crosses the key-by.
 */
public final class Utf8 {
    private Utf8() {}

    /** Writes {@code s}, which may be null. */
    public static void write(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** Reads what {@link #write} wrote. */
    public static String read(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

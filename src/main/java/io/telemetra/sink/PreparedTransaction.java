package io.telemetra.sink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitableSerializer;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * What the committer commits for one writer and one checkpoint: the gid of a transaction prepared
 * in PostgreSQL, or (only at the end of bounded input, when the previous transaction's commit had
 * not been processed yet) the rows themselves, serialized, for the committer to write after that
 * commit.
 *
 * @param gid the prepared transaction's name; null for deferred rows
 * @param deferredRows serialized rows; null for a prepared transaction
 */
public record PreparedTransaction(String gid, byte[] deferredRows) {

    static PreparedTransaction prepared(String gid) {
        return new PreparedTransaction(gid, null);
    }

    static PreparedTransaction deferred(byte[] rows) {
        return new PreparedTransaction(null, rows);
    }

    @Override
    public String toString() {
        return gid != null ? gid : "deferred rows (" + deferredRows.length + " bytes)";
    }

    /**
     * Version 100 is this class. Any other is flink-connector-jdbc's {@link JdbcCommitable} of
     * Telemetra 0.2.0 (an XA transaction id); it is read as the gid the PostgreSQL driver gave that
     * transaction, so a 0.2.0 savepoint restores and its committables commit, or turn out to be
     * committed already.
     */
    static final class Serializer implements SimpleVersionedSerializer<PreparedTransaction> {
        static final int VERSION = 100;

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(PreparedTransaction t) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64);
            out.writeBoolean(t.gid != null);
            if (t.gid != null) {
                out.writeUTF(t.gid);
            } else {
                out.writeInt(t.deferredRows.length);
                out.write(t.deferredRows);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public PreparedTransaction deserialize(int version, byte[] bytes) throws IOException {
            if (version != VERSION) {
                JdbcCommitable legacy = new JdbcCommitableSerializer().deserialize(version, bytes);
                return prepared(pgjdbcGid(legacy.getXid()));
            }
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            if (in.readBoolean()) {
                return prepared(in.readUTF());
            }
            byte[] rows = new byte[in.readInt()];
            in.readFully(rows);
            return deferred(rows);
        }

        /** The gid under which the PostgreSQL driver prepares an XA transaction. */
        static String pgjdbcGid(javax.transaction.xa.Xid xid) {
            java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
            return xid.getFormatId()
                    + "_"
                    + new String(
                            b64.encode(xid.getGlobalTransactionId()), StandardCharsets.US_ASCII)
                    + "_"
                    + new String(b64.encode(xid.getBranchQualifier()), StandardCharsets.US_ASCII);
        }
    }
}

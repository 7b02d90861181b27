package io.telemetra.event;

import java.io.Serializable;

/**
 * Bounds on what one record may hold, so that the work and memory per record are bounded whatever a
 * producer sends. A record beyond them is rejected as {@code too_large}, never truncated.
 *
 * @param maxFutureSkewMillis events stamped further ahead of the wall clock are rejected
 * @param maxMessageChars longest chat message
 * @param maxUserIdChars longest user id
 * @param maxEmotes most entries in a message's {@code emotes} field
 */
public record EventLimits(
        long maxFutureSkewMillis, int maxMessageChars, int maxUserIdChars, int maxEmotes)
        implements Serializable {

    /**
     * Longer than any platform's chat line (Twitch 500 characters, YouTube 200, Discord 2,000 or
     * 4,000 with Nitro), yet a bound on scoring work.
     */
    public static final int DEFAULT_MAX_MESSAGE_CHARS = 4096;

    /** Platform user ids are short (a Twitch login is at most 25 characters, a YouTube id 24). */
    public static final int DEFAULT_MAX_USER_ID_CHARS = 255;

    /** A 500-character Twitch message holds at most about 170 emotes; 1,000 leaves room. */
    public static final int DEFAULT_MAX_EMOTES = 1000;

    /** Room for fields the job does not read (badges, colours, reply metadata, ...). */
    static final int UNREAD_FIELDS_BYTES = 64 * 1024;

    /** The defaults, with the given future skew: for tools and tests. */
    public static EventLimits defaults(long maxFutureSkewMillis) {
        return new EventLimits(
                maxFutureSkewMillis,
                DEFAULT_MAX_MESSAGE_CHARS,
                DEFAULT_MAX_USER_ID_CHARS,
                DEFAULT_MAX_EMOTES);
    }

    /**
     * The largest record worth parsing: every field at its limit, at 4 bytes per character (UTF-8),
     * plus room for unread fields. Larger records are rejected before they are parsed, so a 10 MB
     * record costs a length check, not a parse.
     */
    public long maxRecordBytes() {
        return 4L
                        * (maxMessageChars
                                + maxUserIdChars
                                + EventParser.MAX_STREAM_ID_LENGTH
                                + (long) maxEmotes * (EventParser.MAX_EMOTE_LENGTH + 3))
                + UNREAD_FIELDS_BYTES;
    }
}

package io.telemetra.tools.alerts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * The body posted for a moment: Telemetra's own JSON, or a Slack or Discord incoming-webhook
 * message. Stream ids and descriptions are user-controlled text: Slack's control characters are
 * escaped and Discord is told to resolve no mentions, so a stream named {@code @everyone} pings
 * nobody.
 */
public enum AlertFormat {
    JSON,
    SLACK,
    DISCORD;

    private static final JsonFactory FACTORY = new JsonFactory();

    /** A moment as the notifier read it from the committed moments table. */
    public record Moment(
            long id,
            String streamId,
            String type,
            Instant timestamp,
            Double intensity,
            String description,
            String metadataJson) {}

    /**
     * @param update whether the moment was announced before and has changed since
     * @param consoleUrl the console's address for links, or null
     */
    public String body(Moment m, boolean update, String consoleUrl) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(buf)) {
            g.writeStartObject();
            switch (this) {
                case JSON -> json(g, m, update, consoleUrl);
                case SLACK -> slack(g, m, update, consoleUrl);
                case DISCORD -> discord(g, m, update, consoleUrl);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static void json(JsonGenerator g, Moment m, boolean update, String consoleUrl)
            throws IOException {
        g.writeStringField("event", update ? "moment_updated" : "moment");
        g.writeNumberField("moment_id", m.id());
        g.writeStringField("stream_id", m.streamId());
        g.writeStringField("moment_type", m.type());
        g.writeStringField("timestamp", m.timestamp().toString());
        if (m.intensity() == null) {
            g.writeNullField("intensity");
        } else {
            g.writeNumberField("intensity", m.intensity());
        }
        g.writeStringField("description", m.description());
        if (m.metadataJson() != null) {
            g.writeFieldName("metadata");
            g.writeRawValue(m.metadataJson());
        }
        if (consoleUrl != null) {
            g.writeStringField("link", link(m, consoleUrl));
        }
    }

    private static void slack(JsonGenerator g, Moment m, boolean update, String consoleUrl)
            throws IOException {
        String text =
                (update ? "Updated moment: " : "Moment: ")
                        + label(m)
                        + " on "
                        + slackEscape(m.streamId())
                        + " at "
                        + m.timestamp()
                        + (m.description() == null ? "" : "\n" + slackEscape(m.description()))
                        + (consoleUrl == null ? "" : "\n<" + link(m, consoleUrl) + "|Open>");
        g.writeStringField("text", text);
        g.writeArrayFieldStart("blocks");
        g.writeStartObject();
        g.writeStringField("type", "section");
        g.writeObjectFieldStart("text");
        g.writeStringField("type", "mrkdwn");
        g.writeStringField("text", text);
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndArray();
    }

    private static void discord(JsonGenerator g, Moment m, boolean update, String consoleUrl)
            throws IOException {
        g.writeObjectFieldStart("allowed_mentions");
        g.writeArrayFieldStart("parse");
        g.writeEndArray();
        g.writeEndObject();
        g.writeArrayFieldStart("embeds");
        g.writeStartObject();
        g.writeStringField(
                "title", truncate((update ? "Updated: " : "") + label(m) + " on " + m.streamId()));
        if (m.description() != null) {
            g.writeStringField("description", truncate(m.description()));
        }
        g.writeStringField("timestamp", m.timestamp().toString());
        if (consoleUrl != null) {
            g.writeStringField("url", link(m, consoleUrl));
        }
        g.writeArrayFieldStart("fields");
        field(g, "Type", m.type());
        field(
                g,
                "Intensity",
                m.intensity() == null ? "-" : String.format(Locale.ROOT, "%.2f", m.intensity()));
        field(g, "Moment id", Long.toString(m.id()));
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndArray();
    }

    private static void field(JsonGenerator g, String name, String value) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("value", value);
        g.writeBooleanField("inline", true);
        g.writeEndObject();
    }

    private static String label(Moment m) {
        String t = m.type().replace('_', ' ');
        String intensity =
                m.intensity() == null
                        ? ""
                        : String.format(Locale.ROOT, " (intensity %.2f)", m.intensity());
        return t + intensity;
    }

    /** Slack reads &, < and > as markup: they must be sent as entities. */
    static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Discord's embed titles hold 256 characters, descriptions 4,096. */
    private static String truncate(String s) {
        return s.length() <= 250 ? s : s.substring(0, 249) + "…";
    }

    static String link(Moment m, String consoleUrl) {
        String base = consoleUrl.endsWith("/") ? consoleUrl : consoleUrl + "/";
        return base
                + "streams/"
                + URLEncoder.encode(m.streamId(), StandardCharsets.UTF_8).replace("+", "%20")
                + "?at="
                + m.timestamp().toEpochMilli();
    }
}

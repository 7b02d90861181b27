package io.telemetra.tools.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The three bodies, with a stream id and description written to abuse each receiver. */
class AlertFormatTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final AlertFormat.Moment M =
            new AlertFormat.Moment(
                    42,
                    "@everyone <!channel> & co",
                    "chat_spike",
                    Instant.parse("2026-03-01T12:00:00Z"),
                    4.5,
                    "<https://evil|click> \"quoted\"",
                    "{\"peak\":4.5}");

    @Test
    void jsonCarriesTheMomentAndALinkToItsPage() throws Exception {
        JsonNode b = JSON.readTree(AlertFormat.JSON.body(M, false, "http://c.example/"));
        assertEquals("moment", b.get("event").asText());
        assertEquals(42, b.get("moment_id").asLong());
        assertEquals(M.streamId(), b.get("stream_id").asText());
        assertEquals(M.description(), b.get("description").asText());
        assertEquals(4.5, b.get("metadata").get("peak").asDouble());
        assertEquals(
                "http://c.example/streams/%40everyone%20%3C%21channel%3E%20%26%20co?at="
                        + M.timestamp().toEpochMilli(),
                b.get("link").asText());
        assertEquals(
                "moment_updated",
                JSON.readTree(AlertFormat.JSON.body(M, true, null)).get("event").asText());
    }

    @Test
    void slackTextHasItsControlCharactersEscaped() throws Exception {
        JsonNode b = JSON.readTree(AlertFormat.SLACK.body(M, false, null));
        String text = b.get("text").asText();
        assertTrue(text.contains("@everyone &lt;!channel&gt; &amp; co"), text);
        assertTrue(text.contains("&lt;https://evil|click&gt;"), text);
        assertFalse(text.contains("<!channel>"), text);
        assertEquals(text, b.get("blocks").get(0).get("text").get("text").asText());
    }

    @Test
    void discordResolvesNoMentions() throws Exception {
        JsonNode b = JSON.readTree(AlertFormat.DISCORD.body(M, false, "http://c.example"));
        assertEquals(0, b.get("allowed_mentions").get("parse").size());
        JsonNode embed = b.get("embeds").get(0);
        assertTrue(embed.get("title").asText().contains("@everyone"));
        assertEquals("2026-03-01T12:00:00Z", embed.get("timestamp").asText());
        assertTrue(embed.get("url").asText().startsWith("http://c.example/streams/"));
    }
}

-- The predecessor's sample queries; they run unchanged on Telemetra's schema (a test runs each one).

-- Top Streams by Chat Activity
SELECT
    stream_id,
    COUNT(*) as windows,
    AVG(chat_rate) as avg_chat_rate,
    MAX(chat_count) as peak_messages,
    SUM(unique_chatters) as total_unique_users
FROM chat_summary_minute
WHERE window_start > NOW() - INTERVAL '1 hour'
GROUP BY stream_id
ORDER BY avg_chat_rate DESC
LIMIT 10;

-- Sentiment Analysis
SELECT
    stream_id,
    DATE_TRUNC('hour', window_start) as hour,
    AVG(avg_sentiment) as sentiment,
    SUM(positive_count) as positive_msgs,
    SUM(negative_count) as negative_msgs,
    ROUND(
        100.0 * SUM(positive_count) / NULLIF(SUM(positive_count + negative_count), 0),
        2
    ) as positive_pct
FROM chat_summary_minute
WHERE window_start > NOW() - INTERVAL '24 hours'
GROUP BY stream_id, hour
ORDER BY hour DESC, stream_id;

-- Anomaly Summary
SELECT
    stream_id,
    COUNT(*) as anomaly_count,
    AVG(intensity) as avg_intensity,
    MAX(intensity) as max_intensity,
    ARRAY_AGG(DISTINCT moment_type) as types
FROM moments
WHERE timestamp > NOW() - INTERVAL '24 hours'
GROUP BY stream_id
ORDER BY anomaly_count DESC;

-- Top Emotes
SELECT
    stream_id,
    UNNEST(top_emotes) as emote,
    COUNT(*) as appearances
FROM chat_summary_minute
WHERE window_start > NOW() - INTERVAL '1 hour'
GROUP BY stream_id, emote
ORDER BY stream_id, appearances DESC
LIMIT 20;

-- Verification: latest windows
SELECT
    stream_id,
    window_start,
    chat_count,
    unique_chatters,
    ROUND(chat_rate::numeric, 2) as chat_rate,
    ROUND(avg_sentiment::numeric, 2) as sentiment,
    top_emotes
FROM chat_summary_minute
ORDER BY window_start DESC
LIMIT 5;

-- Verification: latest moments
SELECT
    stream_id,
    timestamp,
    moment_type,
    description,
    ROUND(intensity::numeric, 2) as intensity
FROM moments
ORDER BY detected_at DESC
LIMIT 5;

-- Processing volume
SELECT
    DATE_TRUNC('hour', processed_at) as hour,
    COUNT(*) as windows_processed,
    SUM(chat_count) as total_messages
FROM chat_summary_minute
WHERE processed_at > NOW() - INTERVAL '24 hours'
GROUP BY hour
ORDER BY hour DESC;

-- Anomaly rate
SELECT
    DATE_TRUNC('hour', detected_at) as hour,
    COUNT(*) as anomalies_detected,
    AVG(intensity) as avg_intensity
FROM moments
WHERE detected_at > NOW() - INTERVAL '24 hours'
GROUP BY hour
ORDER BY hour DESC;

package io.telemetra.sentiment;

import io.telemetra.event.Event;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Pipeline step that scores each chat event once, before windowing, and fills its emotes from the
 * lexicon when the record did not list them. Viewer events pass through untouched.
 */
public class ScoreSentiment implements MapFunction<Event, Event> {
    private static final long serialVersionUID = 1L;

    private final SentimentScorer scorer;

    public ScoreSentiment(SentimentScorer scorer) {
        this.scorer = scorer;
    }

    @Override
    public Event map(Event e) {
        if (e.isChat()) {
            SentimentScorer.Analysis a = scorer.analyze(e.message, e.emotes == null);
            e.sentiment = a.score();
            if (e.emotes == null) {
                e.emotes = a.emotes();
            }
        }
        return e;
    }
}

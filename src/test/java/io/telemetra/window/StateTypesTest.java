package io.telemetra.window;

import io.telemetra.anomaly.DetectorState;
import io.telemetra.anomaly.Moment;
import io.telemetra.event.Event;
import io.telemetra.event.ParsedRecord;
import io.telemetra.event.Rejection;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/**
 * Every record and state type is a Flink POJO: serialized without Kryo, and evolvable by adding
 * fields. The exceptions have hand-written serializers: {@link Event} (the key-by's records,
 * EventTypeInfoTest) and {@link WindowAccumulator} (WindowAccumulatorTest).
 */
class StateTypesTest {
    @Test
    void recordAndStateTypesAreSerializedAsPojosWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ParsedRecord.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Rejection.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(WindowSummary.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Moment.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(DetectorState.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(io.telemetra.anomaly.Baseline.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(io.telemetra.anomaly.OpenMoment.class);
    }
}

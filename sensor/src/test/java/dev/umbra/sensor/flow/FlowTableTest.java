package dev.umbra.sensor.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    private static final long SECOND = 1_000_000_000L;
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final List<FlowTable.Flow> ended = new ArrayList<>();

    private static FlowKey key(int clientPort) {
        return new FlowKey(FlowKey.V4_MARK, 0x0a000005L, FlowKey.V4_MARK, 0xc6336407L, clientPort, 443, 6);
    }

    @Test
    void onPacket_bothDirectionsThenFins_endsOnceWithBytesPerDirection() {
        FlowTable t = new FlowTable(anomalies, 16, 60 * SECOND, ended::add);
        FlowKey c = key(40000);
        t.onPacket(c, 0, 0, true, false, false);
        t.onPacket(c.reverse(), 1, 0, false, false, false);
        t.onPacket(c, 2, 1500, false, false, false);
        t.onPacket(c, 3, 700, false, false, false);
        t.onPacket(c.reverse(), 4, 300, false, true, false);
        assertThat(ended).isEmpty();
        assertThat(t.onPacket(c, 5, 0, false, true, false)).isNull();
        assertThat(t.onPacket(c.reverse(), 6, 0, false, false, false)).isNull(); // the last ACK starts nothing
        assertThat(ended).singleElement().satisfies(f -> {
            assertThat(f.client).isEqualTo(c);
            assertThat(f.bytesOut).isEqualTo(2200);
            assertThat(f.bytesIn).isEqualTo(300);
            assertThat(f.packetsOut).isEqualTo(4);
            assertThat(f.packetsIn).isEqualTo(2);
        });
        assertThat(t.size()).isZero();
    }

    @Test
    void onPacket_synSeenAfterServerPacket_makesSynSenderTheClient() {
        FlowTable t = new FlowTable(anomalies, 16, 60 * SECOND, ended::add);
        FlowKey c = key(40001);
        t.onPacket(c.reverse(), 0, 10, false, false, false);
        FlowTable.Flow f = t.onPacket(c, 1, 0, true, false, false);
        assertThat(f.client).isEqualTo(c);
        assertThat(f.bytesIn).isEqualTo(10);
    }

    @Test
    void onPacket_idleFlow_endsAtTimeout() {
        FlowTable t = new FlowTable(anomalies, 16, 10 * SECOND, ended::add);
        t.onPacket(key(1), 0, 100, false, false, false);
        t.onPacket(key(2), 11 * SECOND, 100, false, false, false);
        assertThat(ended).extracting(f -> f.client.srcPort()).containsExactly(1);
        assertThat(anomalies.get(Anomaly.FLOW_EVICTED)).isZero();
    }

    @Test
    void onPacket_tableFull_evictsLeastRecentlyUsedAndCounts() {
        FlowTable t = new FlowTable(anomalies, 2, 60 * SECOND, ended::add);
        t.onPacket(key(1), 0, 1, false, false, false);
        t.onPacket(key(2), 1, 1, false, false, false);
        t.onPacket(key(1), 2, 1, false, false, false);
        t.onPacket(key(3), 3, 1, false, false, false);
        assertThat(ended).extracting(f -> f.client.srcPort()).containsExactly(2);
        assertThat(anomalies.get(Anomaly.FLOW_EVICTED)).isEqualTo(1);
        t.flush();
        assertThat(ended).hasSize(3);
    }

    @Test
    void constructor_badLimits_throwNamingTheValue() {
        assertThatThrownBy(() -> new FlowTable(anomalies, 0, 1, f -> { })).hasMessageContaining("maxFlows")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> new FlowTable(anomalies, 1, -5, f -> { })).hasMessageContaining("-5");
    }
}

package dev.umbra.sensor.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpStreamsTest {
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final List<String> dropped = new ArrayList<>();
    private final TcpStreams streams = new TcpStreams(anomalies, 2, 1_000_000_000L,
            (s, evicted) -> dropped.add(s.key.srcPort() + (evicted ? " evicted" : " expired")));

    private static FlowKey key(int port) {
        return new FlowKey(FlowKey.V4_MARK, 0x0a000001L, FlowKey.V4_MARK, 0xc0000201L, port, 443, 6);
    }

    @Test
    void ended_emptyStream_isForgottenAndNeverCountedAsEvicted() {
        streams.open(key(1), 0, TcpStreams.Kind.UNKNOWN, 0);
        streams.ended(key(1));
        assertThat(streams.get(key(1), 1)).isNull();
        streams.open(key(2), 0, TcpStreams.Kind.UNKNOWN, 2);
        streams.open(key(3), 0, TcpStreams.Kind.UNKNOWN, 3);
        assertThat(anomalies.get(Anomaly.TCP_STREAM_EVICTED)).isZero(); // the cap of 2 was never passed
        assertThat(dropped).isEmpty();
    }

    @Test
    void ended_streamHoldingBytes_staysForALateSegment() {
        TcpStreams.Stream s = streams.open(key(1), 0, TcpStreams.Kind.UNKNOWN, 0);
        streams.put(s, 10, new byte[] {1, 2, 3}, 0, 3, 4096); // bytes after a gap: the first segment is late
        streams.ended(key(1));
        assertThat(streams.get(key(1), 1)).isSameAs(s);
        streams.ended(key(9)); // a direction never followed: nothing happens
        assertThat(streams.size()).isEqualTo(1);
    }

    @Test
    void open_beyondCap_evictsLeastRecentlyUsedOnce() {
        streams.open(key(1), 0, TcpStreams.Kind.UNKNOWN, 0);
        streams.open(key(2), 0, TcpStreams.Kind.UNKNOWN, 1);
        streams.get(key(1), 2); // 2 is now the least recently used
        streams.open(key(3), 0, TcpStreams.Kind.UNKNOWN, 3);
        assertThat(dropped).containsExactly("2 evicted");
        assertThat(anomalies.get(Anomaly.TCP_STREAM_EVICTED)).isEqualTo(1);
        assertThat(streams.get(key(1), 4)).isNotNull();
        assertThat(streams.get(key(3), 4)).isNotNull();
        assertThat(streams.size()).isEqualTo(2);
    }

    @Test
    void open_existingDirectionAtCap_replacesWithoutEvicting() {
        streams.open(key(1), 0, TcpStreams.Kind.UNKNOWN, 0);
        streams.open(key(2), 0, TcpStreams.Kind.UNKNOWN, 1);
        TcpStreams.Stream again = streams.open(key(1), 100, TcpStreams.Kind.TLS, 2);
        assertThat(dropped).isEmpty();
        assertThat(streams.size()).isEqualTo(2);
        assertThat(streams.get(key(1), 3)).isSameAs(again);
    }

    @Test
    void done_thenNewStream_reusesTheBufferEmpty() {
        TcpStreams.Stream a = streams.open(key(1), 0, TcpStreams.Kind.UNKNOWN, 0);
        streams.put(a, 0, new byte[] {1, 2, 3, 4, 5}, 0, 5, 4096);
        ReassemblyBuffer first = a.buf;
        streams.done(a);
        assertThat(a.buf).isNull();
        TcpStreams.Stream b = streams.open(key(2), 0, TcpStreams.Kind.UNKNOWN, 1);
        streams.put(b, 3, new byte[] {9}, 0, 1, 100);
        assertThat(b.buf).isSameAs(first);
        assertThat(b.buf.cap()).isEqualTo(100);
        assertThat(b.buf.contiguous()).isZero();
        assertThat(b.buf.highest()).isEqualTo(4);
    }
}

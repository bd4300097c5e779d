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
        assertThat(t.onPacket(c, 5, 0, false, true, false)).isEqualTo(FlowTable.NONE);
        // the last ACK starts nothing
        assertThat(t.onPacket(c.reverse(), 6, 0, false, false, false)).isEqualTo(FlowTable.NONE);
        assertThat(ended).singleElement().satisfies(f -> {
            assertThat(f.client()).isEqualTo(c);
            assertThat(f.bytesOut()).isEqualTo(2200);
            assertThat(f.bytesIn()).isEqualTo(300);
            assertThat(f.packetsOut()).isEqualTo(4);
            assertThat(f.packetsIn()).isEqualTo(2);
        });
        assertThat(t.size()).isZero();
    }

    @Test
    void path_setOnALiveFlow_endsWithItAndIsNotInheritedByTheNextFlowOnItsRow() {
        List<String> asked = new ArrayList<>();
        FlowTable t = new FlowTable(anomalies, 1, 60 * SECOND, (name, path, port, hi, lo) -> {
            asked.add(name + " " + path + " " + port);
            return true;
        }, ended::add);
        int id = t.onPacket(key(1), 0, 100, false, false, false);
        t.name(id, "10.0.0.5");
        t.path(id, "/api/chat");
        assertThat(t.flow(id).path()).isEqualTo("/api/chat");
        int next = t.onPacket(key(2), 1, 100, false, false, false); // the table is full: evicts the first
        assertThat(next).isEqualTo(id); // its row, reused
        assertThat(t.path(next)).isNull();
        t.flush();
        assertThat(ended).extracting(FlowTable.Flow::path).containsExactly("/api/chat", null);
        assertThat(asked).containsExactly("10.0.0.5 /api/chat 443", "null null 443");
    }

    @Test
    void firstPayload_onlyTheFlowsFirstBytesInEitherDirection() {
        FlowTable t = new FlowTable(anomalies, 16, 60 * SECOND, ended::add);
        FlowKey c = key(40002);
        int id = t.onPacket(c, 0, 0, true, false, false);
        assertThat(t.firstPayload(id, 0)).as("a SYN carries none").isFalse();
        id = t.onPacket(c, 1, 3, false, false, false);
        assertThat(t.firstPayload(id, 3)).isTrue();
        id = t.onPacket(c.reverse(), 2, 2, false, false, false);
        assertThat(t.firstPayload(id, 2)).as("the server's answer comes after the client's bytes").isFalse();
        id = t.onPacket(c, 3, 20, false, false, false);
        assertThat(t.firstPayload(id, 20)).isFalse();
        int other = t.onPacket(key(40003).reverse(), 4, 7, false, false, false);
        assertThat(t.firstPayload(other, 7)).as("a flow first seen from its server").isTrue();
    }

    @Test
    void onPacket_synSeenAfterServerPacket_makesSynSenderTheClient() {
        FlowTable t = new FlowTable(anomalies, 16, 60 * SECOND, ended::add);
        FlowKey c = key(40001);
        t.onPacket(c.reverse(), 0, 10, false, false, false);
        FlowTable.Flow f = t.flow(t.onPacket(c, 1, 0, true, false, false));
        assertThat(f.client()).isEqualTo(c);
        assertThat(f.bytesIn()).isEqualTo(10);
    }

    @Test
    void onPacket_idleFlow_endsAtTimeout() {
        FlowTable t = new FlowTable(anomalies, 16, 10 * SECOND, ended::add);
        t.onPacket(key(1), 0, 100, false, false, false);
        t.onPacket(key(2), 11 * SECOND, 100, false, false, false);
        assertThat(ended).extracting(f -> f.client().srcPort()).containsExactly(1);
        assertThat(anomalies.get(Anomaly.FLOW_EVICTED)).isZero();
    }

    @Test
    void onPacket_tableFull_evictsLeastRecentlyUsedAndCounts() {
        FlowTable t = new FlowTable(anomalies, 2, 60 * SECOND, ended::add);
        t.onPacket(key(1), 0, 1, false, false, false);
        t.onPacket(key(2), 1, 1, false, false, false);
        t.onPacket(key(1), 2, 1, false, false, false);
        t.onPacket(key(3), 3, 1, false, false, false);
        assertThat(ended).extracting(f -> f.client().srcPort()).containsExactly(2);
        assertThat(anomalies.get(Anomaly.FLOW_EVICTED)).isEqualTo(1);
        t.flush();
        assertThat(ended).hasSize(3);
    }

    @Test
    void endFilter_unwantedFlowsEndWithoutARecord_inEveryWayAFlowEnds() {
        List<String> asked = new ArrayList<>();
        // wanted: named flows, and flows to the server with low word 0xc6336407 (198.51.100.7)
        FlowTable t = new FlowTable(anomalies, 2, 10 * SECOND, (name, path, port, hi, lo) -> {
            asked.add(name + "/" + Long.toHexString(lo));
            return name != null || (hi == FlowKey.V4_MARK && lo == 0xc6336407L);
        }, ended::add);
        FlowKey other = new FlowKey(FlowKey.V4_MARK, 0x0a000005L, FlowKey.V4_MARK, 0xc6336408L, 5000, 443, 6);
        FlowKey named = new FlowKey(FlowKey.V4_MARK, 0x0a000005L, FlowKey.V4_MARK, 0xc6336409L, 5001, 443, 6);
        t.onPacket(other, 0, 1, false, false, false);
        t.name(t.onPacket(named, 0, 1, false, false, false), "chatgpt.com");
        t.onPacket(key(1), 1, 1, false, false, false); // evicts `other`: not wanted
        t.onPacket(key(2), 2, 1, false, false, false); // evicts `named`: wanted
        assertThat(anomalies.get(Anomaly.FLOW_EVICTED)).isEqualTo(2);
        assertThat(ended).extracting(FlowTable.Flow::name).containsExactly("chatgpt.com");
        t.onPacket(key(1), 3, 0, false, false, true); // RST: wanted by its server
        FlowKey k3 = new FlowKey(FlowKey.V4_MARK, 0x0a000005L, FlowKey.V4_MARK, 0xc6336410L, 5003, 443, 6);
        t.onPacket(k3, 3, 1, false, false, false);
        t.onPacket(k3, 30 * SECOND, 0, false, false, true); // idles key(2) out first: wanted; then RST k3: not
        t.onPacket(key(4), 31 * SECOND, 1, false, false, false);
        t.flush();
        assertThat(ended).extracting(f -> f.client().srcPort()).containsExactly(5001, 1, 2, 4);
        assertThat(asked).contains("null/c6336408", "chatgpt.com/c6336409", "null/c6336410");
    }

    @Test
    void constructor_badLimits_throwNamingTheValue() {
        assertThatThrownBy(() -> new FlowTable(anomalies, 0, 1, f -> { })).hasMessageContaining("maxFlows")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> new FlowTable(anomalies, 1, -5, f -> { })).hasMessageContaining("-5");
    }

    /**
     * The table's behaviour as first written, on a LinkedHashMap keyed by the canonical key: the
     * reference for the differential test below.
     */
    private static final class ReferenceTable {
        final java.util.Map<FlowKey, long[]> flows = new java.util.LinkedHashMap<>(16, 0.75f, true);
        final java.util.Map<FlowKey, FlowKey> clients = new java.util.HashMap<>();
        final List<String> ended = new ArrayList<>();
        final int max;
        final long idle;

        ReferenceTable(int max, long idle) {
            this.max = max;
            this.idle = idle;
        }

        // state: packetsOut, bytesOut, packetsIn, bytesIn, finOut, finIn, first, last
        boolean onPacket(FlowKey key, long now, int bytes, boolean syn, boolean fin, boolean rst) {
            var it = flows.entrySet().iterator();
            for (int i = 0; i < 4 && it.hasNext(); i++) {
                var e = it.next();
                if (now - e.getValue()[7] <= idle) {
                    break;
                }
                it.remove();
                end(e.getKey(), e.getValue());
            }
            FlowKey c = key.canonical();
            long[] f = flows.get(c);
            if (f == null) {
                if (!syn && bytes == 0 && key.protocol() == 6) {
                    return false;
                }
                if (flows.size() >= max) {
                    var eldest = flows.entrySet().iterator().next();
                    flows.remove(eldest.getKey());
                    end(eldest.getKey(), eldest.getValue());
                }
                f = new long[] {0, 0, 0, 0, 0, 0, now, now};
                flows.put(c, f);
                clients.put(c, key);
            }
            boolean out = key.equals(clients.get(c));
            if (syn && !out && f[0] + f[2] <= 1) {
                f = new long[] {0, 0, f[0], f[1], 0, 0, f[6], f[6]};
                flows.put(c, f);
                clients.put(c, key);
                out = true;
            }
            f[7] = now;
            int d = out ? 0 : 2;
            f[d]++;
            f[d + 1] += bytes;
            if (fin) {
                f[out ? 4 : 5] = 1;
            }
            if (rst || (f[4] == 1 && f[5] == 1)) {
                flows.remove(c);
                end(c, f);
                return false;
            }
            return true;
        }

        void end(FlowKey c, long[] f) {
            ended.add(clients.get(c) + " " + f[0] + "/" + f[1] + " " + f[2] + "/" + f[3] + " " + f[6] + "-" + f[7]);
        }
    }

    private static String describe(FlowTable.Flow f) {
        return f.client() + " " + f.packetsOut() + "/" + f.bytesOut() + " " + f.packetsIn() + "/" + f.bytesIn() + " "
                + f.firstNanos() + "-" + f.lastNanos();
    }

    /** Random packets of a few hundred flows, small caps: the same flows end in the same order as the reference. */
    @Test
    void onPacket_randomTraffic_endsFlowsLikeTheReferenceTable() {
        java.util.Random rnd = new java.util.Random(20261121);
        for (int round = 0; round < 20; round++) {
            int max = 1 + rnd.nextInt(round % 2 == 0 ? 8 : 300);
            long idle = (1 + rnd.nextInt(50)) * SECOND;
            List<String> got = new ArrayList<>();
            FlowTable t = new FlowTable(anomalies, max, idle, f -> got.add(describe(f)));
            ReferenceTable ref = new ReferenceTable(max, idle);
            long now = 0;
            for (int i = 0; i < 20_000; i++) {
                now += rnd.nextInt(10) == 0 ? -rnd.nextInt(3) * SECOND : rnd.nextInt(2) * SECOND / 4;
                int flow = rnd.nextInt(rnd.nextBoolean() ? 20 : 400);
                boolean v6 = flow % 3 == 0;
                FlowKey k = new FlowKey(v6 ? 0x20010db8L << 32 : FlowKey.V4_MARK, 0x0a000000L + flow % 7,
                        v6 ? 0x20010db8L << 32 : FlowKey.V4_MARK, 0xc0000200L + flow % 5, 1000 + flow, 443,
                        flow % 4 == 0 ? 17 : 6);
                if (rnd.nextBoolean()) {
                    k = k.reverse();
                }
                int bytes = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(1500);
                boolean syn = rnd.nextInt(8) == 0;
                boolean fin = rnd.nextInt(12) == 0;
                boolean rst = rnd.nextInt(60) == 0;
                boolean alive = t.onPacket(k, now, bytes, syn, fin, rst) != FlowTable.NONE;
                assertThat(alive).as("packet %d of round %d", i, round).isEqualTo(ref.onPacket(k, now, bytes, syn, fin, rst));
                assertThat(t.size()).isEqualTo(ref.flows.size());
                if (i == 12_345) {
                    // a flush midway: every flow ends, and the table starts over with its rows reused
                    t.flush();
                    ref.flows.forEach(ref::end);
                    ref.flows.clear();
                    ref.clients.clear();
                }
            }
            t.flush();
            ref.flows.forEach(ref::end);
            assertThat(got).as("round %d", round).isEqualTo(ref.ended);
        }
    }
}

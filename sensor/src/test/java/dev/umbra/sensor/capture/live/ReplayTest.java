package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.gen.MixedCapture;
import dev.umbra.sensor.gen.MixedCapture.Kind;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated mixed capture replayed with {@code tcpreplay --topspeed} onto a veth and captured
 * live with the default 128 MiB buffer and default filter: reports libpcap drops and packets/s,
 * and checks that VLAN, QinQ and IPv6 frames all come through the filter. (The benchmark does the
 * same with 1 M frames and compares with a 2 MiB buffer: bin/bench-capture.)
 */
class ReplayTest {
    @TempDir
    Path dir;

    @Test
    void replay_topSpeedOntoVeth_noDropsAndEveryDnsNameArrives() throws Exception {
        Path file = dir.resolve("mixed.pcap");
        Map<Kind, TreeSet<String>> expected = MixedCapture.write(file, 20_000, 7);

        Replay.Result r = Replay.run(file, 128 << 20);
        System.out.println("ReplayTest: " + r);

        assertThat(r.sent()).isEqualTo(20_000);
        assertThat(r.capture().dropped()).as("libpcap drops with a 128 MiB buffer: %s", r).isZero();
        assertThat(r.capture().droppedByInterface()).isZero();
        Set<String> queries = r.names().get(ObservationKind.DNS_QUERY);
        assertThat(queries).isEqualTo(expected.get(Kind.DNS_QUERY));
        assertThat(r.names().get(ObservationKind.TLS_SNI)).containsAll(expected.get(Kind.TLS_SNI))
                .containsAll(expected.get(Kind.TLS_SNI_ECH_OUTER));
    }
}

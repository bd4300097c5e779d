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

    /**
     * The same through trafgen, which sends from a TX ring several times faster than tcpreplay: the
     * frames are those of the capture (TrafgenConfig), all arrive, and none is dropped with the 128 MiB
     * buffer (which holds all 40 000 at once, whatever the rate). bin/bench-capture sends the 1 M-frame
     * capture this way at the rate the sensor issue names.
     */
    @Test
    void replay_trafgenOntoVeth_noDropsAndEveryDnsNameArrives() throws Exception {
        Path file = dir.resolve("mixed.pcap");
        Map<Kind, TreeSet<String>> expected = MixedCapture.write(file, 20_000, 7);
        Path config = dir.resolve("mixed.trafgen");
        assertThat(TrafgenConfig.write(file, config).frames()).isEqualTo(20_000);

        // the configuration twice over: trafgen starts from its first frame again
        Replay.Result r = Replay.runTrafgen(config, 40_000, 128 << 20);
        System.out.println("ReplayTest: " + r);

        assertThat(r.sent()).isEqualTo(40_000);
        assertThat(r.capture().dropped()).as("libpcap drops with a 128 MiB buffer: %s", r).isZero();
        assertThat(r.capture().droppedByInterface()).isZero();
        assertThat(r.names().get(ObservationKind.DNS_QUERY)).isEqualTo(expected.get(Kind.DNS_QUERY));
        assertThat(r.names().get(ObservationKind.TLS_SNI)).containsAll(expected.get(Kind.TLS_SNI))
                .containsAll(expected.get(Kind.TLS_SNI_ECH_OUTER));
    }
}

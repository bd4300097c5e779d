package dev.umbra.sensor.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.tls.ClientHello;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins what the QUIC decoder finds in corpus captures whose hellos span several Initial packets.
 * tshark lists no QUIC SNI for them because these hellos (aioquic/quiche against a loopback
 * server addressed by IP) carry no server_name at all; the decoder must still reassemble the whole
 * hello. The ALPN lists below are tshark's ({@code -e tls.handshake.extensions_alpn_str}).
 */
class QuicCorpusTest {
    private static Path capture(String name) {
        Path root = Path.of(System.getProperty("umbra.repo.root", ".."));
        Path file = root.resolve("../shared/corpus/pcaps/ndpi/tests__cfgs__default__pcap__" + name).normalize();
        assertThat(file).as("corpus capture (see CorpusTest)").exists();
        return file;
    }

    /** Hellos of an Ethernet/IPv6 capture, read with a minimal test-only frame walker. */
    private static List<ClientHello> hellos(Path file) throws Exception {
        List<ClientHello> out = new ArrayList<>();
        AnomalyCounters anomalies = new AnomalyCounters();
        QuicInitialDecoder quic = new QuicInitialDecoder(anomalies, (c, t, h, raw, n) -> out.add(h));
        CaptureFileReader.read(file, (link, time, b, off, len, orig) -> {
            if (len < 14 + 40 + 8 || b[off + 12] != (byte) 0x86 || b[off + 13] != (byte) 0xdd || b[off + 20] != 17) {
                return;
            }
            int ip = off + 14;
            int udp = ip + 40;
            int sport = ((b[udp] & 0xff) << 8) | (b[udp + 1] & 0xff);
            int dport = ((b[udp + 2] & 0xff) << 8) | (b[udp + 3] & 0xff);
            FlowKey key = FlowKey.of(true, b, ip + 8, ip + 24, sport, dport, 17);
            quic.onDatagram(key, time, b, udp + 8, len - (udp + 8 - off));
        }, anomalies);
        quic.flush();
        return out;
    }

    @Test
    void onDatagram_helloInTwoInitials_reassemblesWholeHelloWithoutSni() throws Exception {
        List<ClientHello> hellos = hellos(capture("quic_frags_ch_in_multiple_packets.pcapng"));
        assertThat(hellos).singleElement().satisfies(h -> {
            assertThat(h.complete()).isTrue();
            assertThat(h.serverName()).isNull();
            assertThat(h.alpn()).containsExactly("h3-34", "hq-34", "h3-33", "hq-33", "h3-32", "hq-32", "h3-31",
                    "hq-31", "h3-29", "hq-29", "h3-30", "hq-30", "h3-28", "hq-28", "h3-27", "hq-27", "h3",
                    "hq-interop");
        });
    }

    @Test
    void onDatagram_quic33_readsHelloWithoutSni() throws Exception {
        List<ClientHello> hellos = hellos(capture("quic-33.pcapng"));
        assertThat(hellos).singleElement().satisfies(h -> {
            assertThat(h.complete()).isTrue();
            assertThat(h.serverName()).isNull();
            assertThat(h.alpn()).containsExactly("h3-33", "hq-33", "h3-32", "hq-32", "h3-31", "hq-31", "h3-29",
                    "hq-29");
        });
    }
}

package dev.umbra.sensor.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JA4 fingerprints of corpus captures compared with the ones FoxIO's own implementation gives for
 * the same files: the expected values are copied from FoxIO-LLC/ja4
 * {@code rust/ja4/src/snapshots/ja4__insta@<capture>.snap} (commits 10ee511b, fe727a5a, 44569a1f),
 * keyed by transport and client port. The corpus does not ship JA4 values itself.
 */
class Ja4CorpusTest {
    private static Map<String, String> fingerprints(String capture) throws Exception {
        Path root = Path.of(System.getProperty("umbra.repo.root", ".."));
        Path file = root.resolve("../shared/corpus/pcaps/ja4/pcap__" + capture).normalize();
        assertThat(file).as("corpus capture (see CorpusTest)").exists();
        Map<String, String> out = new HashMap<>();
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder(capture, (Observation o) -> {
            if (o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.QUIC_SNI) {
                out.put((o.kind() == ObservationKind.TLS_SNI ? "tcp:" : "udp:") + o.clientPort() + " " + o.hostname(),
                        o.ja4());
            }
        }, anomalies);
        CaptureFileReader.read(file, decoder, anomalies);
        decoder.finish();
        return out;
    }

    @Test
    void ja4_chromeTcpAndQuic_matchFoxIo() throws Exception {
        assertThat(fingerprints("chrome-cloudflare-quic-with-secrets.pcapng")).containsAllEntriesOf(Map.of(
                "tcp:57098 cloudflare-quic.com", "t13d1516h2_8daaf6152771_e5627efa2ab1",
                "udp:50280 cloudflare-quic.com", "q13d0310h3_55b375c5d22e_cd85d2d88918"));
    }

    @Test
    void ja4_badCurveball_matchesFoxIo() throws Exception {
        assertThat(fingerprints("badcurveball.pcap")).containsEntry("tcp:55318 bad.curveballtest.com",
                "t13d1615h2_46e7e9700bed_45f260be83e2");
    }

    @Test
    void ja4_alpnVariantsAndNoAlpn_matchFoxIo() throws Exception {
        assertThat(fingerprints("tls-handshake.pcapng")).containsAllEntriesOf(Map.of(
                "tcp:50112 clientservices.googleapis.com", "t13d1516h2_8daaf6152771_e5627efa2ab1",
                "tcp:50122 lp-push-server-452.lastpass.com", "t13d1516h1_8daaf6152771_e5627efa2ab1",
                "tcp:50123 mtalk.google.com", "t13d151400_8daaf6152771_de4a06bb82e3",
                "tcp:50153 edge-chat.facebook.com", "t13d1517h1_8daaf6152771_6cdcb247c39b"));
    }
}

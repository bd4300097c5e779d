package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra observe} and {@code umbra audit} on test-data/captures/kerberos-tap.pcap: a real MIT KDC's
 * replies to alice (UDP, IPv4) and bob (TCP, IPv6), a computer account's login from alice's address, then
 * their TLS and DNS to AI services, recorded by make-kerberos-tap.sh. Each client address is named by the
 * principal tshark reads in the KDC's replies to it (kerberos-tap.expected.txt).
 */
class KerberosAuditTest {
    private static final String NAME = "kerberos-tap";
    private static final Path CAPTURE = TapCaptures.DIR.resolve(NAME + ".pcap");

    @Test
    void tshark_kdcReplies_nameTheUsersTheExpectedFileLists() throws IOException {
        HostTools.require("tshark", "tshark");
        HostTools.Result t = HostTools.check(60, "tshark", "-n", "-r", CAPTURE.toString(), "-Y",
                "kerberos.msg_type == 11 || kerberos.msg_type == 13", "-T", "fields", "-E", "separator=|", "-e",
                "ip.dst", "-e", "ipv6.dst", "-e", "kerberos.CNameString", "-e", "kerberos.crealm");
        Map<String, TreeSet<String>> byAddress = new TreeMap<>();
        for (String line : t.out().lines().filter(l -> !l.isBlank()).toList()) {
            String[] f = line.split("\\|", -1);
            byAddress.computeIfAbsent(f[0].isEmpty() ? f[1] : f[0], k -> new TreeSet<>()).add(f[2] + "@" + f[3]);
        }
        assertThat(byAddress.get("10.77.0.10")).containsExactly("WS01$@UMBRA.TEST", "alice@UMBRA.TEST");
        assertThat(byAddress.get("fd77::10")).containsExactly("bob@UMBRA.TEST");
        TapCaptures.expected(NAME).forEach((address, v) -> assertThat(byAddress.get(address)).contains(v[0]));
    }

    @Test
    void observeJson_everyObservationOfAnAddress_carriesItsKerberosUser() throws IOException {
        TapCaptures.observeNamesEveryClient(NAME);
    }

    @Test
    void audit_kerberosCapture_hasARowPerUserAndService() throws IOException {
        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> rows = new ArrayList<>();
        r.out().lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 5 && c[0].contains("@"))
                .forEach(c -> rows.add(c[0] + " " + c[1]));
        List<String> want = new ArrayList<>();
        TapCaptures.expected(NAME).values().forEach(v -> {
            for (String service : v[1].split(",")) {
                want.add(v[0] + " " + service);
            }
        });
        assertThat(rows).containsExactlyInAnyOrderElementsOf(want);
        assertThat(r.out()).contains("2 client(s)").doesNotContain("WS01$");
    }
}

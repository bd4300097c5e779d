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
 * {@code umbra observe} and {@code umbra audit} on test-data/captures/smb-tap.pcap: a real Samba server's
 * SESSION_SETUP exchanges with alice (IPv4), a wrong password from 10.77.0.11 and bob (IPv6), each followed
 * by TLS and DNS to AI services, recorded by make-smb-tap.sh. Each client address is named by the NTLM user
 * of the logon the server accepted from it, as tshark reads it (smb-tap.expected.txt); the refused one names
 * no one.
 */
class SmbAuditTest {
    private static final String NAME = "smb-tap";
    private static final Path CAPTURE = TapCaptures.DIR.resolve(NAME + ".pcap");

    @Test
    void tshark_acceptedSessionSetups_nameTheUsersTheExpectedFileLists() throws IOException {
        HostTools.require("tshark", "tshark");
        HostTools.Result t = HostTools.check(60, "tshark", "-n", "-r", CAPTURE.toString(), "-Y", "smb2.cmd == 1", "-T",
                "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e",
                "ntlmssp.auth.domain", "-e", "ntlmssp.auth.username", "-e", "smb2.nt_status");
        // each AUTHENTICATE, then the status of the response that follows it on the wire
        Map<String, String> pending = new TreeMap<>();
        Map<String, TreeSet<String>> accepted = new TreeMap<>();
        Map<String, TreeSet<String>> refused = new TreeMap<>();
        for (String line : t.out().lines().filter(l -> !l.isBlank()).toList()) {
            String[] f = line.split("\\|", -1);
            String src = f[0].isEmpty() ? f[1] : f[0];
            String dst = f[2].isEmpty() ? f[3] : f[2];
            if (!f[5].isEmpty()) {
                pending.put(src, f[4] + "\\" + f[5]);
            } else if (pending.containsKey(dst) && !f[6].equals("0xc0000016")) {
                (f[6].equals("0x00000000") ? accepted : refused).computeIfAbsent(dst, k -> new TreeSet<>())
                        .add(pending.remove(dst));
            }
        }
        assertThat(refused).containsOnlyKeys("10.77.0.11");
        TapCaptures.expected(NAME).forEach((address, v) -> {
            if (v[0].equals("-")) {
                assertThat(accepted).doesNotContainKey(address);
            } else {
                assertThat(accepted.get(address)).as(address).containsExactly(v[0]);
            }
        });
    }

    @Test
    void observeJson_everyObservationOfAnAddress_carriesItsSmbUser() throws IOException {
        CliRun r = TapCaptures.observeNamesEveryClient(NAME);
        assertThat(r.out()).doesNotContain("SYNTHETIC-");
    }

    @Test
    void audit_smbCapture_hasARowPerClientAndService() throws IOException {
        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> rows = new ArrayList<>();
        r.out().lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 5 && c[1].contains("-")
                && !c[0].equals("CLIENT")).forEach(c -> rows.add(c[0] + " " + c[1]));
        List<String> want = new ArrayList<>();
        TapCaptures.expected(NAME).forEach((address, v) -> {
            for (String service : v[1].split(",")) {
                want.add((v[0].equals("-") ? address : v[0]) + " " + service);
            }
        });
        assertThat(rows).containsExactlyInAnyOrderElementsOf(want);
        assertThat(r.out()).contains("3 client(s)");
    }
}

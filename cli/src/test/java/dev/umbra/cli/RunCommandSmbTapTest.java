package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.Netns;
import dev.umbra.sensor.capture.live.Smbd;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a sensor on a tap ({@code attribution.enabled: false}): {@code umbra run} in its own JVM
 * captures on the host end of a veth pair into a network namespace where a real Samba server and {@code
 * openssl s_server} run, the file server listed in {@code capture.smb_servers}. Real {@code smbclient} lists
 * a share as alice (NTLM), then real {@code curl} opens TLS to api.openai.com: the finding's actor is the
 * NTLM user the server accepted.
 */
class RunCommandSmbTapTest {
    private static final String ALICE = "umbra-smb-alice";

    @TempDir
    Path tmp;

    @Test
    void run_tapWithoutAttribution_findingsNameTheSmbUserOfTheClientAddress() throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        try (Netns ns = Netns.create(); Smbd smbd = Smbd.start(ns, tmp.resolve("smb"), ALICE)) {
            ns.serveDnsAndTls(tmp, "::");
            // the file server's address listed, as a deployment lists its file servers
            DaemonProcess.TapRun run = DaemonProcess.tapRun(tmp, ns, "  smb_servers: [" + ns.nsIp + "/32]", () -> {
                HostTools.Result listed = smbd.list(ns.nsIp, 445, ALICE, true, false);
                assertThat(listed.exitCode()).as("smbclient: %s %s", listed.out(), listed.err()).isZero();
            });
            DaemonProcess.assertActorUser(run.findings(), "openai-api", Smbd.WORKGROUP + "\\" + ALICE, run.log());
            assertThat(run.log()).doesNotContain("SYNTHETIC-");
        }
    }
}

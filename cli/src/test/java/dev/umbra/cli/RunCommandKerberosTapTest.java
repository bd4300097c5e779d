package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.Kdc;
import dev.umbra.sensor.capture.live.Netns;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a sensor on a tap ({@code attribution.enabled: false}): {@code umbra run} in its own JVM
 * captures on the host end of a veth pair into a network namespace where a real MIT KDC and {@code
 * openssl s_server} run, listed in {@code capture.kerberos_kdcs}. Real {@code kinit} logs alice in from the
 * host, then real {@code curl} opens TLS to api.openai.com: the finding's actor is the principal the KDC's
 * reply named.
 */
class RunCommandKerberosTapTest {
    @TempDir
    Path tmp;

    @Test
    void run_tapWithoutAttribution_findingsNameTheKerberosPrincipalOfTheClientAddress() throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        try (Netns ns = Netns.create()) {
            Kdc kdc = Kdc.start(ns, tmp.resolve("krb"));
            ns.serveDnsAndTls(tmp, "::");
            // the KDC's address listed, as a deployment lists its domain controllers
            DaemonProcess.TapRun run = DaemonProcess.tapRun(tmp, ns, "  kerberos_kdcs: [" + ns.nsIp + "/32, \""
                    + ns.nsIp6 + "\"]", () -> kdc.kinit("alice", false));
            List<JsonNode> openai = DaemonProcess.assertActorUser(run.findings(), "openai-api", "alice@" + Kdc.REALM,
                    run.log());
            assertThat(openai).extracting(e -> e.get("class_uid").asInt()).contains(2004, 4001);
        }
    }
}

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
            int metricsPort = Loopback.freePort();
            Path findings = tmp.resolve("findings.jsonl");
            // the KDC's address listed, as a deployment lists its domain controllers
            Process daemon = DaemonProcess.start(tmp, DaemonProcess.tapConfig(ns.hostIf, findings, metricsPort,
                    "  kerberos_kdcs: [" + ns.nsIp + "/32, \"" + ns.nsIp6 + "\"]"));
            String err = DaemonProcess.drive(daemon, tmp, metricsPort, () -> {
                kdc.kinit("alice", false);
                HostTools.Result curl = HostTools.run(15, "curl", "-sk", "--max-time", "5", "--resolve",
                        "api.openai.com:8443:" + ns.nsIp, "https://api.openai.com:8443/v1/models");
                assertThat(curl.exitCode()).as("curl: %s", curl.err()).isZero();
            });
            List<JsonNode> openai = DaemonProcess.assertActorUser(DaemonProcess.findings(findings), "openai-api",
                    "alice@" + Kdc.REALM, err);
            assertThat(openai).extracting(e -> e.get("class_uid").asInt()).contains(2004, 4001);
        }
    }
}

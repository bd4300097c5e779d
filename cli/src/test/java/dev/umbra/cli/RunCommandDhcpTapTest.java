package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umbra.sensor.capture.live.Dhcpd;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.Netns;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a sensor on a tap ({@code attribution.enabled: false}): {@code umbra run} in its own JVM
 * captures on the host end of a veth pair into a network namespace where real dnsmasq (listed in {@code
 * capture.dhcp_servers}) and {@code openssl s_server} run. Real busybox {@code udhcpc} takes a lease with the
 * host name ALICE-LAPTOP, then real {@code curl} opens TLS to api.openai.com: the findings' {@code
 * src_endpoint.hostname} is the device name dnsmasq's ACK gave. Without a lease, real Samba {@code nmbd}
 * registers the NetBIOS name BOB-PC for the address, and the findings carry that.
 */
class RunCommandDhcpTapTest {
    @TempDir
    Path tmp;

    @Test
    void run_tapWithoutAttribution_findingsCarryTheDhcpDeviceNameOfTheClientAddress() throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        try (Netns ns = Netns.create()) {
            Dhcpd dhcpd = Dhcpd.start(ns, tmp.resolve("dhcp"));
            ns.serveDnsAndTls(tmp, "::");
            DaemonProcess.TapRun run = DaemonProcess.tapRun(tmp, ns, "  dhcp_servers: [" + ns.nsIp + "/32]",
                    () -> dhcpd.lease(ns, "ALICE-LAPTOP", null));
            List<JsonNode> events = run.findings();
            List<JsonNode> openai = DaemonProcess.ofService(events, "openai-api");
            String err = run.log();
            assertThat(openai).as("findings for the OpenAI API among %s; daemon log: %s", events, err).isNotEmpty()
                    .allSatisfy(e -> {
                        JsonNode src = e.has("src_endpoint") ? e.get("src_endpoint") : e.at("/evidences/0/src_endpoint");
                        assertThat(src.path("ip").asText()).as(e.toString()).isEqualTo(ns.hostIp);
                        assertThat(src.path("hostname").asText()).as(e.toString()).isEqualTo("ALICE-LAPTOP");
                        assertThat(e.has("actor")).as("no user: a device name is not one").isFalse();
                    });
            assertThat(openai).extracting(e -> e.get("class_uid").asInt()).contains(2004, 4001);
        }
    }

    @Test
    void run_tapWithoutAttribution_findingsCarryTheNetbiosNameTheHostRegistered() throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        java.util.concurrent.atomic.AtomicReference<dev.umbra.sensor.capture.live.HostDaemon> nmbd =
                new java.util.concurrent.atomic.AtomicReference<>();
        try (Netns ns = Netns.create()) {
            ns.serveDnsAndTls(tmp, "::");
            DaemonProcess.TapRun run;
            try {
                run = DaemonProcess.tapRun(tmp, ns, "  dhcp_servers: [" + ns.nsIp + "/32]",
                        () -> nmbd.set(dev.umbra.sensor.capture.live.Nmbd.start(ns, tmp.resolve("nmbd"), "BOB-PC")));
            } finally {
                if (nmbd.get() != null) {
                    nmbd.get().close(); // before its interface goes with the namespace
                }
            }
            List<JsonNode> openai = DaemonProcess.ofService(run.findings(), "openai-api");
            assertThat(openai).as("findings for the OpenAI API; daemon log: %s", run.log()).isNotEmpty()
                    .allSatisfy(e -> {
                        JsonNode src = e.has("src_endpoint") ? e.get("src_endpoint") : e.at("/evidences/0/src_endpoint");
                        assertThat(src.path("ip").asText()).as(e.toString()).isEqualTo(ns.hostIp);
                        assertThat(src.path("hostname").asText()).as(e.toString()).isEqualTo("BOB-PC");
                    });
        }
    }
}

package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The host masquerades one test namespace's traffic to another, as Docker does for a container: IPv4
 * forwarding on, a route from {@code inside} to {@code outside}'s address through the host, and an
 * nftables rule that rewrites {@code inside}'s address to the host's on {@code outside}'s veth (no route
 * back: the replies reach {@code inside} only through the translation). Close undoes all of it.
 */
public final class Masquerade implements AutoCloseable {
    private static final Path FORWARDING = Path.of("/proc/sys/net/ipv4/ip_forward");
    private final String table = "umbra_nat_" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
    private final String forwardingBefore;

    private Masquerade(String forwardingBefore) {
        this.forwardingBefore = forwardingBefore;
    }

    /** Sets it up (root, nftables); {@code outside}'s server then sees {@code outside.hostIp} as the client. */
    public static Masquerade between(Netns inside, Netns outside) {
        HostTools.requireRoot();
        HostTools.require("nft", "nftables");
        Masquerade m;
        try {
            m = new Masquerade(Files.readString(FORWARDING).strip());
            Files.writeString(FORWARDING, "1");
        } catch (IOException e) {
            fail("cannot switch IPv4 forwarding on: " + e);
            return null;
        }
        try {
            inside.ns("ip", "route", "add", outside.nsIp + "/32", "via", inside.hostIp);
            HostTools.check(10, "nft", "add", "table", "ip", m.table);
            HostTools.check(10, "nft", "add", "chain", "ip", m.table, "post",
                    "{ type nat hook postrouting priority srcnat; }");
            HostTools.check(10, "nft", "add", "rule", "ip", m.table, "post", "ip", "saddr", inside.nsIp,
                    "oifname", outside.hostIf, "masquerade");
        } catch (RuntimeException | AssertionError e) {
            m.close();
            throw e;
        }
        return m;
    }

    @Override
    public void close() {
        HostTools.run(10, "nft", "delete", "table", "ip", table);
        try {
            Files.writeString(FORWARDING, forwardingBefore);
        } catch (IOException e) {
            fail("cannot restore IPv4 forwarding: " + e);
        }
    }
}

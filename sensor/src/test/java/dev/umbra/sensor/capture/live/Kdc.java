package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real MIT Kerberos KDC ({@code krb5kdc}, Debian's krb5-kdc) for realm {@value #REALM} inside a test's
 * network namespace, on port 88 (UDP and TCP), pre-authentication required. Users alice and bob and the
 * computer account WS01$ get keytabs (no password anywhere), and there is a service HTTP/proxy.umbra.test.
 * Clients run on the host: {@link #kinit} asks the namespace's IPv4 address over UDP, or its IPv6 address
 * over TCP. The KDC stops with the namespace.
 */
public final class Kdc {
    /** The realm. */
    public static final String REALM = "UMBRA.TEST";
    /** A service whose ticket {@link #kvno} asks for (a TGS exchange). */
    public static final String SERVICE = "HTTP/proxy.umbra.test";

    private final Path dir;
    private final Path v4;
    private final Path v6;

    private Kdc(Path dir, Path v4, Path v6) {
        this.dir = dir;
        this.v4 = v4;
        this.v6 = v6;
    }

    /** Makes the realm's database in {@code dir} and starts the KDC in {@code ns}; returns once it listens. */
    public static Kdc start(Netns ns, Path dir) throws IOException {
        HostTools.require("krb5kdc", "krb5-kdc");
        HostTools.require("kdb5_util", "krb5-kdc");
        HostTools.require("kadmin.local", "krb5-admin-server");
        HostTools.require("kinit", "krb5-user");
        HostTools.require("kvno", "krb5-user");
        Files.createDirectories(dir);
        Path kdcConf = dir.resolve("kdc.conf");
        Files.writeString(kdcConf, String.join("\n", "[kdcdefaults]", "  kdc_ports = 88", "  kdc_tcp_ports = 88",
                "[realms]", "  " + REALM + " = {", "    database_name = " + dir.resolve("principal"),
                "    key_stash_file = " + dir.resolve("stash"), "    acl_file = " + dir.resolve("kadm5.acl"),
                "    supported_enctypes = aes256-cts-hmac-sha1-96:normal", "  }",
                "[logging]", "  kdc = FILE:" + dir.resolve("kdc.log"), ""));
        Kdc kdc = new Kdc(dir, clientConf(dir.resolve("krb5-v4.conf"), ns.nsIp, 1465),
                clientConf(dir.resolve("krb5-v6.conf"), "[" + ns.nsIp6 + "]", 1));
        kdc.admin(kdcConf, "kdb5_util", "create", "-s", "-r", REALM, "-P", "SYNTHETIC-master-pw");
        for (String principal : new String[] {"alice", "bob", "WS01$"}) {
            kdc.admin(kdcConf, "kadmin.local", "-q", "addprinc -randkey +requires_preauth " + principal);
            kdc.admin(kdcConf, "kadmin.local", "-q", "ktadd -k " + kdc.keytab(principal) + " " + principal);
        }
        kdc.admin(kdcConf, "kadmin.local", "-q", "addprinc -randkey " + SERVICE);
        Path log = dir.resolve("krb5kdc.out");
        Process p = ns.start(log, "env", "KRB5_CONFIG=" + kdc.v4, "KRB5_KDC_PROFILE=" + kdcConf, "krb5kdc", "-n");
        ns.awaitTcpListener(88, p, log);
        return kdc;
    }

    /**
     * Logs {@code principal} in from the host with its keytab: an AS exchange (pre-authentication asked for,
     * then given), over UDP to the KDC's IPv4 address, or over TCP to its IPv6 address.
     */
    public void kinit(String principal, boolean ipv6TcpOnly) {
        check(List.of("env", "KRB5_CONFIG=" + (ipv6TcpOnly ? v6 : v4), "KRB5CCNAME=" + cache(principal), "kinit", "-k",
                "-t", keytab(principal), principal));
    }

    /** Asks a ticket for {@link #SERVICE} with {@code principal}'s (IPv4) login: a TGS exchange. */
    public void kvno(String principal) {
        check(List.of("env", "KRB5_CONFIG=" + v4, "KRB5CCNAME=" + cache(principal), "kvno", SERVICE));
    }

    private String keytab(String principal) {
        return dir.resolve(principal.replace("$", "") + ".keytab").toString();
    }

    private String cache(String principal) {
        return dir.resolve("cc-" + principal.replace("$", "")).toString();
    }

    private void admin(Path kdcConf, String... command) {
        List<String> c = new ArrayList<>(List.of("env", "KRB5_CONFIG=" + v4, "KRB5_KDC_PROFILE=" + kdcConf));
        c.addAll(List.of(command));
        check(c);
    }

    private static Path clientConf(Path file, String kdc, int udpPreferenceLimit) throws IOException {
        Files.writeString(file, String.join("\n", "[libdefaults]", "  default_realm = " + REALM,
                "  dns_lookup_kdc = false", "  dns_lookup_realm = false", "  rdns = false",
                "  udp_preference_limit = " + udpPreferenceLimit, "[realms]", "  " + REALM + " = {",
                "    kdc = " + kdc + ":88", "  }", ""));
        return file;
    }

    private static void check(List<String> command) {
        HostTools.Result r = HostTools.run(30, command);
        assertThat(r.exitCode()).as("%s: %s %s", command, r.out(), r.err()).isZero();
    }
}

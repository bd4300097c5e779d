package dev.umbra.shipper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.shipper.DeliveryError;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.TestFindings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipper against a real broker through a SASL_SSL listener (TLS with a certificate made by the
 * JDK's keytool, a SCRAM-SHA-512 user created through the admin API) and an SSL listener that
 * requires a client certificate (mTLS).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaShipperSaslTest {
    private static final String STORE_PASSWORD = "store-pass-1";
    private static final String UMBRA_PASSWORD = "umbra-pass-1";

    private Path keys;

    @TempDir
    Path tmp;

    private TestBroker broker;
    private Path truststore;
    private Path clientKeystore;

    private void keytool(String... args) throws Exception {
        Path bin = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(bin.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", args[0], out).isZero();
    }

    @BeforeAll
    void startBroker() throws Exception {
        keys = java.nio.file.Files.createTempDirectory("umbra-sasl-keys");
        Path keystore = keys.resolve("broker.p12");
        truststore = keys.resolve("trust.p12");
        Path cert = keys.resolve("broker.crt");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
                "-rfc", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", cert.toString(), "-keystore",
                truststore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);

        // Kafka's test kit only builds PLAINTEXT / SASL_PLAINTEXT listeners itself: the test adds a
        // third listener, SECURE, that is SASL_SSL with SCRAM-SHA-512 only; the test's own admin and
        // consumer use the kit's PLAINTEXT listener, Umbra only the SECURE one.
        // mTLS: a client certificate, trusted by a fourth listener, MTLS, that requires one
        clientKeystore = keys.resolve("client.p12");
        Path clientCert = keys.resolve("client.crt");
        Path brokerTrust = keys.resolve("broker-trust.p12");
        keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=umbra-sensor", "-validity", "2", "-keystore", clientKeystore.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "client", "-keystore", clientKeystore.toString(), "-storepass",
                STORE_PASSWORD, "-rfc", "-file", clientCert.toString());
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", clientCert.toString(), "-keystore",
                brokerTrust.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);

        Map<String, String> cfg = new java.util.HashMap<>();
        cfg.put("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0,SECURE://localhost:0,MTLS://localhost:0");
        cfg.put("listener.security.protocol.map",
                "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL,MTLS:SSL");
        cfg.put("listener.name.mtls.ssl.keystore.location", keystore.toString());
        cfg.put("listener.name.mtls.ssl.keystore.type", "PKCS12");
        cfg.put("listener.name.mtls.ssl.keystore.password", STORE_PASSWORD);
        cfg.put("listener.name.mtls.ssl.key.password", STORE_PASSWORD);
        cfg.put("listener.name.mtls.ssl.truststore.location", brokerTrust.toString());
        cfg.put("listener.name.mtls.ssl.truststore.type", "PKCS12");
        cfg.put("listener.name.mtls.ssl.truststore.password", STORE_PASSWORD);
        cfg.put("listener.name.mtls.ssl.client.auth", "required");
        cfg.put("listener.name.secure.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        cfg.put("listener.name.secure.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        cfg.put("listener.name.secure.ssl.keystore.location", keystore.toString());
        cfg.put("listener.name.secure.ssl.keystore.type", "PKCS12");
        cfg.put("listener.name.secure.ssl.keystore.password", STORE_PASSWORD);
        cfg.put("listener.name.secure.ssl.key.password", STORE_PASSWORD);
        broker = TestBroker.start(cfg);
        try (Admin a = Admin.create(broker.clientProps())) {
            a.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("umbra",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), UMBRA_PASSWORD))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        broker.createTopics("secure-findings");
    }

    private Map<String, String> tlsClient() {
        return Map.of("ssl.truststore.location", truststore.toString(), "ssl.truststore.type", "PKCS12",
                "ssl.truststore.password", STORE_PASSWORD);
    }

    @AfterAll
    void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
        try (var files = java.nio.file.Files.list(keys)) {
            for (Path f : files.toList()) {
                java.nio.file.Files.delete(f);
            }
        }
        java.nio.file.Files.delete(keys);
    }

    private Properties umbraProps(String password, Path spool) {
        Properties p = KafkaShipperBrokerTest.baseProps("localhost:" + broker.boundPort("SECURE"), "secure-findings",
                spool);
        p.setProperty("kafka.producer.security.protocol", "SASL_SSL");
        p.setProperty("kafka.producer.sasl.mechanism", "SCRAM-SHA-512");
        p.setProperty("kafka.producer.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"umbra\" password=\""
                        + password + "\";");
        tlsClient().forEach((k, v) -> p.setProperty("kafka.producer." + k, v));
        return p;
    }

    @Test
    void offer_saslSslScram_delivered() throws Exception {
        ShipperCounters counters = new ShipperCounters();
        try (KafkaShipper s = KafkaShipperBrokerTest.shipper(umbraProps(UMBRA_PASSWORD, tmp.resolve("ok")), counters)) {
            for (int i = 0; i < 200; i++) {
                s.offer(TestFindings.numbered(i));
            }
            KafkaShipperBrokerTest.awaitIdle(s, Duration.ofSeconds(60));
        }
        assertThat(KafkaShipperBrokerTest.countByNumber(TestBroker.consume(broker.clientProps(),
                List.of("secure-findings"), null, 200, Duration.ofSeconds(30)))).hasSize(200);
        assertThat(counters.acked()).isEqualTo(200);
    }

    @Test
    void offer_wrongPassword_clearAuthenticationErrorFindingsKeptInSpool() throws Exception {
        ShipperCounters counters = new ShipperCounters();
        String wrong = "not-the-password-42";
        try (KafkaShipper s = KafkaShipperBrokerTest.shipper(umbraProps(wrong, tmp.resolve("bad")), counters)) {
            for (int i = 0; i < 50; i++) {
                s.offer(TestFindings.numbered(i));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (counters.errors(DeliveryError.AUTHENTICATION) == 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(counters.errors(DeliveryError.AUTHENTICATION)).isPositive();
            assertThat(s.lastError()).startsWith("kafka: authentication failed (SASL_SSL SCRAM-SHA-512)")
                    .doesNotContain(wrong);
            assertThat(s.spooledRecords()).isEqualTo(50);
            assertThat(counters.acked()).isZero();
            assertThat(counters.droppedTotal()).isZero();
        }
    }

    private Properties mtlsProps(boolean withClientCertificate, Path spool) {
        Properties p = KafkaShipperBrokerTest.baseProps("localhost:" + broker.boundPort("MTLS"), "secure-findings",
                spool);
        p.setProperty("kafka.producer.security.protocol", "SSL");
        tlsClient().forEach((k, v) -> p.setProperty("kafka.producer." + k, v));
        if (withClientCertificate) {
            p.setProperty("kafka.producer.ssl.keystore.location", clientKeystore.toString());
            p.setProperty("kafka.producer.ssl.keystore.type", "PKCS12");
            p.setProperty("kafka.producer.ssl.keystore.password", STORE_PASSWORD);
            p.setProperty("kafka.producer.ssl.key.password", STORE_PASSWORD);
        }
        return p;
    }

    @Test
    void offer_mutualTls_delivered() throws Exception {
        ShipperCounters counters = new ShipperCounters();
        try (KafkaShipper s = KafkaShipperBrokerTest.shipper(mtlsProps(true, tmp.resolve("mtls")), counters)) {
            for (int i = 1000; i < 1100; i++) {
                s.offer(TestFindings.numbered(i));
            }
            KafkaShipperBrokerTest.awaitIdle(s, Duration.ofSeconds(60));
        }
        assertThat(counters.acked()).isEqualTo(100);
        Map<Long, Integer> counts = KafkaShipperBrokerTest.countByNumber(TestBroker.consume(broker.clientProps(),
                List.of("secure-findings"), null, 100, Duration.ofSeconds(30)));
        for (long i = 1000; i < 1100; i++) {
            assertThat(counts).containsKey(i);
        }
    }

    @Test
    void offer_mutualTlsWithoutClientCertificate_authenticationErrorFindingsKept() throws Exception {
        ShipperCounters counters = new ShipperCounters();
        try (KafkaShipper s = KafkaShipperBrokerTest.shipper(mtlsProps(false, tmp.resolve("nocert")), counters)) {
            for (int i = 0; i < 20; i++) {
                s.offer(TestFindings.numbered(i));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (counters.errors(DeliveryError.AUTHENTICATION) == 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(counters.errors(DeliveryError.AUTHENTICATION)).isPositive();
            assertThat(s.lastError()).startsWith("kafka: authentication failed (SSL)");
            assertThat(s.spooledRecords()).isEqualTo(20);
        }
    }
}

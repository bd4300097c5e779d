package dev.umbra.shipper.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (KRaft, combined broker and controller) in a child JVM built from the
 * kafka_2.13 jars on the test class path, so that it can be killed with SIGKILL and started again
 * on the same ports and log directory.
 */
final class BrokerProcess implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Path config;
    private Process process;

    private BrokerProcess(Path dir, int port, Path config) {
        this.dir = dir;
        this.port = port;
        this.config = config;
    }

    /** Formats a log directory under {@code dir} and starts the broker. */
    static BrokerProcess start(Path dir) throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        Files.createDirectories(dir);
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "num.partitions=1",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        Process format = java("kafka.tools.StorageTool", "format", "--cluster-id", "umbra-test-cluster-01",
                "--config", config.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka-storage format failed: exit " + format.exitValue());
        }
        BrokerProcess b = new BrokerProcess(dir, port, config);
        b.startAgain();
        return b;
    }

    private static ProcessBuilder java(String main, String... args) {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(javaBin, "-Xmx384m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** Starts the broker process (after {@link #kill9()}) and waits until it accepts connections. */
    void startAgain() throws Exception {
        process = java("kafka.Kafka", config.toString()).redirectOutput(dir.resolve("broker.out").toFile())
                .redirectErrorStream(true).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited with " + process.exitValue() + "; see "
                        + dir.resolve("broker.out"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new IllegalStateException("broker did not listen on port " + port + " within 90 s");
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill9() throws Exception {
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker survived kill -9");
        }
        if (process.exitValue() != 137) {
            throw new IllegalStateException("broker ended with " + process.exitValue() + ", not by SIGKILL (137)");
        }
    }

    String bootstrap() {
        return "localhost:" + port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

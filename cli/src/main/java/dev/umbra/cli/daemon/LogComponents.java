package dev.umbra.cli.daemon;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.proxylog.LogContext;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.proxylog.LogStream;
import dev.umbra.sensor.syslog.SyslogConfig;
import dev.umbra.sensor.syslog.SyslogLogIntake;
import dev.umbra.sensor.syslog.SyslogServer;
import dev.umbra.sensor.tail.FileTailer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Daemon components that read logs: a tailed file, the syslog listener. */
final class LogComponents {
    private static final Logger LOG = LogManager.getLogger(LogComponents.class);

    private LogComponents() {
    }

    /** Follows one log file on its own thread, through rotation and restarts. */
    static final class Tail implements Component {
        private final Path file;
        private final Path stateDir;
        private final Duration interval;
        private final LogOptions options;
        private final Consumer<Observation> pipeline;
        final LogStats stats = new LogStats();
        private volatile boolean running;
        private volatile String failure;
        private FileTailer tailer;
        private LogStream stream;
        private Thread thread;

        Tail(Path file, Path stateDir, Duration interval, LogOptions options, Consumer<Observation> pipeline) {
            this.file = file;
            this.stateDir = stateDir;
            this.interval = interval;
            this.options = options;
            this.pipeline = pipeline;
        }

        @Override
        public String startGroup() {
            return "sources";
        }

        @Override
        public String name() {
            return "tail " + file;
        }

        @Override
        public void start() throws IOException {
            Files.createDirectories(stateDir);
            if (!Files.isWritable(stateDir)) {
                throw new IOException("state directory " + stateDir + " is not writable");
            }
            String stateName = file.toAbsolutePath().toString().replaceAll("[^A-Za-z0-9._-]", "_") + ".offset";
            stream = new LogStream(options, new LogContext(file.toString(), pipeline, stats));
            tailer = new FileTailer(file, stateDir.resolve(stateName), stream, options.maxLineLength());
            running = true;
            thread = new Thread(this::loop, "umbra-tail-" + file.getFileName());
            thread.start();
        }

        private void loop() {
            while (running) {
                try {
                    tailer.poll();
                    failure = null;
                } catch (IOException | RuntimeException e) {
                    if (failure == null) {
                        LOG.warn("tail {}: {}", file, e.getMessage());
                    }
                    failure = e.getMessage();
                }
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public String notReady() {
            return null; // a missing or unreadable log is logged and retried; it does not stop the daemon
        }

        @Override
        public void stop(Duration timeout) {
            running = false;
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(timeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    tailer.poll(); // the last lines written before the stop
                    stream.finish();
                    tailer.close();
                } catch (IOException e) {
                    LOG.warn("tail {}: {}", file, e.getMessage());
                }
            }
        }
    }

    /** The syslog listener (UDP and TCP on one address and port). */
    static final class Syslog implements Component {
        private final SyslogConfig config;
        private final SyslogLogIntake intake;
        final LogStats stats;
        private SyslogServer server;

        Syslog(SyslogConfig config, LogOptions options, Consumer<Observation> pipeline) {
            this.config = config;
            this.stats = new LogStats();
            this.intake = new SyslogLogIntake(options, pipeline, stats);
        }

        @Override
        public String startGroup() {
            return "sources";
        }

        @Override
        public String name() {
            return "syslog " + config.bind().getHostAddress() + ":" + Math.max(config.udpPort(), config.tcpPort());
        }

        @Override
        public void start() throws IOException {
            server = new SyslogServer(config, intake).start();
        }

        SyslogServer server() {
            return server;
        }

        @Override
        public void stop(Duration timeout) {
            if (server != null) {
                server.close();
                intake.finish();
            }
        }
    }
}

package dev.umbra.cli;

import dev.umbra.cli.config.ConfigException;
import dev.umbra.cli.config.UmbraConfig;
import dev.umbra.cli.daemon.Daemon;
import dev.umbra.cli.daemon.DaemonAssembly;
import dev.umbra.cli.logging.DaemonLogging;
import dev.umbra.sensor.capture.live.LiveCaptureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code umbra run --config FILE}: the daemon. Starts what the configuration enables, runs until
 * SIGTERM or SIGINT, reloads the catalog and policy on SIGHUP.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the daemon: live capture, log tailing, syslog and ICAP intake, shipping of findings, "
                + "as the configuration file says. SIGTERM/SIGINT stop it gracefully, SIGHUP reloads catalog and policy.")
final class RunCommand implements Callable<Integer> {
    /**
     * The logger, made on first use: picocli creates every subcommand for every command line, and a
     * static logger here started Log4j for {@code umbra --version} and {@code umbra audit} too.
     */
    private static final class Log {
        static final Logger LOGGER = LogManager.getLogger(RunCommand.class);
    }

    @ParentCommand
    UmbraCommand root;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(config)) {
            throw UmbraException.badInput(config + ": no such file");
        }
        UmbraConfig settings;
        try {
            settings = UmbraConfig.load(config);
        } catch (ConfigException e) {
            e.errors().forEach(root.err::println);
            return ExitCodes.USAGE;
        } catch (IOException e) {
            throw new UmbraException(ExitCodes.RUNTIME, config + ": cannot read: " + e.getMessage(), e);
        }
        DaemonLogging.Format logFormat = DaemonLogging.Format.of(settings.string(UmbraConfig.LOG_FORMAT));
        DaemonLogging.install(logFormat,
                root.verbosity() == 0 ? org.apache.logging.log4j.Level.valueOf(settings.string(UmbraConfig.LOG_LEVEL)) : null,
                (int) settings.number(UmbraConfig.LOG_REPEAT_BURST), settings.duration(UmbraConfig.LOG_REPEAT_WINDOW));
        DaemonAssembly assembly;
        try {
            assembly = DaemonAssembly.build(settings, root.out);
        } catch (IllegalArgumentException e) {
            throw UmbraException.badInput(config + ": " + e.getMessage());
        }
        Daemon daemon = assembly.daemon();
        try {
            daemon.start();
        } catch (Daemon.StartException e) {
            boolean badInput = e.getCause() instanceof LiveCaptureException l
                    && (l.reason() == LiveCaptureException.Reason.NO_SUCH_INTERFACE
                    || l.reason() == LiveCaptureException.Reason.BAD_FILTER);
            throw new UmbraException(badInput ? ExitCodes.USAGE : ExitCodes.RUNTIME, e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            daemon.requestStop();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "umbra-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Signals.onHangup(() -> {
            Log.LOGGER.info("SIGHUP: reloading catalog and policy");
            daemon.reload();
        });
        Log.LOGGER.info("umbra {} running: {}", UmbraCommand.version(), assembly.summary());
        if (Log.LOGGER.isInfoEnabled()) {
            Log.LOGGER.info("started {} ms after the JVM", java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        }
        if (logFormat == DaemonLogging.Format.TEXT) {
            root.err.println("umbra: running (" + assembly.summary() + ")");
        }
        try {
            daemon.awaitStopRequest();
        } finally {
            daemon.stop();
            if (logFormat == DaemonLogging.Format.TEXT) {
                root.err.println("umbra: " + assembly.totals());
                root.err.flush();
            } else {
                Log.LOGGER.info(assembly.totals());
            }
            stopped.countDown();
        }
        return ExitCodes.OK;
    }
}

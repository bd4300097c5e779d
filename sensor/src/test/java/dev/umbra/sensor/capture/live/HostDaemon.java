package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real daemon a test runs on the host in the foreground, its output in a log; closing it stops it (SIGTERM). */
public final class HostDaemon implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private HostDaemon(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command}, its output and errors to {@code log}. */
    static HostDaemon start(List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return new HostDaemon(command.get(0).equals("setsid") ? command.get(1) : command.get(0), p, log);
    }

    /** Waits {@code millis}; fails, naming what it logged, if it exits meanwhile or first. */
    public void staysUpFor(long millis) {
        for (long waited = 0; waited <= millis; waited += 100) {
            if (!process.isAlive()) {
                close();
                throw new AssertionError(name + " exited: " + log());
            }
            Netns.sleep(100);
        }
    }

    /** Waits until its log holds {@code line} (10 s at most); fails, naming what it logged, if it does not. */
    public void awaitLog(String line) {
        for (int i = 0; i < 100; i++) {
            if (log().contains(line)) {
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            Netns.sleep(100);
        }
        close();
        throw new AssertionError(name + " did not log \"" + line + "\": " + log());
    }

    public String log() {
        return Netns.readQuietly(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("%s stops: %s", name, log()).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

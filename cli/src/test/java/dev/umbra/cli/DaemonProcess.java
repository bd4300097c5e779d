package dev.umbra.cli;

import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code umbra run} in its own JVM for the daemon tests: its configuration, output and log in one directory. */
final class DaemonProcess {
    private DaemonProcess() {
    }

    /**
     * Writes {@code umbra.yaml} from {@code configLines} into {@code dir} and starts the daemon on it;
     * its standard output and error go to {@code daemon.out} and {@code daemon.err} there.
     */
    static Process start(Path dir, List<String> configLines) throws IOException {
        return start(dir, "-Xmx128m", configLines);
    }

    /** As {@link #start(Path, List)}, with this maximum heap ({@code -Xmx...}). */
    static Process start(Path dir, String maxHeap, List<String> configLines) throws IOException {
        Path config = Files.writeString(dir.resolve("umbra.yaml"), String.join("\n", configLines) + "\n");
        List<String> command = new ArrayList<>(HostTools.javaCommand(maxHeap));
        command.addAll(List.of(Main.class.getName(), "run", "--config", config.toString()));
        return new ProcessBuilder(command).redirectOutput(dir.resolve("daemon.out").toFile())
                .redirectError(dir.resolve("daemon.err").toFile()).start();
    }
}

package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.Observation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test helper: runs text through a log stream and keeps what came out. */
final class Logs {
    final List<Observation> observations = new ArrayList<>();
    final LogStats stats = new LogStats();
    LogStream stream;

    static Logs read(LogOptions options, String text) {
        return read(options, text.getBytes(StandardCharsets.UTF_8));
    }

    static Logs read(LogOptions options, byte[] bytes) {
        Logs l = new Logs();
        try {
            l.stream = LogFiles.read(new ByteArrayInputStream(bytes), options,
                    new LogContext("test.log", l.observations::add, l.stats));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return l;
    }

    static Logs read(LogFormat format, String text) {
        return read(LogOptions.of(format), text);
    }

    static Logs detect(String text) {
        return read(LogOptions.defaults(), text);
    }

    Observation only() {
        if (observations.size() != 1) {
            throw new AssertionError("expected one observation, got " + observations);
        }
        return observations.get(0);
    }

    /** Seeded random lines: printable noise, raw bytes, and mutations of a valid line. */
    static byte[] noise(long seed, String validLine, int lines) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        byte[] valid = validLine.getBytes(StandardCharsets.ISO_8859_1);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < lines; i++) {
            byte[] line;
            switch (r.nextInt(4)) {
                case 0 -> {
                    line = new byte[r.nextInt(300)];
                    r.nextBytes(line);
                }
                case 1 -> {
                    line = valid.clone();
                    for (int k = 0; k < 1 + r.nextInt(5); k++) {
                        line[r.nextInt(line.length)] = (byte) r.nextInt(256);
                    }
                }
                case 2 -> line = java.util.Arrays.copyOf(valid, r.nextInt(valid.length));
                default -> {
                    sb.setLength(0);
                    for (int k = r.nextInt(200); k > 0; k--) {
                        sb.append((char) (32 + r.nextInt(95)));
                    }
                    line = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
                }
            }
            out.write(line, 0, line.length);
            out.write('\n');
        }
        return out.toByteArray();
    }
}

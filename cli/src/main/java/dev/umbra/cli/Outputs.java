package dev.umbra.cli;

import dev.umbra.shipper.Finding;
import dev.umbra.shipper.FindingSink;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.kafka.KafkaShipper;
import dev.umbra.shipper.kafka.KafkaSinkConfig;
import dev.umbra.shipper.ocsf.OcsfMapper;
import dev.umbra.shipper.sink.JsonLinesSink;
import dev.umbra.shipper.sink.OutputSpec;
import dev.umbra.shipper.sink.RotatingFileSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The {@code --output} destinations of a command: stdout, rotating files and Kafka, opened from
 * their specs and the optional {@code --output-config} properties file (kafka.*, spool.*,
 * file.max.bytes, file.keep; see docs/shipper.md).
 */
public final class Outputs implements AutoCloseable {
    private final List<FindingSink> sinks = new ArrayList<>();
    private final List<KafkaShipper> kafka = new ArrayList<>();
    private final List<ShipperCounters> counters = new ArrayList<>();
    private final PrintWriter err;
    private long offered;

    private Outputs(PrintWriter err) {
        this.err = err;
    }

    /** True when one of the specs is stdout (then the table is not printed). */
    static boolean includesStdout(List<OutputSpec> specs) {
        return specs.stream().anyMatch(s -> s.kind() == OutputSpec.Kind.STDOUT);
    }

    /** Parses {@code --output} values; a bad one is a usage error (exit 2). */
    public static List<OutputSpec> parse(List<String> values) {
        List<OutputSpec> out = new ArrayList<>();
        for (String v : values) {
            try {
                out.add(OutputSpec.parse(v));
            } catch (IllegalArgumentException e) {
                throw UmbraException.badInput(e.getMessage());
            }
        }
        return out;
    }

    /** Opens every destination; configuration errors exit 2, I/O errors exit 3. */
    static Outputs open(List<OutputSpec> specs, Path configFile, PrintWriter out, PrintWriter err, OcsfMapper mapper) {
        return open(specs, load(configFile), out, err, mapper);
    }

    /** Opens every destination with the given output properties (the daemon builds them from its YAML). */
    public static Outputs open(List<OutputSpec> specs, Properties props, PrintWriter out, PrintWriter err,
            OcsfMapper mapper) {
        Outputs o = new Outputs(err);
        try {
            for (OutputSpec s : specs) {
                switch (s.kind()) {
                    case STDOUT -> o.sinks.add(new JsonLinesSink(out, mapper));
                    case FILE -> {
                        ShipperCounters c = new ShipperCounters();
                        o.counters.add(c);
                        o.sinks.add(new RotatingFileSink(s.path(),
                                Long.parseLong(props.getProperty("file.max.bytes",
                                        String.valueOf(RotatingFileSink.DEFAULT_MAX_BYTES)).trim()),
                                Integer.parseInt(props.getProperty("file.keep",
                                        String.valueOf(RotatingFileSink.DEFAULT_KEEP)).trim()), mapper, c));
                    }
                    case KAFKA -> {
                        Properties p = new Properties();
                        p.putAll(props);
                        p.setProperty("kafka.bootstrap.servers", s.bootstrapServers());
                        p.setProperty("kafka.topic", s.topic());
                        KafkaSinkConfig cfg = KafkaSinkConfig.fromProperties(p);
                        ShipperCounters c = new ShipperCounters();
                        KafkaShipper k = new KafkaShipper(cfg,
                                new OcsfMapper(UmbraCommand.version(), cfg.sensorHostId()), c);
                        o.kafka.add(k);
                        o.sinks.add(k);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            o.close();
            throw UmbraException.badInput(e.getMessage());
        } catch (IOException e) {
            o.close();
            throw new UmbraException(ExitCodes.RUNTIME, "cannot open output: " + e.getMessage(), e);
        }
        return o;
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        if (file == null) {
            return p;
        }
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw UmbraException.badInput(file + ": cannot read the output configuration: " + e.getMessage());
        }
        return p;
    }

    /** Sends a finding to every destination. */
    public void send(Finding f) {
        offered++;
        for (FindingSink s : sinks) {
            s.offer(f);
        }
    }

    /**
     * Closes every destination (Kafka: delivers within its drain timeout) and reports what was not
     * delivered.
     *
     * @param verbose print the Kafka counters
     * @return true when every finding reached every destination
     */
    public boolean finish(boolean verbose) {
        close();
        boolean ok = true;
        for (KafkaShipper k : kafka) {
            ShipperCounters c = k.counters();
            if (verbose) {
                err.println("umbra: kafka: " + c.snapshot());
            }
            long notAcked = offered - c.acked();
            if (notAcked > 0) {
                ok = false;
                err.println("umbra: kafka: " + notAcked + " of " + offered + " finding(s) not acknowledged"
                        + (c.droppedTotal() > 0 ? " (" + c.droppedTotal() + " dropped: " + c.droppedNonZero() + ")" : "")
                        + "; the rest stay in the spool for the next run"
                        + (k.lastError() == null ? "" : ": " + k.lastError()));
            }
        }
        for (ShipperCounters c : counters) {
            if (c.droppedTotal() > 0) {
                ok = false;
                err.println("umbra: file output: " + c.droppedTotal() + " finding(s) could not be written");
            }
        }
        return ok;
    }

    /** Counters of every Kafka destination, for metrics. */
    public List<ShipperCounters> kafkaCounters() {
        List<ShipperCounters> out = new ArrayList<>();
        for (KafkaShipper k : kafka) {
            out.add(k.counters());
        }
        return out;
    }

    /** Null while every Kafka destination works, else its last error. */
    public String notReady() {
        for (KafkaShipper k : kafka) {
            if (k.lastError() != null && k.counters().spooled() > k.counters().acked()) {
                return "kafka: " + k.lastError();
            }
        }
        return null;
    }

    @Override
    public void close() {
        for (FindingSink s : sinks) {
            s.close();
        }
    }
}

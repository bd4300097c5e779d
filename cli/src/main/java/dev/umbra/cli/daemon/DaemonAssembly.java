package dev.umbra.cli.daemon;

import dev.umbra.cli.UmbraCommand;
import dev.umbra.cli.config.UmbraConfig;
import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.attribution.ContainerMetadata;
import dev.umbra.sensor.attribution.ProcessAttributor;
import dev.umbra.sensor.capture.live.CaptureProtocol;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.syslog.SyslogConfig;
import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.ClassifierConfig;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.icap.IcapConfig;
import dev.umbra.classifier.icap.IcapFinding;
import dev.umbra.classifier.icap.IcapServer;
import dev.umbra.cli.Outputs;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.net.URI;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import dev.umbra.shipper.Finding;
import dev.umbra.shipper.Outcome;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.aggregate.UsageAggregator;
import dev.umbra.shipper.sink.OutputSpec;
import java.util.Properties;
import dev.umbra.shipper.ocsf.OcsfMapper;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.CatalogException;
import dev.umbra.signatures.CatalogHolder;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;
import dev.umbra.signatures.Policy;
import dev.umbra.signatures.integrity.CatalogTrust;
import dev.umbra.signatures.integrity.Ed25519Keys;
import java.security.PublicKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Builds the daemon's components from the configuration, in start order: catalog, sinks, metrics,
 * then the sources (live capture per interface). Settings that cannot work together are refused
 * here, before anything starts.
 */
public final class DaemonAssembly {
    private static final org.apache.logging.log4j.Logger LOG = org.apache.logging.log4j.LogManager.getLogger(DaemonAssembly.class);
    /** Time each component gets to stop. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final List<Component> components = new ArrayList<>();
    private final List<LiveCaptureComponent> captures = new ArrayList<>();
    // the DNS-only captures that look queries up for attribution (attributionPrewarm), apart from the captures
    private final List<LiveCaptureComponent> dnsCaptures = new ArrayList<>();
    private final List<LogStats> logStats = new ArrayList<>();
    private final AtomicLong icapRequests = new AtomicLong();
    private IcapComponent icap;
    private final AtomicLong bodiesClassified = new AtomicLong();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final AtomicLong findings = new AtomicLong();
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final String hostId;
    private Pipeline pipeline;
    private OutputsComponent outputs;
    private Daemon daemon;

    private DaemonAssembly(String hostId) {
        this.hostId = hostId;
    }

    /**
     * @throws IllegalArgumentException when the configuration asks for something this build cannot do
     */
    public static DaemonAssembly build(UmbraConfig config, PrintWriter out) {
        // SLF4J (Netty and Kafka log through it) initialises here, once: components start in parallel, and a
        // logger asked for during its initialisation on another thread is a substitute that drops lines
        org.slf4j.LoggerFactory.getILoggerFactory();
        String host = config.string(UmbraConfig.SENSOR_HOST_ID);
        DaemonAssembly a = new DaemonAssembly(host.isEmpty() ? localHostName() : host);
        a.assemble(config, out);
        return a;
    }

    private void assemble(UmbraConfig config, PrintWriter out) {
        List<String> interfaces = config.list(UmbraConfig.CAPTURE_INTERFACES);
        if (interfaces.isEmpty() && config.list(UmbraConfig.LOGS_FILES).isEmpty()
                && config.string(UmbraConfig.SYSLOG_LISTEN).isEmpty() && config.string(UmbraConfig.ICAP_LISTEN).isEmpty()) {
            throw new IllegalArgumentException("nothing to capture: set capture.interfaces, logs.files, "
                    + "syslog.listen or icap.listen");
        }
        CatalogComponent catalog = new CatalogComponent(config.string(UmbraConfig.CATALOG_PATH),
                config.list(UmbraConfig.CATALOG_TRUST_KEYS), config.bool(UmbraConfig.CATALOG_ALLOW_UNSIGNED),
                config.string(UmbraConfig.POLICY_PATH));
        components.add(catalog);

        OcsfMapper mapper = new OcsfMapper(UmbraCommand.version(), hostId);
        List<OutputSpec> specs = Outputs.parse(config.list(UmbraConfig.OUTPUT));
        OutputsComponent outputs = new OutputsComponent(specs, shipperProperties(config), mapper, out);
        components.add(outputs);
        this.outputs = outputs;
        UsageAggregator.Config windows = new UsageAggregator.Config(config.duration(UmbraConfig.AGGREGATION_WINDOW),
                config.number(UmbraConfig.AGGREGATION_MAX_WINDOWS), UsageAggregator.Config.defaults().maxFirstSeen(),
                config.number(UmbraConfig.AGGREGATION_UNUSUAL_RATE));
        AggregatorComponent aggregator = new AggregatorComponent(windows, f -> {
            findings.incrementAndGet();
            outputs.send(f);
        });
        components.add(aggregator);
        ProcessAttributor attributor = config.bool(UmbraConfig.ATTRIBUTION_ENABLED) ? ProcessAttributor.system() : null;
        if (attributor != null) {
            // load its classes and read /proc once now, so that the first real lookup is not the slow one, and
            // scan every process's descriptors: a client started later is then found among the pids since
            attributor.lookup(ProcessAttributor.Transport.TCP, "127.0.0.1", 1, "127.0.0.1", 1);
            attributor.prepare();
        }
        ContainerMetadata containers = attributor == null ? null
                : new ContainerMetadata(Path.of(config.string(UmbraConfig.ATTRIBUTION_HOST_ROOT)));
        pipeline = new Pipeline(catalog.matcher(), attributor, containers, aggregator::observe);
        pipeline.onDetections(aggregator::detections);

        String metricsListen = config.string(UmbraConfig.METRICS_LISTEN);
        if (!metricsListen.isEmpty()) {
            String[] hp = UmbraConfig.parseHostPort(metricsListen);
            components.add(new MetricsComponent(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), metrics,
                    () -> daemon.notReady()));
        }
        for (String iface : interfaces) {
            LiveCaptureConfig c = LiveCaptureConfig.of(iface)
                    .withSnaplen((int) config.number(UmbraConfig.CAPTURE_SNAPLEN))
                    .withPromiscuous(config.bool(UmbraConfig.CAPTURE_PROMISCUOUS))
                    .withBufferBytes((int) config.number(UmbraConfig.CAPTURE_BUFFER_BYTES))
                    .withImmediate(config.bool(UmbraConfig.CAPTURE_IMMEDIATE));
            if (attributor != null) {
                // attribution looks the socket up when the frame arrives: deliver within 10 ms, while the
                // process that sent it (a TLS client in its handshake, one waiting for a model's answer) still
                // owns it; a DNS client's socket may be gone by then: attributionPrewarm sees its query sooner
                c = c.withTimeoutMillis(10);
            }
            String bpf = config.string(UmbraConfig.CAPTURE_BPF);
            if (!bpf.isEmpty()) {
                c = c.withFilter(bpf);
            }
            LiveCaptureComponent capture = new LiveCaptureComponent(c, pipeline, anomalies,
                    (int) config.number(UmbraConfig.CAPTURE_MAX_FLOWS), config.duration(UmbraConfig.CAPTURE_WARMUP));
            capture.waitForInterface(config.bool(UmbraConfig.CAPTURE_WAIT_FOR_INTERFACES));
            if (attributor == null) {
                // a sensor on a tap: no process to ask, so the user who logged on at an address (Kerberos, SMB)
                // names it (on a host, the process's owner does, and a user set here would keep attribution out)
                capture.nameClientsByLogons(AddressBlocks.parse(config.list(UmbraConfig.CAPTURE_KERBEROS_KDCS),
                        UmbraConfig.CAPTURE_KERBEROS_KDCS.name()), AddressBlocks.parse(
                        config.list(UmbraConfig.CAPTURE_SMB_SERVERS), UmbraConfig.CAPTURE_SMB_SERVERS.name()));
                // and the device name its DHCP lease gave the address
                capture.nameClientHostsByDhcp(AddressBlocks.parse(config.list(UmbraConfig.CAPTURE_DHCP_SERVERS),
                        UmbraConfig.CAPTURE_DHCP_SERVERS.name()));
            }
            // a request challenged with 401 and sent again is reported once; on a host, attributed to its process
            // as it is held, while the client still runs (one refused and gone by the answer would lose it)
            capture.holdRequestsUntilAnswered(attributor != null ? pipeline::attribute : UnaryOperator.identity());
            long bodyBytes = config.number(UmbraConfig.CAPTURE_HTTP_BODY_BYTES);
            if (bodyBytes > 0) {
                // a classifier per interface: each capture thread uses its own
                capture.onHttpBodies((int) bodyBytes, new BodyClassifier(pipeline,
                        Path.of(config.string(UmbraConfig.CLASSIFIER_HMAC_KEY_FILE)), bodiesClassified));
            }
            captures.add(capture);
            components.add(capture);
            if (attributor != null && config.bool(UmbraConfig.ATTRIBUTION_DNS_CAPTURE)) {
                LiveCaptureComponent prewarm = attributionPrewarm(iface, pipeline);
                prewarm.waitForInterface(config.bool(UmbraConfig.CAPTURE_WAIT_FOR_INTERFACES));
                dnsCaptures.add(prewarm);
                components.add(prewarm);
            }
        }
        String format = config.string(UmbraConfig.LOGS_FORMAT);
        String squidFormat = config.string(UmbraConfig.LOGS_SQUID_LOGFORMAT);
        LogOptions logOptions = new LogOptions(format.equals("auto") ? null : LogFormat.fromId(format),
                squidFormat.isEmpty() ? null : squidFormat, null, null, LogOptions.DEFAULT_MAX_LINE_LENGTH);
        for (String file : config.list(UmbraConfig.LOGS_FILES)) {
            LogComponents.Tail tail = new LogComponents.Tail(Path.of(file), Path.of(config.string(UmbraConfig.LOGS_STATE_DIR)),
                    config.duration(UmbraConfig.LOGS_POLL_INTERVAL), logOptions, pipeline);
            logStats.add(tail.stats);
            components.add(tail);
        }
        String syslogListen = config.string(UmbraConfig.SYSLOG_LISTEN);
        if (!syslogListen.isEmpty()) {
            String[] hp = UmbraConfig.parseHostPort(syslogListen);
            int port = Integer.parseInt(hp[1]);
            String cert = config.string(UmbraConfig.SYSLOG_TLS_CERTIFICATE);
            String key = config.string(UmbraConfig.SYSLOG_TLS_KEY);
            SyslogConfig sc = new SyslogConfig(SyslogConfig.bindAddress(hp[0]), cert.isEmpty() ? port : -1, port,
                    cert.isEmpty() ? null : Path.of(cert), key.isEmpty() ? null : Path.of(key),
                    SyslogConfig.DEFAULT_MAX_MESSAGE_LENGTH, config.list(UmbraConfig.SYSLOG_ALLOW));
            LogComponents.Syslog syslog = new LogComponents.Syslog(sc, logOptions, pipeline);
            logStats.add(syslog.stats);
            components.add(syslog);
        }
        String icapListen = config.string(UmbraConfig.ICAP_LISTEN);
        if (!icapListen.isEmpty()) {
            String[] hp = UmbraConfig.parseHostPort(icapListen);
            Set<DetectionCategory> blockOn = new HashSet<>();
            config.list(UmbraConfig.ICAP_BLOCK_ON).forEach(c -> blockOn.add(DetectionCategory.valueOf(c.toUpperCase(Locale.ROOT))));
            IcapConfig icap = new IcapConfig(hp[0], Integer.parseInt(hp[1]), config.string(UmbraConfig.ICAP_MODE).equals("block"),
                    blockOn, IcapConfig.DEFAULT_BLOCK_PAGE, 4096, 16 * 1024 * 1024);
            this.icap = new IcapComponent(icap, Path.of(config.string(UmbraConfig.CLASSIFIER_HMAC_KEY_FILE)),
                    catalog.matcher(), aggregator, icapRequests);
            components.add(this.icap);
        }
        registerMetrics(attributor, containers);
        daemon = new Daemon(components, STOP_TIMEOUT);
    }

    private void registerMetrics(ProcessAttributor attributor, ContainerMetadata containers) {
        metrics.counter("umbra_packets_total", "Frames captured on all interfaces.",
                () -> captures.stream().mapToLong(c -> c.stats().delivered()).sum());
        metrics.counter("umbra_libpcap_dropped_total", "Frames libpcap dropped (buffer full).",
                () -> captures.stream().mapToLong(c -> c.stats().dropped()).sum());
        metrics.counter("umbra_libpcap_interface_dropped_total", "Frames the interface dropped.",
                () -> captures.stream().mapToLong(c -> c.stats().droppedByInterface()).sum());
        metrics.counter("umbra_capture_reopens_total",
                "Times a live capture was opened after a failure: its loop failed (interface gone, NIC reset) or its "
                        + "link was down at start.",
                () -> captures.stream().mapToLong(LiveCaptureComponent::reopens).sum());
        metrics.counters("umbra_anomalies_total", "Malformed input by anomaly code.", () -> {
            Map<Map<String, String>, Long> samples = new HashMap<>();
            for (Map.Entry<Anomaly, Long> e : anomalies.nonZero().entrySet()) {
                samples.put(Map.of("code", e.getKey().code()), e.getValue());
            }
            return samples;
        });
        metrics.counter("umbra_log_lines_total", "Log lines read (tailed files and syslog).",
                () -> logStats.stream().mapToLong(LogStats::lines).sum());
        metrics.counter("umbra_log_bad_lines_total", "Log lines that could not be parsed.",
                () -> logStats.stream().mapToLong(LogStats::badLines).sum());
        metrics.counter("umbra_icap_requests_total", "Requests to AI services the ICAP service classified.", icapRequests::get);
        if (icap != null) {
            metrics.counters("umbra_icap_total", "ICAP service counters (requests by ICAP method, responses by kind, "
                    + "requests out of scope, malformed input).", () -> {
                        Map<Map<String, String>, Long> samples = new HashMap<>();
                        icap.counters().forEach((k, v) -> samples.put(Map.of("counter", k), v));
                        return samples;
                    });
        }
        metrics.counter("umbra_http_bodies_classified_total",
                "Plaintext HTTP request bodies to AI services the live capture classified.", bodiesClassified::get);
        metrics.counter("umbra_observations_total", "Names seen (DNS, TLS, QUIC, HTTP, logs).", pipeline::observations);
        metrics.counter("umbra_observations_matched_total", "Names that matched an AI service.", pipeline::matched);
        metrics.counter("umbra_findings_total", "Findings handed to the outputs (after aggregation).", findings::get);
        metrics.counters("umbra_kafka_total", "Kafka delivery counters (queued, spooled, sent, acked, retried, dropped, errors).",
                () -> {
                    Map<Map<String, String>, Long> samples = new HashMap<>();
                    for (ShipperCounters c : outputs.kafkaCounters()) {
                        c.snapshot().forEach((k, v) -> samples.merge(Map.of("counter", k), v, Long::sum));
                    }
                    return samples;
                });
        metrics.gauge("umbra_spool_bytes", "Bytes in the Kafka spool.",
                () -> outputs.kafkaCounters().stream().mapToLong(ShipperCounters::spooledBytes).sum());
        if (attributor != null) {
            metrics.counter("umbra_attribution_dns_capture_frames_total", "DNS queries the attribution capture "
                    + "(attribution.dns_capture) handed over to be looked up as they were sent.",
                    () -> dnsCaptures.stream().mapToLong(c -> c.stats().delivered()).sum());
            metrics.counter("umbra_attribution_dns_capture_dropped_total", "Frames libpcap dropped in the attribution "
                    + "capture: those queries were looked up only when the main capture reported them (no finding lost).",
                    () -> dnsCaptures.stream().mapToLong(c -> c.stats().dropped()).sum());
            metrics.counters("umbra_attribution_total", "Process attribution lookups by outcome.", () -> {
                Map<Map<String, String>, Long> samples = new HashMap<>();
                attributor.counters().forEach((k, v) -> samples.put(Map.of("outcome", k), v));
                return samples;
            });
            metrics.counters("umbra_container_names_total", "Containers looked up in their runtime's files, by outcome "
                    + "(named, unnamed, unreadable).", () -> {
                        Map<Map<String, String>, Long> samples = new HashMap<>();
                        containers.counters().forEach((k, v) -> samples.put(Map.of("outcome", k), v));
                        return samples;
                    });
        }
    }

    public Daemon daemon() {
        return daemon;
    }

    /** One line: what runs. */
    public String summary() {
        List<String> names = new ArrayList<>();
        for (Component c : components) {
            names.add(c.name());
        }
        return "host " + hostId + "; " + String.join(", ", names);
    }

    /** Totals reported at exit: {@code stopped: N packets, N dropped by libpcap, ...}. */
    public String totals() {
        long packets = captures.stream().mapToLong(c -> c.stats().delivered()).sum();
        long dropped = captures.stream().mapToLong(c -> c.stats().dropped()).sum();
        return "stopped: " + packets + " packets, " + dropped + " dropped by libpcap, "
                + pipeline.observations() + " observations, " + findings.get() + " findings";
    }

    private static String localHostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }

    /**
     * A second capture of the interface, on a host with attribution on, that sees only DNS and has each query
     * whose name the catalog matches attributed as soon as it is sent. A DNS client's socket lives one round trip
     * to its resolver (dig exits on the answer, a program's resolver closes it), and the main capture's frames
     * wait up to its 10 ms read timeout in libpcap's ring: by then a client with a resolver a few milliseconds
     * away is gone. Here frames are handed over at once (immediate mode), few and small (512 bytes of each), so
     * the lookup runs while the client still owns its socket, and its owner is cached for that socket (30 s):
     * the main capture's report of the same query finds it there. A shorter read timeout for the main capture
     * instead cost drops under load (1 ms: 9,916 and 20,448 of 2.5 M frames at 50 k packets/s in the 16 MiB
     * ring, against none; docs/benchmarks.md, "Daemon"). Its frames are decoded only for that: its observations
     * go nowhere, its anomalies are not counted, and a drop here costs only an attribution. Measured at 50 k
     * packets/s of the mixed capture (about 2,000 DNS queries a second): 0.32 cores against 0.27, RSS 156 MB
     * against 154, no drops; {@code attribution.dns_capture: false} turns it off.
     */
    static LiveCaptureComponent attributionPrewarm(String iface, Pipeline pipeline) {
        // the default filter for DNS queries alone: to port 53 over UDP and TCP, with the VLAN clauses where the
        // link is Ethernet (libpcap refuses them on others, `any` among them). Answers too cost twice as much
        // CPU in all (0.66 cores against 0.32-0.37 at 50 k packets/s): the decoder reads them for the name cache
        LiveCaptureConfig c = LiveCaptureConfig.of(iface).withSnaplen(512).withBufferBytes(2 << 20)
                .withImmediate(true).withPromiscuous(false).withProtocols(EnumSet.of(CaptureProtocol.DNS_QUERIES));
        LiveCaptureComponent prewarm = new LiveCaptureComponent(c, o -> {
            if (o.kind() == ObservationKind.DNS_QUERY && pipeline.matches(o)) {
                pipeline.attribute(o);
            }
        }, new AnomalyCounters(), 1024, Duration.ZERO);
        prewarm.label("attribution capture");
        prewarm.idleTicks(false);
        return prewarm;
    }

    /**
     * The catalog (verified when it is a release directory) with the organisation's policy; SIGHUP
     * re-reads both, and a catalog or policy that fails to load keeps the previous one.
     */
    static final class CatalogComponent implements Component {
        private final String path;
        private final List<String> trustKeys;
        private final boolean allowUnsigned;
        private final String policy;
        private CatalogHolder holder;
        private final HostMatcher matcher = new HostMatcher() {
            @Override
            public Match match(CharSequence host) {
                return holder.matcher().match(host);
            }

            @Override
            public Match match(CharSequence host, CharSequence clientIp, String user) {
                return holder.matcher().match(host, clientIp, user);
            }

            @Override
            public Match matchRuntime(int port, CharSequence path, CharSequence clientIp, String user) {
                return holder.matcher().matchRuntime(port, path, clientIp, user);
            }

            @Override
            public boolean isRuntimePort(int port) {
                return holder.matcher().isRuntimePort(port);
            }
        };

        CatalogComponent(String path, List<String> trustKeys, boolean allowUnsigned, String policy) {
            this.path = path;
            this.trustKeys = trustKeys;
            this.allowUnsigned = allowUnsigned;
            this.policy = policy;
        }

        /** A matcher over whatever catalog is current. */
        HostMatcher matcher() {
            return matcher;
        }

        @Override
        public String startGroup() {
            return "sinks";
        }

        @Override
        public String name() {
            return "catalog " + (path.isEmpty() ? "(built in)" : path) + (policy.isEmpty() ? "" : " with policy " + policy);
        }

        @Override
        public void start() throws CatalogException {
            holder = new CatalogHolder(load());
        }

        @Override
        public void reload() throws CatalogException {
            holder.reload(this::load);
        }

        private Catalog load() throws CatalogException {
            Catalog c;
            if (path.isEmpty()) {
                c = Catalog.builtIn();
            } else {
                List<PublicKey> keys = new ArrayList<>();
                for (String k : trustKeys) {
                    try {
                        keys.add(Ed25519Keys.readPublic(Path.of(k)));
                    } catch (IOException e) {
                        throw new CatalogException("trust key " + k + ": " + e.getMessage(), e);
                    }
                }
                CatalogTrust trust = CatalogTrust.keys(keys);
                if (allowUnsigned) {
                    trust = trust.allowUnverified(w -> LOG.warn("catalog {}: {}", path, w));
                }
                c = Catalog.load(Path.of(path), trust);
            }
            return policy.isEmpty() ? c : c.withPolicy(Policy.load(Path.of(policy)));
        }

        @Override
        public void stop(Duration timeout) {
        }
    }

    /** Output properties of the shipper (spool, Kafka producer, host id) from the YAML configuration. */
    static Properties shipperProperties(UmbraConfig config) {
        Properties p = new Properties();
        config.producerSettings().forEach((k, v) -> p.setProperty("kafka.producer." + k, v));
        p.setProperty("spool.dir", config.string(UmbraConfig.SPOOL_DIR));
        p.setProperty("spool.max.bytes", Long.toString(config.number(UmbraConfig.SPOOL_MAX_BYTES)));
        p.setProperty("spool.fsync", config.string(UmbraConfig.SPOOL_FSYNC));
        String host = config.string(UmbraConfig.SENSOR_HOST_ID);
        if (!host.isEmpty()) {
            p.setProperty("sensor.host.id", host);
        }
        return p;
    }

    /** The outputs (stdout, files, Kafka with its spool); stopped last so that everything is delivered. */
    static final class OutputsComponent implements Component {
        private final List<OutputSpec> specs;
        private final Properties properties;
        private final OcsfMapper mapper;
        private final PrintWriter out;
        private volatile Outputs outputs;

        OutputsComponent(List<OutputSpec> specs, Properties properties, OcsfMapper mapper, PrintWriter out) {
            this.specs = specs;
            this.properties = properties;
            this.mapper = mapper;
            this.out = out;
        }

        @Override
        public String startGroup() {
            return "sinks";
        }

        @Override
        public String name() {
            List<String> names = new ArrayList<>();
            specs.forEach(s -> names.add(s.toString()));
            return "outputs " + String.join(",", names);
        }

        @Override
        public void start() throws IOException {
            String dir = properties.getProperty("spool.dir");
            if (specs.stream().anyMatch(s -> s.kind() == OutputSpec.Kind.KAFKA)) {
                Path spool = Path.of(dir);
                Files.createDirectories(spool);
                if (!Files.isWritable(spool)) {
                    throw new IOException("spool directory " + spool + " is not writable");
                }
            }
            try {
                outputs = Outputs.open(specs, properties, out, new PrintWriter(System.err, true), mapper);
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        void send(Finding f) {
            Outputs o = outputs;
            if (o != null) {
                o.send(f);
            }
        }

        List<ShipperCounters> kafkaCounters() {
            Outputs o = outputs;
            return o == null ? List.of() : o.kafkaCounters();
        }

        @Override
        public String notReady() {
            Outputs o = outputs;
            return o == null ? "not started" : o.notReady();
        }

        @Override
        public void stop(Duration timeout) {
            Outputs o = outputs;
            if (o != null) {
                o.finish(false);
            }
        }
    }

    /** Usage windows per (host, user, process, service); ticks once a second, flushes at stop. */
    static final class AggregatorComponent implements Component {
        private final UsageAggregator aggregator;
        private java.util.concurrent.ScheduledExecutorService ticker;

        AggregatorComponent(UsageAggregator.Config config, Consumer<Finding> out) {
            this.aggregator = new UsageAggregator(config, com.github.benmanes.caffeine.cache.Ticker.systemTicker(), out);
        }

        void observe(dev.umbra.sensor.Observation o, Match m) {
            aggregator.observe(o, m);
        }

        void detections(dev.umbra.sensor.Observation o, Match m, List<dev.umbra.classifier.Detection> d) {
            aggregator.detections(o, m, d);
        }

        void detections(dev.umbra.sensor.Observation o, Match m, List<dev.umbra.classifier.Detection> d,
                Outcome outcome) {
            aggregator.detections(o, m, d, outcome);
        }

        @Override
        public String startGroup() {
            return "sinks";
        }

        @Override
        public String name() {
            return "aggregation";
        }

        @Override
        public void start() {
            ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "umbra-aggregation-tick");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(aggregator::tick, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void stop(Duration timeout) {
            ticker.shutdownNow();
            aggregator.flush();
        }
    }

    /**
     * The ICAP REQMOD service: the proxy sends outbound requests; bodies to AI services are classified
     * and their detections become Data Security Findings (masked, with HMACs; never raw values). The
     * scope is the catalog: a request whose host it does not know is let through from its headers,
     * its body neither classified nor blocked. Whatever the policy's verdict (which may differ per
     * client and user), a known AI service is in scope: a secret sent to a sanctioned service is
     * still reported, and blocked in block mode.
     */
    static final class IcapComponent implements Component {
        private final IcapConfig config;
        private final Path keyFile;
        private final HostMatcher matcher;
        private final AggregatorComponent aggregator;
        private final AtomicLong requests;
        private volatile IcapServer server;

        IcapComponent(IcapConfig config, Path keyFile, HostMatcher matcher, AggregatorComponent aggregator,
                AtomicLong requests) {
            this.config = config;
            this.keyFile = keyFile;
            this.matcher = matcher;
            this.aggregator = aggregator;
            this.requests = requests;
        }

        @Override
        public String startGroup() {
            return "sources";
        }

        @Override
        public String name() {
            return "icap " + config.host() + ":" + config.port() + (config.block() ? " (block)" : " (monitor)");
        }

        @Override
        public void start() throws Exception {
            Classifier classifier = Classifier.create(classifierConfig(keyFile));
            // the same lookup as onRequest's, so that what is classified is exactly what is reported
            server = new IcapServer(config, classifier, (host, clientIp, user) -> matcher.match(host, clientIp, user) != null,
                    this::onRequest);
            server.start();
        }

        /** The service's counters; empty before it started. */
        Map<String, Long> counters() {
            IcapServer s = server;
            return s == null ? Map.of() : s.counters();
        }

        private void onRequest(IcapFinding f) {
            requests.incrementAndGet();
            URI uri;
            try {
                uri = URI.create(f.url().contains("://") ? f.url() : "http://" + f.url());
            } catch (IllegalArgumentException e) {
                return;
            }
            if (uri.getHost() == null) {
                return;
            }
            Observation o = Observation.request(Instant.now(), ObservationKind.HTTP_REQUEST, uri.getHost(), f.clientIp(),
                    0, null, uri.getPort() > 0 ? uri.getPort() : 0, f.user(), f.method(), uri.getRawPath(), 0, -1, -1,
                    "icap");
            Match m = matcher.match(o.hostname(), o.clientIp(), o.user());
            if (m == null) {
                return;
            }
            aggregator.observe(o, m);
            if (!f.detections().isEmpty()) {
                // only a blocking service decides; a monitoring one watched, as a capture does
                aggregator.detections(o, m, f.detections(),
                        !config.block() ? Outcome.OBSERVED : f.blocked() ? Outcome.BLOCKED : Outcome.ALLOWED);
            }
        }

        @Override
        public void stop(Duration timeout) {
            if (server != null) {
                server.close();
            }
        }
    }

    /** The classifier settings with this deployment's HMAC key (a random one, with a warning, when it cannot be read). */
    static ClassifierConfig classifierConfig(Path keyFile) throws java.io.IOException {
        Properties p = new Properties();
        if (Files.isReadable(keyFile)) {
            p.setProperty(ClassifierConfig.HMAC_KEY, Files.readString(keyFile).trim());
        } else {
            LOG.warn("HMAC key file {} not readable: using a random key for this run (repeats correlate only "
                    + "within it); create it with: od -An -tx1 -N32 /dev/urandom | tr -d ' \\n' > {}", keyFile, keyFile);
        }
        return ClassifierConfig.fromProperties(p);
    }

    /**
     * Classifies the plaintext request bodies a live capture hands over, on its thread: only those
     * whose host the catalog has (asked before the decoder keeps any of a body), with a classifier
     * made at the first such body.
     */
    static final class BodyClassifier implements dev.umbra.sensor.decode.PacketDecoder.BodyListener {
        private final Pipeline pipeline;
        private final Path keyFile;
        private final AtomicLong classified;
        private Classifier classifier;
        private dev.umbra.classifier.payload.PayloadExtractor extractor;
        private boolean failed;

        BodyClassifier(Pipeline pipeline, Path keyFile, AtomicLong classified) {
            this.pipeline = pipeline;
            this.keyFile = keyFile;
            this.classified = classified;
        }

        @Override
        public boolean wants(Observation request) {
            return !failed && pipeline.matches(request);
        }

        @Override
        public void body(Observation request, byte[] body, boolean complete, String contentType, String contentEncoding) {
            if (body.length == 0 || failed) {
                return;
            }
            if (classifier == null) {
                try {
                    classifier = Classifier.create(classifierConfig(keyFile));
                } catch (java.io.IOException | RuntimeException e) {
                    failed = true;
                    LOG.error("cannot make the classifier for plaintext HTTP bodies: {}; they are not classified", e.toString());
                    return;
                }
                extractor = new dev.umbra.classifier.payload.PayloadExtractor();
            }
            var x = extractor.extract(body, contentType, contentEncoding);
            classified.incrementAndGet();
            pipeline.detections(request, classifier.scan(x.text()).detections());
        }
    }

    /** The /healthz and /metrics listener. */
    static final class MetricsComponent implements Component {
        private final InetSocketAddress address;
        private final MetricsRegistry metrics;
        private final java.util.function.Supplier<String> readiness;
        private HealthServer server;

        MetricsComponent(InetSocketAddress address, MetricsRegistry metrics, java.util.function.Supplier<String> readiness) {
            this.address = address;
            this.metrics = metrics;
            this.readiness = readiness;
        }

        @Override
        public String startGroup() {
            return "sinks";
        }

        @Override
        public String name() {
            return "metrics " + address.getHostString() + ":" + address.getPort();
        }

        @Override
        public void start() throws IOException {
            server = new HealthServer(address, metrics, readiness);
        }

        @Override
        public void stop(Duration timeout) {
            if (server != null) {
                server.close();
            }
        }
    }
}

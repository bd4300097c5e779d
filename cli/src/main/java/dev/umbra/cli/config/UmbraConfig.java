package dev.umbra.cli.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.umbra.sensor.proxylog.LogFormat;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's configuration: one declarative table of keys ({@link #KEYS}) and an immutable set of
 * values read from a YAML file. Nested YAML maps are dotted keys ({@code capture: {snaplen: 9000}}
 * is {@code capture.snaplen}). Unknown keys, wrong types and values that break a rule are errors,
 * all reported at once, each as {@code FILE:LINE: Invalid value V for configuration K: rule. fix}.
 */
public final class UmbraConfig {
    private static final List<ConfigKey> TABLE = new ArrayList<>();


    public static final ConfigKey SENSOR_HOST_ID = key("sensor.host_id", ConfigType.STRING, "",
            ConfigKey.Validator.ANY, "Id of this sensor in findings and the Kafka record key; empty uses the host name.");

    public static final ConfigKey CAPTURE_INTERFACES = key("capture.interfaces", ConfigType.LIST, "[]",
            each("an interface name", s -> s.matches("[A-Za-z0-9_.:@-]{1,15}")),
            "Interfaces to capture on live (needs CAP_NET_RAW); empty disables live capture.");
    public static final ConfigKey CAPTURE_BPF = key("capture.bpf", ConfigType.STRING, "",
            ConfigKey.Validator.ANY, "BPF filter; empty builds one from the enabled decoders (DNS, TLS, QUIC, SOCKS5 UDP relays, HTTP, "
                    + "Kerberos; IP fragments and IPv6 extension headers; VLAN-tagged too on Ethernet).");
    public static final ConfigKey CAPTURE_SNAPLEN = key("capture.snaplen", ConfigType.INT, "65535",
            range(64, 262144), "Bytes captured per packet.");
    public static final ConfigKey CAPTURE_PROMISCUOUS = key("capture.promiscuous", ConfigType.BOOLEAN, "false",
            ConfigKey.Validator.ANY, "Promiscuous mode: true on a tap or SPAN port, false on a host.");
    public static final ConfigKey CAPTURE_BUFFER_BYTES = key("capture.buffer_bytes", ConfigType.SIZE, "16m",
            range(1L << 20, Integer.MAX_VALUE - 1L), "Kernel capture buffer per interface, mapped into the daemon (counts in its RSS); "
                    + "16m holds about 0.8 s of 50 k packets/s; 2m drops 14-20 % at 450 k packets/s, 128m none (taps).");
    public static final ConfigKey CAPTURE_MAX_FLOWS = key("capture.max_flows", ConfigType.INT, "65536",
            range(1024, 16_777_216), "Flows tracked at once per interface (about 120 bytes of heap each); when full the least "
                    + "recently active flow ends early, its bytes reported, and flow_evicted counts it.");
    public static final ConfigKey CAPTURE_HTTP_BODY_BYTES = key("capture.http_body_bytes", ConfigType.SIZE, "64k",
            range(0, 16L << 20), "Classify the first N bytes of each plaintext HTTP request body sent to an AI service "
                    + "(PII, PHI, secrets, source code); findings carry masked evidence and HMACs, never the values. 0: off.");
    public static final ConfigKey CAPTURE_WARMUP = key("capture.warmup", ConfigType.DURATION, "0s",
            durationRange(Duration.ZERO, Duration.ofMinutes(10)), "Before capturing, run the decoder over bundled synthetic "
                    + "frames for at most this long, until the JIT has compiled it: a cold decoder reads a third as fast and drops "
                    + "frames in a line-rate burst. Frames arriving meanwhile wait in the kernel buffer (capture.buffer_bytes) and "
                    + "/healthz says 'warming up'. Costs 2-5 s of CPU at start; 5s on a tap, 0s (off) on a host.");
    public static final ConfigKey CAPTURE_IMMEDIATE = key("capture.immediate", ConfigType.BOOLEAN, "false",
            ConfigKey.Validator.ANY, "Immediate mode: lower latency, more drops under load.");
    public static final ConfigKey CAPTURE_WAIT_FOR_INTERFACES = key("capture.wait_for_interfaces", ConfigType.BOOLEAN,
            "false", ConfigKey.Validator.ANY, "Start even when a capture interface does not exist yet (a VPN's wg0, a "
                    + "USB NIC) and capture once it appears, /healthz naming it meanwhile; false: a missing interface fails "
                    + "the start, which catches a misspelt name. A link that is down is always waited for.");
    public static final ConfigKey CAPTURE_KERBEROS_KDCS = key("capture.kerberos_kdcs", ConfigType.LIST, "[]",
            each("an address or CIDR block", UmbraConfig::isCidr), "With attribution off (a tap), clients are named by "
                    + "the Kerberos principal the KDC's replies name at their address; only replies from these addresses (the "
                    + "domain controllers) count, others are counted as kerberos_reply_untrusted. Empty: replies from any "
                    + "address count, so whoever can put a forged reply on the wire can name an address.");
    public static final ConfigKey CAPTURE_SMB_SERVERS = key("capture.smb_servers", ConfigType.LIST, "[]",
            each("an address or CIDR block", UmbraConfig::isCidr), "With attribution off (a tap), clients are also named "
                    + "by the NTLM user of an SMB session (port 445 or 139) a file server accepted from their address; only "
                    + "these servers' acceptances count, others are counted as smb_logon_untrusted. Empty: any server's "
                    + "count, so whoever can put a forged exchange on the wire can name an address.");
    public static final ConfigKey CAPTURE_DHCP_SERVERS = key("capture.dhcp_servers", ConfigType.LIST, "[]",
            each("an address or CIDR block", UmbraConfig::isCidr), "With attribution off (a tap), findings carry the "
                    + "client device's name (src_endpoint.hostname) its DHCP or DHCPv6 lease gave the address (the host "
                    + "name or FQDN the device sent); only DHCPACKs and DHCPv6 REPLYs from these servers or relay agents "
                    + "(for DHCPv6 the address their REPLYs come from, often link-local) count, others are counted as "
                    + "dhcp_ack_untrusted. Empty: any server's count, so a rogue DHCP server can name an address.");

    public static final ConfigKey ATTRIBUTION_ENABLED = key("attribution.enabled", ConfigType.BOOLEAN, "true",
            ConfigKey.Validator.ANY, "Attribute flows and DNS queries of this host to a process and user (Linux /proc).");
    public static final ConfigKey ATTRIBUTION_HOST_ROOT = key("attribution.host_root", ConfigType.STRING, "/",
            path(), "Where the host's root file system is, for "
                    + "the container runtimes' files that name a container (Docker's, Podman's, CRI-O's, containerd's, the "
                    + "kubelet's /var/log/containers): / for the daemon on the host, the mount point of the host's root when the "
                    + "daemon itself runs in a container (a Kubernetes DaemonSet's hostPath).");
    public static final ConfigKey ATTRIBUTION_DNS_CAPTURE = key("attribution.dns_capture", ConfigType.BOOLEAN, "true",
            ConfigKey.Validator.ANY, "With attribution on, a second capture of each interface that sees only DNS queries, "
                    + "handed over at once, so that a short-lived client (dig, a script, a resolver library's socket) is "
                    + "looked up while it still runs: with a resolver 1-3 ms away, 28-30 of 30 dig queries are named, against "
                    + "3-14 without it. Costs 0.05-0.1 core at 2,000 DNS queries a second; false on a host that sends DNS "
                    + "in bulk.");

    public static final ConfigKey LOGS_FILES = key("logs.files", ConfigType.LIST, "[]",
            each("an absolute path", s -> s.startsWith("/")), "Proxy or sensor log files to tail (rotation followed).");
    public static final ConfigKey LOGS_FORMAT = key("logs.format", ConfigType.STRING, "auto",
            UmbraConfig::checkLogFormat,
            "Format of tailed logs and syslog messages; auto detects it from the first lines.");
    public static final ConfigKey LOGS_SQUID_LOGFORMAT = key("logs.squid_logformat", ConfigType.STRING, "",
            ConfigKey.Validator.ANY, "Squid logformat definition of the logs (as in squid.conf), for custom Squid formats.");
    public static final ConfigKey LOGS_STATE_DIR = key("logs.state_dir", ConfigType.STRING, "/var/lib/umbra/offsets",
            path(), "Where the read offset of every tailed file is kept, so a restart neither skips nor repeats lines.");
    public static final ConfigKey LOGS_POLL_INTERVAL = key("logs.poll_interval", ConfigType.DURATION, "250ms",
            durationRange(Duration.ofMillis(10), Duration.ofMinutes(1)), "How often tailed files are checked for new lines.");

    public static final ConfigKey SYSLOG_LISTEN = key("syslog.listen", ConfigType.STRING, "",
            hostPort(true), "Address:port of the syslog listener (UDP and TCP); empty disables it.");
    public static final ConfigKey SYSLOG_TLS_CERTIFICATE = key("syslog.tls_certificate", ConfigType.STRING, "",
            ConfigKey.Validator.ANY, "PEM certificate chain; with syslog.tls_key the TCP listener speaks TLS (RFC 5425).");
    public static final ConfigKey SYSLOG_TLS_KEY = key("syslog.tls_key", ConfigType.STRING, "",
            ConfigKey.Validator.ANY, "PEM PKCS#8 private key of the TLS syslog listener.");
    public static final ConfigKey SYSLOG_ALLOW = key("syslog.allow", ConfigType.LIST, "[127.0.0.0/8, ::1/128]",
            each("an address or CIDR block", UmbraConfig::isCidr), "Senders the syslog listener accepts.");

    public static final ConfigKey ICAP_LISTEN = key("icap.listen", ConfigType.STRING, "",
            hostPort(true), "Address:port of the ICAP REQMOD service; empty disables it.");
    public static final ConfigKey ICAP_MODE = key("icap.mode", ConfigType.STRING, "monitor",
            oneOf("monitor", "block"), "Only requests to AI services (hosts in the catalog, whatever the policy's verdict) are "
                    + "classified and reported; requests to other hosts pass untouched. monitor lets "
                    + "every request through; block answers the block page as icap.block_on says.");

    public static final ConfigKey ICAP_BLOCK_ON = key("icap.block_on", ConfigType.LIST, "[secret]",
            each("a detection category (pii, phi, secret, source_code, custom)",
                    x -> List.of("pii", "phi", "secret", "source_code", "custom").contains(x)),
            "In block mode, requests to AI services carrying these categories get the block page; requests to other "
                    + "hosts are never blocked.");
    public static final ConfigKey CLASSIFIER_HMAC_KEY_FILE = key("classifier.hmac_key_file", ConfigType.STRING,
            "/etc/umbra/hmac.key", path(), "Hex HMAC-SHA256 key of this deployment (the package creates it); "
                    + "findings carry HMACs of sensitive values under it, never the values. Missing: a random key per run.");

    public static final ConfigKey CATALOG_PATH = key("catalog.path", ConfigType.STRING, "",
            ConfigKey.Validator.ANY, "Signed catalog release directory; empty uses the catalog built into Umbra.");
    public static final ConfigKey CATALOG_TRUST_KEYS = key("catalog.trust_keys", ConfigType.LIST, "[]",
            each("an absolute path", x -> x.startsWith("/")), "Ed25519 public keys (PEM) trusted to sign catalog releases.");
    public static final ConfigKey CATALOG_ALLOW_UNSIGNED = key("catalog.allow_unsigned", ConfigType.BOOLEAN, "false",
            ConfigKey.Validator.ANY, "Load a catalog whose signature is missing or does not verify (not recommended).");
    public static final ConfigKey POLICY_PATH = key("policy.path", ConfigType.STRING, "",
            ConfigKey.Validator.ANY, "The organisation's policy file (JSON: verdicts, custom services, exceptions; docs/catalog.md); empty: every verdict unknown.");

    public static final ConfigKey OUTPUT = key("output", ConfigType.LIST, "[stdout]",
            each("stdout, file:PATH or kafka://HOST:PORT/TOPIC", UmbraConfig::isOutput), "Where findings go.");
    public static final ConfigKey KAFKA_PRODUCER = key("kafka.producer", ConfigType.STRING, "{}",
            ConfigKey.Validator.ANY, "Producer settings passed to kafka-clients as they are (security.protocol, sasl.*, ssl.* ...).");
    public static final ConfigKey SPOOL_DIR = key("spool.dir", ConfigType.STRING, "/var/lib/umbra/spool",
            path(), "Directory of the on-disk spool of findings not yet acknowledged by Kafka.");
    public static final ConfigKey SPOOL_MAX_BYTES = key("spool.max_bytes", ConfigType.SIZE, "1g",
            range(1L << 20, 1L << 40), "Spool size bound; when full the oldest findings are dropped and counted.");
    public static final ConfigKey SPOOL_FSYNC = key("spool.fsync", ConfigType.STRING, "interval",
            oneOf("always", "interval", "never"), "When the spool is forced to disk: every record, once a second, or never.");
    public static final ConfigKey AGGREGATION_WINDOW = key("aggregation.window", ConfigType.DURATION, "60s",
            durationRange(Duration.ofSeconds(1), Duration.ofDays(1)), "Usage events are aggregated per host, user, process and service over this window.");

    public static final ConfigKey AGGREGATION_MAX_WINDOWS = key("aggregation.max_windows", ConfigType.INT, "20000",
            range(100, 10_000_000), "Usage windows open at once (about 400 bytes of heap each); when full the least recently "
                    + "used window is emitted early: nothing is lost, that window is only shorter.");

    public static final ConfigKey AGGREGATION_UNUSUAL_RATE = key("aggregation.unusual_rate_threshold", ConfigType.INT,
            "1000", range(0, 1_000_000_000), "Sightings of one service by one host in a window that raise an unusual_request_rate finding; 0 disables.");

    public static final ConfigKey METRICS_LISTEN = key("metrics.listen", ConfigType.STRING, "127.0.0.1:9464",
            hostPort(true), "Address:port of /healthz and /metrics (Prometheus); empty disables it.");
    public static final ConfigKey LOG_LEVEL = key("log.level", ConfigType.STRING, "info",
            oneOf("error", "warn", "info", "debug"), "Log level.");
    public static final ConfigKey LOG_FORMAT = key("log.format", ConfigType.STRING, "text",
            oneOf("text", "json"), "Layout of the log on standard error (journald): text lines, or one JSON object per "
                    + "line with time, level, logger, thread and message.");
    public static final ConfigKey LOG_REPEAT_BURST = key("log.repeat_burst", ConfigType.INT, "5",
            range(0, 1_000_000), "Identical messages (same logger and message pattern) logged per log.repeat_window; "
                    + "further repeats are dropped and reported once with their count at the end of the window. 0 logs every repeat.");
    public static final ConfigKey LOG_REPEAT_WINDOW = key("log.repeat_window", ConfigType.DURATION, "60s",
            durationRange(Duration.ofSeconds(1), Duration.ofDays(1)), "Window of log.repeat_burst.");

    /** Every key, in the order of the default file. */
    public static final List<ConfigKey> KEYS = Collections.unmodifiableList(TABLE);

    private static final String MAP_KEY = KAFKA_PRODUCER.name();

    private final Map<String, Object> values;
    private final Map<String, String> producer;

    private UmbraConfig(Map<String, Object> values, Map<String, String> producer) {
        this.values = values;
        this.producer = producer;
    }

    private static ConfigKey key(String name, ConfigType type, String def, ConfigKey.Validator v, String doc) {
        ConfigKey k = new ConfigKey(name, type, def, v, doc);
        TABLE.add(k);
        return k;
    }

    /** The configuration with every key at its default. */
    public static UmbraConfig defaults() {
        try {
            return parse("(defaults)", "{}");
        } catch (ConfigException e) {
            throw new IllegalStateException("defaults do not validate: " + e.getMessage(), e);
        }
    }

    /**
     * Reads and validates a YAML file.
     *
     * @throws ConfigException listing every error
     * @throws IOException when the file cannot be read
     */
    public static UmbraConfig load(Path file) throws IOException, ConfigException {
        return parse(file.toString(), Files.readString(file));
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static UmbraConfig parse(String source, String yaml) throws ConfigException {
        List<String> errors = new ArrayList<>();
        Map<String, Scalar> raw = new LinkedHashMap<>();
        YAMLFactory factory = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        try (JsonParser p = factory.createParser(yaml)) {
            JsonToken first = p.nextToken();
            if (first != null && first != JsonToken.VALUE_NULL) {
                if (first != JsonToken.START_OBJECT) {
                    throw new ConfigException(List.of(source + ":1: the configuration must be a YAML mapping of keys"));
                }
                flatten(p, "", raw, source, errors);
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(List.of(source + ":" + line + ": not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(List.of(source + ": cannot read: " + e.getMessage()));
        }

        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> producer = new LinkedHashMap<>();
        Map<String, ConfigKey> byName = new LinkedHashMap<>();
        for (ConfigKey k : TABLE) {
            byName.put(k.name(), k);
        }
        for (Map.Entry<String, Scalar> e : raw.entrySet()) {
            String name = e.getKey();
            Scalar s = e.getValue();
            if (name.startsWith(MAP_KEY + ".")) {
                if (s.list != null) {
                    errors.add(s.where(source) + "Invalid value " + s.text() + " for configuration " + name
                            + ": producer settings are plain values. Write it as one string.");
                } else {
                    producer.put(name.substring(MAP_KEY.length() + 1), s.text);
                }
                continue;
            }
            ConfigKey k = byName.get(name);
            if (k == null || k == KAFKA_PRODUCER) {
                errors.add(s.where(source) + "Unknown configuration key " + name + "." + suggestion(name, byName.keySet()));
                continue;
            }
            Object value = convert(k, s, source, errors);
            if (value != null) {
                values.put(name, value);
            }
        }
        for (ConfigKey k : TABLE) {
            if (k != KAFKA_PRODUCER && !values.containsKey(k.name())) {
                Object def = convert(k, Scalar.ofDefault(k.defaultValue()), "(default)", errors);
                values.put(k.name(), def);
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new UmbraConfig(Collections.unmodifiableMap(values), Collections.unmodifiableMap(producer));
    }

    /** The parsed value of a key (String, Boolean, Long, Duration or List of String). */
    public Object value(ConfigKey k) {
        return values.get(k.name());
    }

    public String string(ConfigKey k) {
        return (String) values.get(k.name());
    }

    public boolean bool(ConfigKey k) {
        return (Boolean) values.get(k.name());
    }

    public long number(ConfigKey k) {
        return (Long) values.get(k.name());
    }

    public Duration duration(ConfigKey k) {
        return (Duration) values.get(k.name());
    }

    @SuppressWarnings("unchecked")
    public List<String> list(ConfigKey k) {
        return (List<String>) values.get(k.name());
    }

    /** Producer settings under {@code kafka.producer}, passed to kafka-clients as they are. */
    public Map<String, String> producerSettings() {
        return producer;
    }

    /** A commented YAML file with every key at its default, generated from the table. */
    public static String defaultsYaml() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Umbra daemon configuration (umbra run --config FILE).\n");
        sb.append("# Generated by 'umbra config defaults'; check a file with 'umbra config check FILE'.\n");
        sb.append("# Every key is shown at its default. Unknown keys are errors.\n");
        String group = null;
        for (ConfigKey k : TABLE) {
            int dot = k.name().indexOf('.');
            String g = dot < 0 ? null : k.name().substring(0, dot);
            String leaf = dot < 0 ? k.name() : k.name().substring(dot + 1);
            if (g == null || !g.equals(group)) {
                sb.append('\n');
                if (g != null) {
                    sb.append(g).append(":\n");
                }
                group = g;
            }
            String indent = g == null ? "" : "  ";
            sb.append(indent).append("# ").append(k.doc()).append('\n');
            String value = k.defaultValue();
            if (k.type() == ConfigType.STRING && !value.equals("{}")) {
                value = "\"" + value + "\"";
            } else if (k.type() == ConfigType.LIST && value.length() > 2) {
                List<String> quoted = new ArrayList<>();
                for (String item : Scalar.ofDefault(value).list()) {
                    quoted.add("\"" + item + "\"");
                }
                value = "[" + String.join(", ", quoted) + "]";
            }
            sb.append(indent).append(leaf).append(": ").append(value).append('\n');
        }
        return sb.toString();
    }

    // ---- parsing --------------------------------------------------------------------------

    /** A scalar or a list of scalars with the line it came from. */
    private record Scalar(String text, List<String> list, int line) {
        static Scalar ofDefault(String text) {
            if (text.startsWith("[")) {
                String inner = text.substring(1, text.length() - 1).trim();
                List<String> items = new ArrayList<>();
                if (!inner.isEmpty()) {
                    for (String s : inner.split(",")) {
                        items.add(s.trim());
                    }
                }
                return new Scalar(null, items, 0);
            }
            return new Scalar(text, null, 0);
        }

        String where(String source) {
            return source + (line > 0 ? ":" + line : "") + ": ";
        }

        String shown() {
            return list != null ? list.toString() : text;
        }
    }

    private static void flatten(JsonParser p, String prefix, Map<String, Scalar> out, String source,
            List<String> errors) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            String name = prefix.isEmpty() ? field : prefix + "." + field;
            int line = p.currentLocation().getLineNr();
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                flatten(p, name, out, source, errors);
            } else if (t == JsonToken.START_ARRAY) {
                List<String> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken().isStructStart()) {
                        errors.add(source + ":" + line + ": Invalid value for configuration " + name
                                + ": list items must be plain values. Remove the nested mapping or list.");
                        p.skipChildren();
                    } else {
                        items.add(p.getText());
                    }
                }
                out.put(name, new Scalar(null, items, line));
            } else {
                out.put(name, new Scalar(t == JsonToken.VALUE_NULL ? "" : p.getText(), null, line));
            }
        }
    }

    private static Object convert(ConfigKey k, Scalar s, String source, List<String> errors) {
        String prefix = s.where(source) + "Invalid value " + s.shown() + " for configuration " + k.name() + ": ";
        Object value;
        if (k.type() == ConfigType.LIST) {
            if (s.list == null) {
                if (s.text.isEmpty()) {
                    value = List.of();
                } else {
                    errors.add(prefix + "expected a list. Write it as [a, b] or one '- item' per line.");
                    return null;
                }
            } else {
                value = List.copyOf(s.list);
            }
        } else if (s.list != null) {
            errors.add(prefix + "expected a single " + k.type().name().toLowerCase(Locale.ROOT)
                    + " value, not a list.");
            return null;
        } else {
            String text = s.text.trim();
            try {
                value = switch (k.type()) {
                    case STRING -> s.text;
                    case BOOLEAN -> {
                        if (!text.equals("true") && !text.equals("false")) {
                            throw new IllegalArgumentException("expected true or false.");
                        }
                        yield Boolean.parseBoolean(text);
                    }
                    case INT -> {
                        if (!text.matches("-?\\d{1,18}")) {
                            throw new IllegalArgumentException("expected a whole number.");
                        }
                        yield Long.parseLong(text);
                    }
                    case SIZE -> parseSize(text);
                    case DURATION -> parseDuration(text);
                    case LIST -> throw new AssertionError();
                };
            } catch (IllegalArgumentException e) {
                errors.add(prefix + e.getMessage());
                return null;
            }
        }
        String problem = k.validator().check(value);
        if (problem != null) {
            errors.add(prefix + problem);
            return null;
        }
        return value;
    }

    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");

    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 4096, 512k, 128m or 1g.");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 5m, 1h or 1d.");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    // ---- validators ------------------------------------------------------------------------

    private static ConfigKey.Validator range(long min, long max) {
        return v -> {
            long n = (Long) v;
            return n >= min && n <= max ? null : "must be between " + min + " and " + max + ". Pick a value in that range.";
        };
    }

    private static ConfigKey.Validator durationRange(Duration min, Duration max) {
        return v -> {
            Duration d = (Duration) v;
            return d.compareTo(min) >= 0 && d.compareTo(max) <= 0 ? null
                    : "must be between " + min.toSeconds() + "s and " + max.toSeconds() + "s.";
        };
    }

    private static ConfigKey.Validator oneOf(String... allowed) {
        return v -> List.of(allowed).contains(v) ? null : "must be one of " + String.join(", ", allowed) + ".";
    }

    private static ConfigKey.Validator each(String what, java.util.function.Predicate<String> ok) {
        return v -> {
            @SuppressWarnings("unchecked")
            List<String> items = (List<String>) v;
            for (String item : items) {
                if (!ok.test(item)) {
                    return "item " + item + " is not " + what + ". Fix or remove that item.";
                }
            }
            return null;
        };
    }

    private static String checkLogFormat(Object v) {
        if (v.equals("auto")) {
            return null;
        }
        try {
            LogFormat.fromId((String) v);
            return null;
        } catch (IllegalArgumentException e) {
            return "must be auto or one of " + LogFormat.ids() + ".";
        }
    }

    private static ConfigKey.Validator path() {
        return v -> ((String) v).startsWith("/") ? null : "must be an absolute path. Start it with /.";
    }

    private static ConfigKey.Validator hostPort(boolean emptyAllowed) {
        return v -> {
            String s = (String) v;
            if (s.isEmpty() && emptyAllowed) {
                return null;
            }
            return parseHostPort(s) != null ? null
                    : "expected ADDRESS:PORT such as 127.0.0.1:9464 or [::1]:9464. Use a literal address and a port 1-65535.";
        };
    }

    /** Parses {@code 1.2.3.4:80} or {@code [::1]:80}; returns {host, port} or null. */
    public static String[] parseHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return null;
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            return null;
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return null;
        }
        if (!isLiteralAddress(host) && !host.equals("localhost")) {
            return null;
        }
        return new String[] {host, port};
    }

    private static boolean isLiteralAddress(String s) {
        if (!s.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(s); // literal only (checked above): no name lookup happens
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isCidr(String s) {
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        if (!isLiteralAddress(address)) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        String bits = s.substring(slash + 1);
        int max = address.contains(":") ? 128 : 32;
        return bits.matches("\\d{1,3}") && Integer.parseInt(bits) <= max;
    }

    static boolean isOutput(String s) {
        if (s.equals("stdout")) {
            return true;
        }
        if (s.startsWith("file:")) {
            return s.length() > 5;
        }
        return s.matches("kafka://[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}(,[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5})*/[A-Za-z0-9._-]{1,249}");
    }

    private static String suggestion(String name, Iterable<String> known) {
        String best = null;
        int bestDistance = 4;
        for (String k : known) {
            int d = distance(name, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? " Remove it; 'umbra config defaults' lists every key."
                : " Did you mean " + best + "?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

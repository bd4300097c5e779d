package dev.umbra.sensor.proxylog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The log formats Umbra reads. The wire form ({@link #id()}) is what {@code --log-format} takes. */
public enum LogFormat {
    /** Squid's native access log ({@code logformat squid}). */
    SQUID("squid"),
    /** Squid's combined access log. */
    SQUID_COMBINED("squid-combined"),
    /** Squid's common access log. */
    SQUID_COMMON("squid-common"),
    /** A Squid access log in a user-supplied {@code logformat}. */
    SQUID_LOGFORMAT("squid-logformat"),
    /** Cisco WSA (IronPort) access log: Squid native plus policy and scanning fields. */
    CISCO_WSA("cisco-wsa"),
    /** W3C extended / Blue Coat ProxySG ELFF (also Cisco WSA W3C logs). */
    W3C("w3c"),
    /** Zscaler NSS web feed, JSON. */
    ZSCALER_JSON("zscaler-json"),
    /** Zscaler NSS web feed, name=value pairs. */
    ZSCALER_KV("zscaler-kv"),
    /** Zscaler NSS web feed, CSV. */
    ZSCALER_CSV("zscaler-csv"),
    /** Palo Alto PAN-OS THREAT/url CSV. */
    PANOS("panos"),
    /** Zeek dns/ssl/http logs, TSV. */
    ZEEK("zeek"),
    /** Zeek dns/ssl/http logs, JSON. */
    ZEEK_JSON("zeek-json"),
    /** Suricata EVE JSON. */
    SURICATA("suricata");

    private final String id;

    LogFormat(String id) {
        this.id = id;
    }

    /** The stable id. */
    public String id() {
        return id;
    }

    /**
     * The format of an id (case-insensitive; {@code elff} and {@code bluecoat} are {@link #W3C}).
     *
     * @throws IllegalArgumentException listing the ids when none matches
     */
    public static LogFormat fromId(String id) {
        String k = id.toLowerCase(Locale.ROOT);
        if (k.equals("elff") || k.equals("bluecoat")) {
            return W3C;
        }
        for (LogFormat f : values()) {
            if (f.id.equals(k)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown log format " + id + "; expected one of " + ids());
    }

    /** Every id, comma-separated. */
    public static String ids() {
        List<String> out = new ArrayList<>();
        for (LogFormat f : values()) {
            out.add(f.id);
        }
        return String.join(", ", out);
    }
}

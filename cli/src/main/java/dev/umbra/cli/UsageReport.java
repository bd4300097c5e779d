package dev.umbra.cli;

import dev.umbra.classifier.Detection;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.Finding;
import dev.umbra.signatures.Match;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AI service usage of an audit, grouped per (client, service) for the table and per (client,
 * service, OCSF class) for events. The client is the user when the source names one (proxy logs),
 * else the client IP. Per row: requests, bytes up and down where the source counts them, first and
 * last seen, and the URL paths requested (queries are never kept).
 */
final class UsageReport {
    /** One (client, service) row. */
    static final class Row {
        final String client;
        final Match match;
        final Set<String> hostnames = new LinkedHashSet<>();
        final Set<String> paths = new LinkedHashSet<>();
        final Set<String> addresses = new LinkedHashSet<>();
        /** The client devices' names (DHCP leases), in order of arrival, at most {@link #MAX_PATHS}. */
        final Set<String> devices = new LinkedHashSet<>();
        final Map<EventClass, Group> groups = new EnumMap<>(EventClass.class);
        Instant first;
        Instant last;
        long count;
        /** Bytes uploaded, or -1 when no source counted them. */
        long bytesUp = -1;
        /** Bytes downloaded, or -1 when no source counted them. */
        long bytesDown = -1;
        /** Paths seen beyond {@link #MAX_PATHS}. */
        long morePaths;
        /** Sightings that were the outer SNI of an Encrypted Client Hello. */
        long echSightings;
        /** Sightings that named the service themselves (every kind but flow_end, whose name comes from them). */
        long namingSightings;

        Row(String client, Match match) {
            this.client = client;
            this.match = match;
        }
    }

    /** The sightings of one row in one OCSF class. */
    static final class Group {
        Observation first;
        // the client device's name, when a sighting of the group had one (its DHCP lease seen)
        String clientHostname;
        final Set<String> hostnames = new LinkedHashSet<>();
        Instant last;
        long count;
    }

    /** Sensitive data found in the body of one request to an AI service. */
    record Sent(String client, Match match, Observation request, List<Detection> detections) {
    }

    /** Distinct URL paths kept per row. */
    static final int MAX_PATHS = 20;

    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final List<Sent> sent = new ArrayList<>();

    void add(Observation o, Match m) {
        String client = clientOf(o);
        Row row = rows.computeIfAbsent(client + '\u0000' + m.service().id(), k -> new Row(client, m));
        row.hostnames.add(o.hostname());
        if (o.clientIp() != null && row.addresses.size() < MAX_PATHS) {
            row.addresses.add(o.clientIp());
        }
        if (o.clientHostname() != null && row.devices.size() < MAX_PATHS) {
            row.devices.add(o.clientHostname());
        }
        if (o.urlPath() != null && !row.paths.contains(o.urlPath())) {
            if (row.paths.size() < MAX_PATHS) {
                row.paths.add(o.urlPath());
            } else {
                row.morePaths++;
            }
        }
        if (o.bytesOut() >= 0) {
            row.bytesUp = Math.max(row.bytesUp, 0) + o.bytesOut();
        }
        if (o.bytesIn() >= 0) {
            row.bytesDown = Math.max(row.bytesDown, 0) + o.bytesIn();
        }
        if (o.ech()) {
            row.echSightings++;
        }
        if (o.kind() != ObservationKind.FLOW_END) {
            row.namingSightings++;
        }
        row.count++;
        row.first = row.first == null || o.time().isBefore(row.first) ? o.time() : row.first;
        row.last = row.last == null || o.time().isAfter(row.last) ? o.time() : row.last;
        Group g = row.groups.computeIfAbsent(Finding.activityClassOf(o.kind()), k -> new Group());
        if (g.first == null || o.time().isBefore(g.first.time())) {
            g.first = o;
        }
        if (o.clientHostname() != null) {
            g.clientHostname = o.clientHostname();
        }
        g.last = g.last == null || o.time().isAfter(g.last) ? o.time() : g.last;
        g.hostnames.add(o.hostname());
        g.count++;
    }

    /**
     * True when every sighting of the row was the outer SNI of an Encrypted Client Hello: the
     * service is then known only by the public name the client put in clear, not by its real
     * destination (which ECH encrypts), nor by DNS or an HTTP request. Flow ends do not count:
     * their name is the one the flow's hello gave.
     */
    static boolean echOnly(Row r) {
        return r.namingSightings > 0 && r.echSightings == r.namingSightings;
    }

    /**
     * The row's notes, or null: {@code ech-outer-sni-only} (see {@link #echOnly}), and {@code device=} the
     * client devices' names (their DHCP leases; spaces as underscores, so that a note stays one word).
     */
    static String notes(Row r) {
        List<String> notes = new ArrayList<>(2);
        if (echOnly(r)) {
            notes.add("ech-outer-sni-only");
        }
        if (!r.devices.isEmpty()) {
            notes.add("device=" + String.join(",", r.devices).replace(' ', '_'));
        }
        return notes.isEmpty() ? null : String.join(" ", notes);
    }

    /**
     * Rows sorted by client, then service id: the order of their keys, client NUL id, since NUL
     * sorts before any character of a client or an id: one String comparison per step, no key
     * extractors (an audit may have tens of thousands of rows).
     */
    List<Row> rows() {
        String[] keys = rows.keySet().toArray(String[]::new);
        Arrays.sort(keys);
        List<Row> out = new ArrayList<>(keys.length);
        for (String k : keys) {
            out.add(rows.get(k));
        }
        return out;
    }

    /** Records the detections in the body of request {@code o} (matched as {@code m}). */
    void sent(Observation o, Match m, List<Detection> detections) {
        sent.add(new Sent(clientOf(o), m, o, List.copyOf(detections)));
    }

    /** The requests with sensitive data, by client, service and time. */
    List<Sent> sent() {
        List<Sent> out = new ArrayList<>(sent);
        out.sort(java.util.Comparator.comparing(Sent::client).thenComparing(s -> s.match().service().id())
                .thenComparing(s -> s.request().time()));
        return out;
    }

    /** One usage event per (client, service, class), in row order, then a Data Security Finding per request with sensitive data. */
    List<Finding> findings() {
        List<Finding> out = new ArrayList<>();
        for (Row r : rows()) {
            for (Group g : r.groups.values()) {
                Observation first = g.clientHostname == null || g.clientHostname.equals(g.first.clientHostname())
                        ? g.first : g.first.withClientHostname(g.clientHostname);
                out.add(Finding.usage(first, r.match, new ArrayList<>(g.hostnames), g.last, g.count));
            }
        }
        for (Sent s : sent()) {
            out.add(Finding.dataSecurity(s.request(), s.match(), s.detections()));
        }
        return out;
    }

    private static String clientOf(Observation o) {
        return o.user() != null ? o.user() : o.clientIp() == null ? "-" : o.clientIp();
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }
}

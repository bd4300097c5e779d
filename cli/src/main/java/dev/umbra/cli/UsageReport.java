package dev.umbra.cli;

import dev.umbra.sensor.Observation;
import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.Finding;
import dev.umbra.signatures.Match;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AI service usage of an audit, grouped per (client IP, service) for the table and per
 * (client IP, service, OCSF class) for events.
 */
final class UsageReport {
    /** One (client, service) row. */
    static final class Row {
        final String client;
        final Match match;
        final Set<String> hostnames = new LinkedHashSet<>();
        final Map<EventClass, Group> groups = new EnumMap<>(EventClass.class);
        Instant first;
        Instant last;
        long count;

        Row(String client, Match match) {
            this.client = client;
            this.match = match;
        }
    }

    /** The sightings of one row in one OCSF class. */
    static final class Group {
        Observation first;
        final Set<String> hostnames = new LinkedHashSet<>();
        Instant last;
        long count;
    }

    private final Map<String, Row> rows = new LinkedHashMap<>();

    void add(Observation o, Match m) {
        String client = o.clientIp() == null ? "-" : o.clientIp();
        Row row = rows.computeIfAbsent(client + '\u0000' + m.service().id(), k -> new Row(client, m));
        row.hostnames.add(o.hostname());
        row.count++;
        row.first = row.first == null || o.time().isBefore(row.first) ? o.time() : row.first;
        row.last = row.last == null || o.time().isAfter(row.last) ? o.time() : row.last;
        Group g = row.groups.computeIfAbsent(Finding.activityClassOf(o.kind()), k -> new Group());
        if (g.first == null || o.time().isBefore(g.first.time())) {
            g.first = o;
        }
        g.last = g.last == null || o.time().isAfter(g.last) ? o.time() : g.last;
        g.hostnames.add(o.hostname());
        g.count++;
    }

    /** Rows sorted by client, then service id. */
    List<Row> rows() {
        List<Row> out = new ArrayList<>(rows.values());
        out.sort(Comparator.comparing((Row r) -> r.client).thenComparing(r -> r.match.service().id()));
        return out;
    }

    /** One usage event per (client, service, class), in row order. */
    List<Finding> findings() {
        List<Finding> out = new ArrayList<>();
        for (Row r : rows()) {
            for (Group g : r.groups.values()) {
                out.add(Finding.usage(g.first, r.match, new ArrayList<>(g.hostnames), g.last, g.count));
            }
        }
        return out;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }
}

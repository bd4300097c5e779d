package dev.umbra.shipper;

import dev.umbra.classifier.Detection;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.signatures.Match;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What leaves the host: one event about AI service usage or policy, built from observations, their
 * catalog match and any detections. Mapped to OCSF by {@link dev.umbra.shipper.ocsf.OcsfMapper}.
 *
 * @param uid stable event id ({@code metadata.uid}); assigned once, kept through spool and retries
 * @param eventClass the OCSF class
 * @param observation the first observation of the event (addresses, ports, source)
 * @param match the AI service matched and its verdict; {@code null} only for events about no service
 * @param hostnames every host name the event covers, in first-seen order; never empty
 * @param startTime first sighting
 * @param endTime last sighting
 * @param count sightings the event covers (1 for a single observation)
 * @param detections sensitive items found; never null; non-empty for {@link EventClass#DATA_SECURITY_FINDING}
 * @param policy the policy event of a {@link EventClass#DETECTION_FINDING}; null for every other class
 * @param bytesOut bytes client to server over the sightings, or -1 when unknown
 * @param bytesIn bytes server to client over the sightings, or -1 when unknown
 * @param outcome what became of the request, for {@link EventClass#DATA_SECURITY_FINDING} and only there
 */
public record Finding(String uid, EventClass eventClass, Observation observation, Match match,
        List<String> hostnames, Instant startTime, Instant endTime, long count, List<Detection> detections,
        PolicyEvent policy, long bytesOut, long bytesIn, Outcome outcome) {

    /** A finding whose request, if it is a Data Security Finding, Umbra only watched ({@link Outcome#OBSERVED}). */
    public Finding(String uid, EventClass eventClass, Observation observation, Match match, List<String> hostnames,
            Instant startTime, Instant endTime, long count, List<Detection> detections, PolicyEvent policy,
            long bytesOut, long bytesIn) {
        this(uid, eventClass, observation, match, hostnames, startTime, endTime, count, detections, policy, bytesOut,
                bytesIn, eventClass == EventClass.DATA_SECURITY_FINDING ? Outcome.OBSERVED : null);
    }

    /** A finding with no policy event and the byte counts of its observation. */
    public Finding(String uid, EventClass eventClass, Observation observation, Match match, List<String> hostnames,
            Instant startTime, Instant endTime, long count, List<Detection> detections) {
        this(uid, eventClass, observation, match, hostnames, startTime, endTime, count, detections, null,
                observation.bytesOut(), observation.bytesIn());
    }

    public Finding {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(eventClass, "eventClass");
        Objects.requireNonNull(observation, "observation");
        Objects.requireNonNull(startTime, "startTime");
        Objects.requireNonNull(endTime, "endTime");
        hostnames = List.copyOf(hostnames);
        detections = detections == null ? List.of() : List.copyOf(detections);
        if (hostnames.isEmpty()) {
            throw new IllegalArgumentException("a finding covers at least one host name");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        if ((eventClass == EventClass.DETECTION_FINDING) != (policy != null)) {
            throw new IllegalArgumentException("a policy event goes with class 2004 and only there: "
                    + eventClass + " / " + policy);
        }
        if (eventClass == EventClass.DATA_SECURITY_FINDING && detections.isEmpty()) {
            throw new IllegalArgumentException("a data security finding needs at least one detection");
        }
        if ((eventClass == EventClass.DATA_SECURITY_FINDING) != (outcome != null)) {
            throw new IllegalArgumentException("an outcome goes with class 2006 and only there: " + eventClass + " / "
                    + outcome);
        }
    }

    /** The activity class for usage seen in an observation of this kind. */
    public static EventClass activityClassOf(ObservationKind kind) {
        return switch (kind) {
            case DNS_QUERY, DNS_ANSWER, LOCAL_NAME_QUERY -> EventClass.DNS_ACTIVITY;
            case TLS_SNI, QUIC_SNI, FLOW_END, SOCKS_REQUEST -> EventClass.NETWORK_ACTIVITY;
            case HTTP_REQUEST, PROXY_REQUEST -> EventClass.HTTP_ACTIVITY;
        };
    }

    /**
     * A usage event covering several sightings of one service by one client.
     *
     * @param first the first observation
     * @param hostnames the host names seen
     * @param last time of the last sighting
     * @param count number of sightings
     */
    public static Finding usage(Observation first, Match match, List<String> hostnames, Instant last, long count) {
        return new Finding(UUID.randomUUID().toString(), activityClassOf(first.kind()), first, match, hostnames,
                first.time(), last, count, List.of());
    }

    /**
     * A usage event for one aggregation window.
     *
     * @param bytesOut summed bytes client to server, or -1 when no sighting had a count
     * @param bytesIn summed bytes server to client, or -1 when no sighting had a count
     */
    public static Finding usageWindow(Observation first, Match match, List<String> hostnames, Instant last,
            long count, long bytesOut, long bytesIn) {
        return new Finding(UUID.randomUUID().toString(), activityClassOf(first.kind()), first, match, hostnames,
                first.time(), last, count, List.of(), null, bytesOut, bytesIn);
    }

    /** A Detection Finding (2004) for a policy event, caused by {@code o}. */
    public static Finding policy(PolicyEvent event, Observation o, Match match, Instant last, long count) {
        return new Finding(UUID.randomUUID().toString(), EventClass.DETECTION_FINDING, o, match,
                List.of(o.hostname()), o.time(), last, count, List.of(), event, o.bytesOut(), o.bytesIn());
    }

    /** A Data Security Finding (2006): sensitive items in what {@code o} sent to a service, which Umbra only watched. */
    public static Finding dataSecurity(Observation o, Match match, List<Detection> detections) {
        return dataSecurity(o, match, detections, Outcome.OBSERVED);
    }

    /** A Data Security Finding (2006): sensitive items in what {@code o} sent to a service, and what became of it. */
    public static Finding dataSecurity(Observation o, Match match, List<Detection> detections, Outcome outcome) {
        return new Finding(UUID.randomUUID().toString(), EventClass.DATA_SECURITY_FINDING, o, match,
                List.of(o.hostname()), o.time(), o.time(), 1, detections, null, o.bytesOut(), o.bytesIn(),
                Objects.requireNonNull(outcome, "outcome"));
    }
}

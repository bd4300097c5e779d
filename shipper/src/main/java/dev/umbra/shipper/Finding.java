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
 * @param detections sensitive items found; never null
 */
public record Finding(String uid, EventClass eventClass, Observation observation, Match match,
        List<String> hostnames, Instant startTime, Instant endTime, long count, List<Detection> detections) {

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
    }

    /** The activity class for usage seen in an observation of this kind. */
    public static EventClass activityClassOf(ObservationKind kind) {
        return switch (kind) {
            case DNS_QUERY, DNS_ANSWER, LOCAL_NAME_QUERY -> EventClass.DNS_ACTIVITY;
            case TLS_SNI, QUIC_SNI, FLOW_END -> EventClass.NETWORK_ACTIVITY;
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
}

package dev.umbra.cli.daemon;

import dev.umbra.cli.ObservationMatch;
import dev.umbra.sensor.Container;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.attribution.ContainerMetadata;
import dev.umbra.sensor.attribution.ProcessAttributor;
import dev.umbra.sensor.attribution.ProcessInfo;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the daemon does with each observation, on the thread that produced it: match the name
 * against the catalog (a reloadable matcher), attribute it to a local process and user when it came
 * from this host, and hand the matched observation on (to aggregation; it must not block).
 */
public final class Pipeline implements Consumer<Observation> {
    private final HostMatcher matcher;
    private final ProcessAttributor attributor;
    private final ContainerMetadata containers;
    private final java.util.function.BiConsumer<Observation, Match> sink;
    private final AtomicLong observations = new AtomicLong();
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong attributed = new AtomicLong();

    /**
     * @param matcher the catalog's matcher (one that follows reloads)
     * @param attributor local process attribution, or null when disabled
     * @param containers names the containers attributed processes run in, or null to give only their
     *     runtime and id
     * @param sink receives matched (and attributed) observations; must not block
     */
    public Pipeline(HostMatcher matcher, ProcessAttributor attributor, ContainerMetadata containers,
            java.util.function.BiConsumer<Observation, Match> sink) {
        this.matcher = matcher;
        this.attributor = attributor;
        this.containers = containers;
        this.sink = sink;
    }

    /** Receives the detections in a matched request's body. */
    public interface DetectionSink {
        void accept(Observation o, Match m, List<dev.umbra.classifier.Detection> detections);
    }

    private DetectionSink detectionSink = (o, m, d) -> { };

    /** Where {@link #detections} sends what it matched; must not block. */
    public void onDetections(DetectionSink sink) {
        this.detectionSink = sink;
    }

    /** True when the catalog has a service for the observation's host (worth classifying its body). */
    public boolean matches(Observation o) {
        return ObservationMatch.of(matcher, o, o.user()) != null;
    }

    /** Matches and attributes a request as {@link #accept} does, and hands on the detections in its body. */
    public void detections(Observation o, List<dev.umbra.classifier.Detection> detections) {
        Match m = ObservationMatch.of(matcher, o, o.user());
        if (m == null || detections.isEmpty()) {
            return;
        }
        Observation attributedObservation = attribute(o);
        detectionSink.accept(attributedObservation, byUser(o, attributedObservation, m), detections);
    }

    @Override
    public void accept(Observation o) {
        observations.incrementAndGet();
        Match m = ObservationMatch.of(matcher, o, o.user());
        if (m == null) {
            return;
        }
        matched.incrementAndGet();
        Observation attributedObservation = attribute(o);
        sink.accept(attributedObservation, byUser(o, attributedObservation, m));
    }

    /** The match for the user attribution found: the policy may treat a user differently (exceptions per group). */
    private Match byUser(Observation o, Observation attributed, Match m) {
        if (attributed.user() == null || o.user() != null) {
            return m;
        }
        Match byUser = ObservationMatch.of(matcher, o, attributed.user());
        return byUser != null ? byUser : m;
    }

    /**
     * The observation attributed to the local process that owns its client socket, its owner and the
     * container it runs in; unchanged when not from this host's sockets, already attributed, or of a kind
     * with no client socket here (DNS answers, proxy log lines). A user the traffic itself names (HTTP
     * credentials) is kept: the process is added beside it. Called for each observation, and by the
     * decoder for a request it holds until answered ({@code PacketDecoder.onHold}), while the process
     * that sent it still runs.
     */
    public Observation attribute(Observation o) {
        if (attributor == null || o.process() != null || o.container() != null || o.clientIp() == null
                || o.clientPort() <= 0) {
            return o;
        }
        if (o.kind() == ObservationKind.DNS_ANSWER || o.kind() == ObservationKind.PROXY_REQUEST) {
            return o;
        }
        ProcessAttributor.Transport transport = o.kind() == ObservationKind.DNS_QUERY
                || o.kind() == ObservationKind.QUIC_SNI ? ProcessAttributor.Transport.UDP : ProcessAttributor.Transport.TCP;
        ProcessInfo p = attributor.lookup(transport, o.clientIp(), o.clientPort(), o.serverIp(), o.serverPort());
        if (p == null && o.kind() == ObservationKind.DNS_QUERY) {
            // a query over TCP (dig +tcp; a client after a truncated answer): the observation does not say which
            p = attributor.lookup(ProcessAttributor.Transport.TCP, o.clientIp(), o.clientPort(), o.serverIp(),
                    o.serverPort());
        }
        if (p == null) {
            return o;
        }
        attributed.incrementAndGet();
        Container container = p.container() == null ? null
                : containers != null ? containers.describe(p.container())
                : Container.of(p.container().runtime(), p.container().id());
        return o.withActor(o.user() != null ? o.user() : p.user(), p.hasProcess() ? p.name() : null, container);
    }

    public long observations() {
        return observations.get();
    }

    public long matched() {
        return matched.get();
    }

    public long attributed() {
        return attributed.get();
    }
}

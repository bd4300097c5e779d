package dev.umbra.shipper.aggregate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.umbra.classifier.Detection;
import dev.umbra.sensor.Observation;
import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.Finding;
import dev.umbra.shipper.Outcome;
import dev.umbra.shipper.PolicyEvent;
import dev.umbra.signatures.Match;
import dev.umbra.signatures.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Turns a stream of matched observations into findings: one usage event per (host, user, process,
 * container, service, class) and window, and policy and data-security events at once.
 *
 * <h2>Design</h2>
 * Open windows live in a Caffeine cache bounded by {@code aggregate.max.windows}. A window expires
 * {@code aggregate.window} after its first sighting (by the injected {@link Ticker}), and its usage
 * event is emitted from the removal listener: on expiry, on size eviction (early, so memory stays
 * bounded and nothing is lost), and on {@link #flush()}. Listeners run on the calling thread
 * ({@code executor(Runnable::run)}), so emission order is deterministic in tests; call
 * {@link #tick()} regularly so that expired windows are emitted without new traffic.
 *
 * <p>Emitted at once, outside the window: Detection Finding {@code first_seen} the first time a
 * service is seen on a host (remembered in a second bounded cache of {@code aggregate.max.first.seen}
 * pairs; an evicted pair may be reported again), {@code unsanctioned_service} once per window of a
 * service whose verdict is unsanctioned, {@code unusual_request_rate} once per window when its
 * count reaches {@code aggregate.unusual.rate.threshold}; and Data Security Findings for detections.
 *
 * <p>Thread-safe: each window is updated inside {@code asMap().compute}; findings are handed to the
 * consumer outside it. The consumer must not block (the Kafka shipper's {@code offer} does not).
 */
public final class UsageAggregator {
    /** At most this many host names are listed per window event. */
    public static final int MAX_HOSTNAMES_PER_WINDOW = 32;

    /**
     * Settings.
     *
     * @param window window length ({@code aggregate.window}, default 60 s)
     * @param maxWindows open windows at most ({@code aggregate.max.windows}, default 100 000)
     * @param maxFirstSeen (host, service) pairs remembered for first-seen ({@code aggregate.max.first.seen}, default 100 000)
     * @param unusualRateThreshold sightings per window that raise {@code unusual_request_rate}
     *     ({@code aggregate.unusual.rate.threshold}, default 1000; 0 disables)
     */
    public record Config(Duration window, long maxWindows, long maxFirstSeen, long unusualRateThreshold) {
        public Config {
            Objects.requireNonNull(window, "aggregate.window");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("Invalid value " + window
                        + " for configuration aggregate.window: must be positive");
            }
            if (maxWindows < 1) {
                throw new IllegalArgumentException("Invalid value " + maxWindows
                        + " for configuration aggregate.max.windows: must be at least 1");
            }
            if (maxFirstSeen < 1) {
                throw new IllegalArgumentException("Invalid value " + maxFirstSeen
                        + " for configuration aggregate.max.first.seen: must be at least 1");
            }
            if (unusualRateThreshold < 0) {
                throw new IllegalArgumentException("Invalid value " + unusualRateThreshold
                        + " for configuration aggregate.unusual.rate.threshold: must not be negative (0 disables)");
            }
        }

        /** The defaults. */
        public static Config defaults() {
            return new Config(Duration.ofSeconds(60), 100_000, 100_000, 1_000);
        }
    }

    private record Key(String host, String user, String process, String container, String serviceId,
            EventClass eventClass) {
    }

    /** One open window; mutated only inside {@code compute} for its key. */
    private static final class Window {
        final Observation first;
        final Match match;
        // the names after the first observation's, in order of arrival; most windows see one name,
        // so the array is made only for a second (a LinkedHashSet per window was ~200 bytes each)
        String[] moreNames;
        int moreCount;
        Instant last;
        long count;
        long bytesOut = -1;
        long bytesIn = -1;
        boolean rateReported;
        PolicyEvent pending;
        // the client device's name, when an observation after the first brought it (its DHCP lease seen since)
        String clientHostname;

        Window(Observation first, Match match) {
            this.first = first;
            this.match = match;
            this.last = first.time();
        }

        void add(Observation o) {
            count++;
            if (o.clientHostname() != null) {
                clientHostname = o.clientHostname();
            }
            if (o.time().isAfter(last)) {
                last = o.time();
            }
            addName(o.hostname());
            if (o.bytesOut() >= 0) {
                bytesOut = Math.max(0, bytesOut) + o.bytesOut();
            }
            if (o.bytesIn() >= 0) {
                bytesIn = Math.max(0, bytesIn) + o.bytesIn();
            }
        }

        private void addName(String name) {
            if (name.equals(first.hostname()) || moreCount + 1 >= MAX_HOSTNAMES_PER_WINDOW) {
                return;
            }
            for (int i = 0; i < moreCount; i++) {
                if (moreNames[i].equals(name)) {
                    return;
                }
            }
            if (moreNames == null) {
                moreNames = new String[2];
            } else if (moreCount == moreNames.length) {
                moreNames = Arrays.copyOf(moreNames, Math.min(moreNames.length * 2, MAX_HOSTNAMES_PER_WINDOW - 1));
            }
            moreNames[moreCount++] = name;
        }

        Finding toFinding() {
            List<String> names = new ArrayList<>(1 + moreCount);
            names.add(first.hostname());
            for (int i = 0; i < moreCount; i++) {
                names.add(moreNames[i]);
            }
            Observation o = clientHostname == null || clientHostname.equals(first.clientHostname()) ? first
                    : first.withClientHostname(clientHostname);
            return Finding.usageWindow(o, match, names, last, count, bytesOut, bytesIn);
        }
    }

    private final Config config;
    private final Consumer<Finding> out;
    private final Cache<Key, Window> windows;
    private final Cache<String, Boolean> firstSeen;

    /**
     * @param ticker time source for window expiry ({@link Ticker#systemTicker()} in production)
     * @param out receives every finding; must not block
     */
    public UsageAggregator(Config config, Ticker ticker, Consumer<Finding> out) {
        this.config = Objects.requireNonNull(config, "config");
        this.out = Objects.requireNonNull(out, "out");
        long windowNanos = config.window().toNanos();
        this.windows = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(Runnable::run)
                .maximumSize(config.maxWindows())
                .expireAfter(new Expiry<Key, Window>() {
                    @Override
                    public long expireAfterCreate(Key k, Window v, long now) {
                        return windowNanos;
                    }

                    @Override
                    public long expireAfterUpdate(Key k, Window v, long now, long remaining) {
                        return remaining;
                    }

                    @Override
                    public long expireAfterRead(Key k, Window v, long now, long remaining) {
                        return remaining;
                    }
                })
                .removalListener((Key k, Window w, RemovalCause cause) -> {
                    if (w != null && cause != RemovalCause.REPLACED && w.count > 0) {
                        out.accept(w.toFinding());
                    }
                })
                .build();
        this.firstSeen = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .maximumSize(config.maxFirstSeen()).build();
    }

    /** Counts one sighting of a matched service. */
    public void observe(Observation o, Match match) {
        Objects.requireNonNull(match, "match");
        String host = o.clientIp() == null ? "" : o.clientIp();
        String service = match.service().id();
        if (firstSeen.asMap().putIfAbsent(host + '\u0000' + service, Boolean.TRUE) == null) {
            out.accept(Finding.policy(PolicyEvent.FIRST_SEEN, o, match, o.time(), 1));
        }
        // a container by its runtime and id: its name may be learnt (or change) while a window is open
        String container = o.container() == null ? null : o.container().toString();
        Key key = new Key(host, o.user(), o.process(), container, service,
                Finding.activityClassOf(o.kind()));
        Window[] touched = new Window[1];
        PolicyEvent[] raise = new PolicyEvent[2];
        windows.asMap().compute(key, (k, w) -> {
            if (w == null) {
                w = new Window(o, match);
                if (match.verdict() == Verdict.UNSANCTIONED) {
                    raise[0] = PolicyEvent.UNSANCTIONED_SERVICE;
                }
            }
            w.add(o);
            if (config.unusualRateThreshold() > 0 && !w.rateReported && w.count >= config.unusualRateThreshold()) {
                w.rateReported = true;
                raise[1] = PolicyEvent.UNUSUAL_REQUEST_RATE;
            }
            touched[0] = w;
            return w;
        });
        if (raise[0] != null) {
            out.accept(Finding.policy(raise[0], o, match, o.time(), 1));
        }
        if (raise[1] != null) {
            out.accept(Finding.policy(raise[1], touched[0].first, match, o.time(), config.unusualRateThreshold()));
        }
    }

    /** Emits a Data Security Finding at once for sensitive items sent to a service, which Umbra only watched. */
    public void detections(Observation o, Match match, List<Detection> detections) {
        detections(o, match, detections, Outcome.OBSERVED);
    }

    /** Emits a Data Security Finding at once for sensitive items sent to a service, with what became of the request. */
    public void detections(Observation o, Match match, List<Detection> detections, Outcome outcome) {
        if (!detections.isEmpty()) {
            out.accept(Finding.dataSecurity(o, match, detections, outcome));
        }
    }

    /** Emits the windows whose time is up. */
    public void tick() {
        windows.cleanUp();
    }

    /** Emits every open window now (shutdown, end of an offline audit). */
    public void flush() {
        windows.invalidateAll();
        windows.cleanUp();
    }

    /** Open windows (approximate). */
    public long openWindows() {
        return windows.estimatedSize();
    }
}

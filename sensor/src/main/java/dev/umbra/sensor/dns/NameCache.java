package dev.umbra.sensor.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.ArrayList;
import java.util.List;

/*
 * Design notes.
 *
 * DNS answers say which names point at an address; a later flow to that address that carries no
 * name of its own (Encrypted Client Hello, DNS over HTTPS done elsewhere, a hello never seen) is
 * attributed to those names. Entries live as long as the answer's TTL, clamped to [minTtl, maxTtl]
 * (short TTLs are common for CDNs, but the flow that follows a lookup may start seconds later),
 * and the cache holds at most maxEntries addresses (Caffeine's size-based eviction, frequency
 * aware). Time comes from a Ticker: capture time when reading files, so expiry follows the
 * capture, not the wall clock. Each address keeps at most MAX_NAMES names, most recent first.
 */
/**
 * Address to names learned from DNS answers, bounded by size and by TTL. Thread-safe.
 */
public final class NameCache {
    /** Default cap on addresses kept. */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;
    /** Default shortest lifetime of an entry, whatever the TTL. */
    public static final long DEFAULT_MIN_TTL_SECONDS = 60;
    /** Default longest lifetime of an entry. */
    public static final long DEFAULT_MAX_TTL_SECONDS = 86_400;
    /** Names kept per address. */
    public static final int MAX_NAMES = 4;

    private record Entry(List<String> names, long ttlNanos) {
    }

    private final Cache<String, Entry> cache;
    private final long minTtlNanos;
    private final long maxTtlNanos;

    /**
     * @param maxEntries addresses kept, at least 1
     * @param minTtlSeconds shortest lifetime, at least 0
     * @param maxTtlSeconds longest lifetime, at least minTtlSeconds
     * @param ticker the clock, in nanoseconds
     */
    public NameCache(int maxEntries, long minTtlSeconds, long maxTtlSeconds, Ticker ticker) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
        }
        if (minTtlSeconds < 0 || maxTtlSeconds < minTtlSeconds) {
            throw new IllegalArgumentException(
                    "need 0 <= minTtlSeconds <= maxTtlSeconds: " + minTtlSeconds + " " + maxTtlSeconds);
        }
        this.minTtlNanos = minTtlSeconds * 1_000_000_000L;
        this.maxTtlNanos = maxTtlSeconds * 1_000_000_000L;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .ticker(ticker)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry value, long currentTime) {
                        return value.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
                        return value.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .executor(Runnable::run)
                .build();
    }

    /** Records that {@code name} resolved to {@code address} with the given TTL. */
    public void put(String address, String name, long ttlSeconds) {
        long ttl = Math.max(minTtlNanos, Math.min(maxTtlNanos, Math.max(0, ttlSeconds) * 1_000_000_000L));
        cache.asMap().compute(address, (a, old) -> {
            List<String> names = new ArrayList<>(MAX_NAMES);
            names.add(name);
            if (old != null) {
                for (String n : old.names()) {
                    if (names.size() < MAX_NAMES && !n.equals(name)) {
                        names.add(n);
                    }
                }
            }
            return new Entry(List.copyOf(names), old == null ? ttl : Math.max(ttl, old.ttlNanos()));
        });
    }

    /** The names of an address, most recent first; empty when unknown or expired. */
    public List<String> names(String address) {
        Entry e = cache.getIfPresent(address);
        return e == null ? List.of() : e.names();
    }

    /** Addresses currently held (approximate, as Caffeine's estimatedSize). */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}

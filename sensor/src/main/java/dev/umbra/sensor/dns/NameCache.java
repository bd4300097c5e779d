package dev.umbra.sensor.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.umbra.sensor.decode.IpText;
import dev.umbra.sensor.flow.FlowKey;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

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
 *
 * Caffeine's maintenance (draining its read and write buffers, the timer wheel, eviction) runs on
 * the writing thread, but in batches: the executor holds the task Caffeine schedules and put() runs
 * it every MAINTENANCE_BATCH writes. Run after every write, as a same-thread executor does, it was a
 * quarter of the packet decoder's time on a DNS-heavy capture. Reads stay exact (Caffeine checks
 * expiry on read); the size bound may be exceeded by at most MAINTENANCE_BATCH entries between
 * batches; size() runs the maintenance first.
 *
 * Most answers name an address the cache already holds (CDN addresses serve many names; a popular
 * name is asked again and again), and a Caffeine write (its map's compute, the timer wheel, the
 * write buffer and the frequency sketch at maintenance) was the largest item of DNS decoding. So an
 * entry is a small mutable holder: a new name goes into its list in place, under the lock, and is
 * visible to readers at once; Caffeine is written only when the entry is new or its lifetime must
 * move later by more than REFRESH_NANOS. An entry may therefore expire up to REFRESH_NANOS earlier
 * than the latest answer's TTL says; TTLs are clamped to at least minTtl (60 s by default).
 *
 * Keys are the addresses' numbers, as FlowKey holds them: a Long for IPv4, a pair of longs for IPv6. A
 * text key (two objects, 56-80 bytes) was about a fifth of an entry's bytes, and entries survive young
 * collections; a number hashes and compares without reading text, one address is one key however it is
 * written, and a flow's server is looked up without writing its address out. Young collections' time
 * on the 1 M-frame capture went down 10-15 %; throughput stayed within noise (docs/benchmarks.md).
 *
 * A flow that ends without a name of its own is looked up by its server address, and with a full
 * flow table that is every flow evicted, most of them to addresses no answer ever named. So each new
 * address also sets a bit in a 2^SEEN_BITS filter by its numbers (the FlowKey layout), and
 * names(hi, lo) skips the lookup when the bit is clear. put() uses the same filter: for an address
 * never put before, a clear bit means no lookup before the write. Bits are never cleared: a bit set
 * means "perhaps" (another address, or an entry expired since), a clear bit means never put. Set
 * under the lock, read without it.
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

    /** Bits of the filter of addresses ever put, as a power of two: 2^20 bits, 128 KB. */
    static final int SEEN_BITS = 20;
    /** Writes between two runs of Caffeine's maintenance. */
    static final int MAINTENANCE_BATCH = 64;
    /** How much later an answer must move an entry's end before the cache is written for it. */
    static final long REFRESH_NANOS = 1_000_000_000L;

    /** The names of one address; the fields change under the cache's lock, readers see names at once. */
    private static final class Entry {
        volatile List<String> names;
        // the lifetime Caffeine gave the entry at its last write, and when that lifetime ends
        volatile long ttlNanos;
        long endNanos;

        Entry(List<String> names, long ttlNanos, long endNanos) {
            this.names = names;
            this.ttlNanos = ttlNanos;
            this.endNanos = endNanos;
        }
    }

    private final Object lock = new Object();
    // writes since Caffeine's maintenance last ran (guarded by lock)
    private int writes;
    // Caffeine's pending maintenance task; never waited for under a lock, because Caffeine hands it
    // to the executor while holding its own eviction lock
    private final AtomicReference<Runnable> maintenance = new AtomicReference<>();

    // keyed by the address's numbers (key()), or by its text when it is not an address
    private final Cache<Object, Entry> cache;
    private final long[] seen = new long[1 << (SEEN_BITS - 6)];
    private final Ticker ticker;
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
        this.ticker = ticker;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .ticker(ticker)
                .expireAfter(new Expiry<Object, Entry>() {
                    @Override
                    public long expireAfterCreate(Object key, Entry value, long currentTime) {
                        return value.ttlNanos;
                    }

                    @Override
                    public long expireAfterUpdate(Object key, Entry value, long currentTime, long currentDuration) {
                        return value.ttlNanos;
                    }

                    @Override
                    public long expireAfterRead(Object key, Entry value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .executor(this::defer)
                .build();
    }

    /**
     * Records that {@code name} resolved to {@code address} with the given TTL. Text that is not an
     * address is kept under the text itself.
     */
    public void put(String address, String name, long ttlSeconds) {
        long[] numbers = new long[2];
        if (IpText.parse(address, numbers)) {
            put(numbers[0], numbers[1], name, ttlSeconds);
        } else {
            record(address, -1, name, ttlSeconds);
        }
    }

    /**
     * Records that {@code name} resolved to the address with these numbers (FlowKey layout) with the
     * given TTL: what the DNS decoder calls, with the numbers it read, no text parsed back.
     */
    public void put(long hi, long lo, String name, long ttlSeconds) {
        record(key(hi, lo), seenBit(hi, lo), name, ttlSeconds);
    }

    /** @param bit the address's bit in the seen filter, or -1 for a text key */
    private void record(Object key, int bit, String name, long ttlSeconds) {
        long ttl = Math.max(minTtlNanos, Math.min(maxTtlNanos, Math.max(0, ttlSeconds) * 1_000_000_000L));
        // a lookup and a put under one lock cost about half of Caffeine's compute(); the lock keeps
        // concurrent puts to one address from losing a name, readers never take it
        boolean maintain = false;
        synchronized (lock) {
            long now = ticker.read();
            boolean known = true;
            if (bit >= 0) {
                known = (seen[bit >>> 6] & (1L << bit)) != 0;
                seen[bit >>> 6] |= 1L << bit; // it is put below if it is not there
            }
            // a clear bit: never put, no lookup. Quietly: a read through getIfPresent also reschedules
            // expiry and records the access, which cost more than the lookup; a write below does both
            Entry old = known ? cache.policy().getIfPresentQuietly(key) : null;
            Entry write = null;
            if (old == null) {
                write = new Entry(List.of(name), ttl, now + ttl);
            } else {
                List<String> before = old.names;
                if (!before.get(0).equals(name)) {
                    old.names = withFirst(before, name);
                }
                long keep = Math.max(ttl, old.ttlNanos);
                if (now + keep > old.endNanos + REFRESH_NANOS) {
                    old.ttlNanos = keep; // the lifetime starts again, as long as the longer TTL
                    old.endNanos = now + keep;
                    write = old;
                }
            }
            if (write != null) {
                cache.put(key, write);
                maintain = ++writes >= MAINTENANCE_BATCH;
                if (maintain) {
                    writes = 0;
                }
            }
        }
        if (maintain) {
            runMaintenance();
        }
    }

    /**
     * False when no answer ever named the address with these numbers (FlowKey layout), so
     * {@link #names} would be empty; true when one may have.
     */
    public boolean mayHave(long hi, long lo) {
        int bit = seenBit(hi, lo);
        return (seen[bit >>> 6] & (1L << bit)) != 0;
    }

    private static int seenBit(long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L ^ lo) * 0xC2B2AE3D27D4EB4FL;
        return (int) (h >>> (64 - SEEN_BITS));
    }

    /** The names of an address, most recent first; empty when unknown or expired. */
    public List<String> names(String address) {
        long[] numbers = new long[2];
        return lookup(IpText.parse(address, numbers) ? key(numbers[0], numbers[1]) : address);
    }

    /**
     * The names of the address with these numbers (FlowKey layout), most recent first; empty when
     * unknown or expired. No text and, when no answer ever named the address, no lookup.
     */
    public List<String> names(long hi, long lo) {
        return mayHave(hi, lo) ? lookup(key(hi, lo)) : List.of();
    }

    private List<String> lookup(Object key) {
        Entry e = cache.getIfPresent(key);
        return e == null ? List.of() : e.names;
    }

    /** The cache's key of an address: a Long for IPv4, two longs for IPv6 (smaller than the text, cheaper to hash). */
    private static Object key(long hi, long lo) {
        return hi == FlowKey.V4_MARK ? (Object) lo : new Address6(hi, lo);
    }

    /** An IPv6 address as a key. */
    private record Address6(long hi, long lo) {
    }

    /** {@code name} first, then the names of {@code before} other than it, at most MAX_NAMES. */
    private static List<String> withFirst(List<String> before, String name) {
        String[] names = new String[MAX_NAMES];
        names[0] = name;
        int n = 1;
        for (int i = 0, size = before.size(); i < size && n < MAX_NAMES; i++) {
            String other = before.get(i);
            if (!other.equals(name)) {
                names[n++] = other;
            }
        }
        return n == MAX_NAMES ? List.of(names) : List.of(Arrays.copyOf(names, n));
    }

    /** Holds Caffeine's maintenance task for the next batch; a second one while one waits runs now. */
    private void defer(Runnable task) {
        if (!maintenance.compareAndSet(null, task)) {
            task.run();
        }
    }

    private void runMaintenance() {
        Runnable task = maintenance.getAndSet(null);
        if (task != null) {
            task.run();
        }
    }

    /** Addresses currently held (approximate, as Caffeine's estimatedSize). */
    public long size() {
        runMaintenance();
        cache.cleanUp();
        return cache.estimatedSize();
    }
}

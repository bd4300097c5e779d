package dev.umbra.sensor.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NameCacheTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong();
    private final NameCache cache = new NameCache(100, 60, 3600, now::get);

    @Test
    void names_afterTtl_areForgotten() {
        cache.put("104.18.32.47", "chatgpt.com", 300);
        now.addAndGet(299 * SECOND);
        assertThat(cache.names("104.18.32.47")).containsExactly("chatgpt.com");
        now.addAndGet(2 * SECOND);
        assertThat(cache.names("104.18.32.47")).isEmpty();
    }

    @Test
    void mayHave_onlyAddressesPutOrBitNeighbours() {
        assertThat(cache.mayHave(dev.umbra.sensor.flow.FlowKey.V4_MARK, 0x68122020L)).isFalse(); // 104.18.32.32
        cache.put("104.18.32.47", "chatgpt.com", 300);
        cache.put("2001:db8::1", "claude.ai", 300);
        cache.put("not an address", "x.example", 300); // kept by the cache, no bit
        assertThat(cache.mayHave(dev.umbra.sensor.flow.FlowKey.V4_MARK, 0x6812202fL)).isTrue();
        assertThat(cache.mayHave(0x20010db800000000L, 1)).isTrue();
        int clear = 0;
        for (long a = 0; a < 1000; a++) {
            clear += cache.mayHave(dev.umbra.sensor.flow.FlowKey.V4_MARK, 0x0a000000L + a) ? 0 : 1;
        }
        assertThat(clear).as("addresses never put, nearly all with their bit clear").isGreaterThan(990);
    }

    @Test
    void names_byNumbers_findWhatTheTextFinds() {
        cache.put("104.18.32.47", "chatgpt.com", 300);
        cache.put("2001:db8::1", "claude.ai", 300);
        assertThat(cache.names(dev.umbra.sensor.flow.FlowKey.V4_MARK, 0x6812202fL)).containsExactly("chatgpt.com");
        assertThat(cache.names(0x20010db800000000L, 1)).containsExactly("claude.ai");
        assertThat(cache.names(dev.umbra.sensor.flow.FlowKey.V4_MARK, 0x68122030L)).isEmpty(); // 104.18.32.48
        assertThat(cache.names(0x20010db800000000L, 2)).isEmpty();
        // one address however it is written
        assertThat(cache.names("2001:0db8:0000::0001")).containsExactly("claude.ai");
        now.addAndGet(301 * SECOND);
        assertThat(cache.names(dev.umbra.sensor.flow.FlowKey.V4_MARK, 0x6812202fL)).isEmpty();
    }

    @Test
    void put_notAnAddress_isKeptByItsText() {
        cache.put("not an address", "x.example", 300);
        cache.put("not an address", "y.example", 300);
        assertThat(cache.names("not an address")).containsExactly("y.example", "x.example");
    }

    @Test
    void put_shortTtl_isClampedToMinimum() {
        cache.put("1.2.3.4", "api.openai.com", 5);
        now.addAndGet(30 * SECOND);
        assertThat(cache.names("1.2.3.4")).containsExactly("api.openai.com");
    }

    @Test
    void put_severalNamesOneAddress_keepsMostRecentFirstUpToCap() {
        for (int i = 0; i < 6; i++) {
            cache.put("1.2.3.4", "n" + i + ".example", 300);
        }
        cache.put("1.2.3.4", "n5.example", 300);
        assertThat(cache.names("1.2.3.4")).containsExactly("n5.example", "n4.example", "n3.example", "n2.example");
    }

    @Test
    void put_moreAddressesThanCap_staysBounded() {
        NameCache small = new NameCache(10, 60, 3600, now::get);
        for (int i = 0; i < 1000; i++) {
            small.put("10.0." + (i / 256) + "." + (i % 256), "x.example", 300);
        }
        assertThat(small.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void constructor_badLimits_throwNamingTheValue() {
        assertThatThrownBy(() -> new NameCache(0, 1, 2, now::get)).hasMessageContaining("maxEntries");
        assertThatThrownBy(() -> new NameCache(1, 10, 2, now::get)).hasMessageContaining("10 2");
    }

    @Test
    void put_sameNameAgain_lifetimeStartsAgain() {
        cache.put("192.0.2.7", "claude.ai", 300);
        now.addAndGet(200 * SECOND);
        cache.put("192.0.2.7", "claude.ai", 100); // shorter TTL: the longer one still counts
        now.addAndGet(250 * SECOND);
        assertThat(cache.names("192.0.2.7")).containsExactly("claude.ai");
        now.addAndGet(51 * SECOND);
        assertThat(cache.names("192.0.2.7")).isEmpty();
    }

    @Test
    void put_newNameWithinTheRefreshSlack_isReadableAtOnce() {
        cache.put("198.51.100.9", "a.example", 300);
        now.addAndGet(NameCache.REFRESH_NANOS / 2);
        cache.put("198.51.100.9", "b.example", 300);
        assertThat(cache.names("198.51.100.9")).containsExactly("b.example", "a.example");
        cache.put("198.51.100.9", "a.example", 300);
        assertThat(cache.names("198.51.100.9")).containsExactly("a.example", "b.example");
    }

    @Test
    void put_againWithinTheRefreshSlack_keepsTheFirstEnd_laterMovesIt() {
        cache.put("198.51.100.10", "a.example", 300);
        now.addAndGet(NameCache.REFRESH_NANOS / 2);
        cache.put("198.51.100.10", "b.example", 300); // ends at most REFRESH_NANOS early: still at 300 s
        now.set(300 * SECOND - 1);
        assertThat(cache.names("198.51.100.10")).containsExactly("b.example", "a.example");
        now.set(300 * SECOND + 1);
        assertThat(cache.names("198.51.100.10")).isEmpty();

        cache.put("198.51.100.11", "c.example", 300);
        now.addAndGet(2 * NameCache.REFRESH_NANOS);
        cache.put("198.51.100.11", "c.example", 300); // more than the slack later: the end moves
        now.addAndGet(299 * SECOND);
        assertThat(cache.names("198.51.100.11")).containsExactly("c.example");
        now.addAndGet(2 * SECOND);
        assertThat(cache.names("198.51.100.11")).isEmpty();
    }

    /** Caffeine hands its maintenance to the executor under its own lock: readers and writers on
     *  other threads must never wait on each other in a cycle. */
    @Test
    void putAndNames_concurrentThreads_finishWithEveryRecentNameReadable() throws Exception {
        NameCache shared = new NameCache(1000, 60, 3600, now::get);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    String address = "10.0." + (i % 200) + "." + id;
                    if (id % 2 == 0) {
                        shared.put(address, "n" + i + ".example", 300);
                    } else {
                        shared.names(address);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
            assertThat(t.isAlive()).as("thread still running after 60 s: deadlock").isFalse();
        }
        assertThat(shared.names("10.0.199.0")).startsWith("n19999.example");
        assertThat(shared.size()).isLessThanOrEqualTo(1000);
    }
}

package dev.umbra.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HandoffQueueTest {
    @Test
    void offer_whenFull_returnsFalseWithoutWaiting() {
        HandoffQueue<Integer> q = new HandoffQueue<>(4);
        for (int i = 0; i < 4; i++) {
            assertThat(q.offer(i)).isTrue();
        }
        assertThat(q.offer(4)).isFalse();
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.poll()).isZero();
        assertThat(q.offer(4)).isTrue();
        List<Integer> rest = new ArrayList<>();
        for (Integer e; (e = q.poll()) != null; ) {
            rest.add(e);
        }
        assertThat(rest).containsExactly(1, 2, 3, 4);
    }

    @Test
    void constructor_capacity_roundedUpToPowerOfTwoAndValidated() {
        assertThat(new HandoffQueue<>(5).capacity()).isEqualTo(8);
        assertThatThrownBy(() -> new HandoffQueue<>(1)).hasMessageContaining("shipper.handoff.capacity");
    }

    @Test
    void offer_fourProducersOneConsumer_everyAcceptedElementArrivesOnceInPerProducerOrder() throws Exception {
        HandoffQueue<Long> q = new HandoffQueue<>(1024);
        int producers = 4;
        int perProducer = 50_000;
        AtomicLong rejected = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long base = (long) p << 32;
            Thread t = new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    while (!q.offer(base | i)) {
                        rejected.incrementAndGet();
                        Thread.yield();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        BitSet[] seen = new BitSet[producers];
        int[] last = new int[producers];
        for (int p = 0; p < producers; p++) {
            seen[p] = new BitSet(perProducer);
            last[p] = -1;
        }
        long received = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received < (long) producers * perProducer && System.nanoTime() < deadline) {
            Long e = q.poll();
            if (e == null) {
                Thread.yield();
                continue;
            }
            int p = (int) (e >>> 32);
            int i = (int) (e & 0xffffffffL);
            assertThat(seen[p].get(i)).as("duplicate %d/%d", p, i).isFalse();
            assertThat(i).as("order of producer %d", p).isGreaterThan(last[p]);
            seen[p].set(i);
            last[p] = i;
            received++;
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(received).isEqualTo((long) producers * perProducer);
        assertThat(q.poll()).isNull();
    }
}

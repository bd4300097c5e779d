package dev.umbra.shipper;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free, multi-producer single-consumer queue: the hand-off between capture threads
 * and the shipper's sender thread.
 *
 * <p>Design: a power-of-two ring of slots. A producer reserves a slot by CAS on the producer index
 * after checking the ring is not full against the consumer index, then publishes the element with
 * an ordered write; the consumer treats a still-empty reserved slot as "not yet published" and
 * stops. {@link #offer} never waits and never allocates: when the ring is full it returns false.
 * After Vyukov's bounded MPSC queue and JCTools' {@code MpscArrayQueue}, simplified (no padding).
 *
 * @param <E> element type
 */
public final class HandoffQueue<E> {
    private final AtomicReferenceArray<E> slots;
    private final int mask;
    private final AtomicLong producerIndex = new AtomicLong();
    private final AtomicLong consumerIndex = new AtomicLong();

    /**
     * @param capacity at least 2; rounded up to a power of two
     */
    public HandoffQueue(int capacity) {
        if (capacity < 2 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("Invalid value " + capacity
                    + " for configuration shipper.handoff.capacity: must be between 2 and 2^30");
        }
        int cap = Integer.highestOneBit(capacity - 1) << 1;
        slots = new AtomicReferenceArray<>(cap);
        mask = cap - 1;
    }

    /** Adds an element; false when the queue is full. Safe from any thread, never blocks. */
    public boolean offer(E e) {
        long p;
        do {
            p = producerIndex.get();
            if (p - consumerIndex.get() > mask) {
                return false;
            }
        } while (!producerIndex.compareAndSet(p, p + 1));
        slots.lazySet((int) p & mask, e);
        return true;
    }

    /** Removes the oldest published element, or null. Only the single consumer thread may call this. */
    public E poll() {
        long c = consumerIndex.get();
        int i = (int) c & mask;
        E e = slots.get(i);
        if (e == null) {
            return null;
        }
        slots.lazySet(i, null);
        consumerIndex.lazySet(c + 1);
        return e;
    }

    /** Elements reserved or published and not yet consumed (approximate under concurrency). */
    public int size() {
        return (int) Math.max(0, producerIndex.get() - consumerIndex.get());
    }

    /** The number of slots. */
    public int capacity() {
        return mask + 1;
    }
}

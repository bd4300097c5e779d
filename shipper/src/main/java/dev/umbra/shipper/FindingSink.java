package dev.umbra.shipper;

/**
 * Where findings go: stdout, a rotating file, Kafka. Implementations say whether {@link #offer}
 * may wait; the Kafka sink never does.
 */
public interface FindingSink extends AutoCloseable {
    /**
     * Hands a finding over.
     *
     * @return false when it was dropped (and counted) instead of accepted
     */
    boolean offer(Finding finding);

    /** Delivers what can be delivered within the sink's drain timeout and releases resources. */
    @Override
    void close();
}

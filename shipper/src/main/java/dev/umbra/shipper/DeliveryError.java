package dev.umbra.shipper;

/** Kinds of delivery error, counted; the records concerned stay in the spool unless dropped. */
public enum DeliveryError {
    /** No broker answered within the timeout (down, wrong address, network). */
    BROKER_UNREACHABLE("broker_unreachable"),
    /** The topic does not exist (and auto-creation is off) or has no leader. */
    TOPIC_MISSING("topic_missing"),
    /** SASL or TLS authentication failed (wrong password, untrusted certificate). */
    AUTHENTICATION("authentication"),
    /** The principal may not write to the topic. */
    AUTHORIZATION("authorization"),
    /** The record exceeds the broker's or producer's size limit. */
    RECORD_TOO_LARGE("record_too_large"),
    /** The send timed out after the producer's own retries. */
    TIMEOUT("timeout"),
    /** Anything else. */
    OTHER("other");

    private final String code;

    DeliveryError(String code) {
        this.code = code;
    }

    /** The stable snake_case code. */
    public String code() {
        return code;
    }
}

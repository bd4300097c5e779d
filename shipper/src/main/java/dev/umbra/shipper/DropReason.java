package dev.umbra.shipper;

/** Why a finding was dropped before reaching its destination. Codes are stable snake_case. */
public enum DropReason {
    /** The hand-off queue in front of the sender was full; the capture thread did not wait. */
    HANDOFF_QUEUE_FULL("handoff_queue_full"),
    /** The spool reached its size bound and its oldest unsent records were removed. */
    SPOOL_FULL_OLDEST("spool_full_oldest"),
    /** The spool reached its size bound and the new record was refused (policy {@code drop_newest}). */
    SPOOL_FULL_NEWEST("spool_full_newest"),
    /** A spool record failed its CRC or framing check on replay and was cut out. */
    SPOOL_CORRUPT("spool_corrupt"),
    /** The last record of the spool was incomplete (process killed mid-write) and was cut. */
    SPOOL_TORN_TAIL("spool_torn_tail"),
    /** The record is larger than the spool or the broker accepts; it can never be delivered. */
    RECORD_TOO_LARGE("record_too_large"),
    /** The spool could not be written (disk full, I/O error). */
    SPOOL_IO_ERROR("spool_io_error"),
    /** The broker rejected the record permanently (not retriable). */
    REJECTED("rejected");

    private final String code;

    DropReason(String code) {
        this.code = code;
    }

    /** The stable snake_case code. */
    public String code() {
        return code;
    }
}

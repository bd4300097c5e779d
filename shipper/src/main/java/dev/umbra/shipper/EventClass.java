package dev.umbra.shipper;

/** The OCSF 1.8.0 classes Umbra emits. */
public enum EventClass {
    /** AI service usage seen in DNS. */
    DNS_ACTIVITY(4003, 4, "DNS Activity"),
    /** AI service usage seen in TLS or QUIC handshakes and flows. */
    NETWORK_ACTIVITY(4001, 4, "Network Activity"),
    /** AI service usage seen in HTTP requests and proxy logs. */
    HTTP_ACTIVITY(4002, 4, "HTTP Activity"),
    /** Policy events: unsanctioned service used, service first seen, unusual request rate. */
    DETECTION_FINDING(2004, 2, "Detection Finding"),
    /** Sensitive data sent to an AI service. */
    DATA_SECURITY_FINDING(2006, 2, "Data Security Finding");

    private final int uid;
    private final int categoryUid;
    private final String caption;

    EventClass(int uid, int categoryUid, String caption) {
        this.uid = uid;
        this.categoryUid = categoryUid;
        this.caption = caption;
    }

    /** OCSF {@code class_uid}. */
    public int uid() {
        return uid;
    }

    /** OCSF {@code category_uid}. */
    public int categoryUid() {
        return categoryUid;
    }

    /**
     * The event family, which selects the Kafka topic ({@code kafka.topic.<family>}): {@code usage}
     * for the activity classes, {@code policy} for Detection Finding, {@code data_security} for Data
     * Security Finding.
     */
    public String family() {
        return switch (this) {
            case DNS_ACTIVITY, NETWORK_ACTIVITY, HTTP_ACTIVITY -> "usage";
            case DETECTION_FINDING -> "policy";
            case DATA_SECURITY_FINDING -> "data_security";
        };
    }

    /** OCSF {@code class_name}. */
    public String caption() {
        return caption;
    }
}

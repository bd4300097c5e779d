package dev.umbra.shipper;

/** The policy events Umbra reports as OCSF Detection Findings (2004). Codes are stable snake_case. */
public enum PolicyEvent {
    /** A service whose verdict is {@code unsanctioned} was used. */
    UNSANCTIONED_SERVICE("unsanctioned_service", "Unsanctioned AI service used", 3),
    /** An AI service was seen on a host for the first time (since the sensor started). */
    FIRST_SEEN("first_seen", "AI service first seen on host", 2),
    /** More requests to a model API in one window than the configured threshold (automation, extraction). */
    UNUSUAL_REQUEST_RATE("unusual_request_rate", "Unusual request rate to a model API", 3);

    private final String code;
    private final String title;
    private final int severityId;

    PolicyEvent(String code, String title, int severityId) {
        this.code = code;
        this.title = title;
        this.severityId = severityId;
    }

    /** The stable snake_case code ({@code finding_info.types[0]}). */
    public String code() {
        return code;
    }

    /** The human title ({@code finding_info.title}). */
    public String title() {
        return title;
    }

    /** OCSF {@code severity_id}: 2 Low, 3 Medium. */
    public int severityId() {
        return severityId;
    }
}

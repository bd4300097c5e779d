package dev.umbra.shipper;

/**
 * What became of a request that carried sensitive data, as the OCSF security_control profile says it
 * on a Data Security Finding: {@code action_id}/{@code action} and {@code disposition_id}/{@code
 * disposition}. Umbra only blocks through its ICAP service in block mode; everything it learns from
 * captures, logs or a monitoring ICAP service it only watched.
 */
public enum Outcome {
    /** Seen passively (capture, logs, ICAP in monitor mode): action Observed, disposition Detected. */
    OBSERVED(3, "Observed", 15, "Detected"),
    /** An ICAP service in block mode let the request through (no blocking category): Allowed, Allowed. */
    ALLOWED(1, "Allowed", 1, "Allowed"),
    /** An ICAP service in block mode answered the block page instead: Denied, Blocked. */
    BLOCKED(2, "Denied", 2, "Blocked");

    private final int actionId;
    private final String action;
    private final int dispositionId;
    private final String disposition;

    Outcome(int actionId, String action, int dispositionId, String disposition) {
        this.actionId = actionId;
        this.action = action;
        this.dispositionId = dispositionId;
        this.disposition = disposition;
    }

    /** OCSF {@code action_id}. */
    public int actionId() {
        return actionId;
    }

    /** OCSF {@code action}, the caption of {@link #actionId()}. */
    public String action() {
        return action;
    }

    /** OCSF {@code disposition_id}. */
    public int dispositionId() {
        return dispositionId;
    }

    /** OCSF {@code disposition}, the caption of {@link #dispositionId()}. */
    public String disposition() {
        return disposition;
    }
}

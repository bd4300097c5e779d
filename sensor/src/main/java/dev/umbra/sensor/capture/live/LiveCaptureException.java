package dev.umbra.sensor.capture.live;

/**
 * A live capture that cannot start or go on. The message is one line a user can act on (it names
 * the package to install, the capability missing, the interface or filter at fault); {@link
 * #reason()} says which case it is.
 */
public final class LiveCaptureException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the capture failed. */
    public enum Reason {
        /** libpcap cannot be loaded. */
        LIBPCAP_MISSING,
        /** The process lacks CAP_NET_RAW (or the interface refuses it). */
        PERMISSION_DENIED,
        /** No interface of that name. */
        NO_SUCH_INTERFACE,
        /** The BPF filter does not compile. */
        BAD_FILTER,
        /** The interface exists but is down (not up): it may come up later. */
        INTERFACE_DOWN,
        /** Any other libpcap error. */
        CAPTURE_FAILED
    }

    private final Reason reason;

    public LiveCaptureException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public LiveCaptureException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Which failure this is. */
    public Reason reason() {
        return reason;
    }
}

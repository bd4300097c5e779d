package dev.umbra.sensor.capture;

/** A file that is not a capture this reader understands; the message says why. */
public final class CaptureFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public CaptureFormatException(String message) {
        super(message);
    }
}

package dev.umbra.cli;

/** An error the user can act on: its message is printed as one line, its code is the exit code. */
public final class UmbraException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public UmbraException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public UmbraException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A bad-input error (exit code 2). */
    public static UmbraException badInput(String message) {
        return new UmbraException(ExitCodes.USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}

package dev.umbra.signatures;

/** A catalog file or entry that cannot be loaded; the message names the file and the entry. */
public final class CatalogException extends Exception {
    private static final long serialVersionUID = 1L;

    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}

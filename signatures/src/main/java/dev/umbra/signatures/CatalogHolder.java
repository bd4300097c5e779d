package dev.umbra.signatures;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The catalog a running daemon matches against, swappable without a restart. Readers call
 * {@link #current()} (or use {@link #matcher()}, which always reads the current catalog); a reload
 * builds and verifies the new catalog first and swaps it in atomically only when that succeeded, so
 * a bad release never replaces a good one and lookups never see a half-built catalog.
 */
public final class CatalogHolder {
    /** Builds a catalog (for example: verify a release, parse it, apply the policy). */
    @FunctionalInterface
    public interface Loader {
        Catalog load() throws CatalogException;
    }

    private final AtomicReference<Catalog> current;
    private final HostMatcher matcher = new HostMatcher() {
        @Override
        public Match match(CharSequence host) {
            return current.get().matcher().match(host);
        }

        @Override
        public Match match(CharSequence host, CharSequence clientIp, String user) {
            return current.get().matcher().match(host, clientIp, user);
        }

        @Override
        public Match matchRuntime(int port, CharSequence path, CharSequence clientIp, String user) {
            return current.get().matcher().matchRuntime(port, path, clientIp, user);
        }

        @Override
        public boolean isRuntimePort(int port) {
            return current.get().matcher().isRuntimePort(port);
        }
    };

    public CatalogHolder(Catalog initial) {
        this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    }

    /** The catalog in use now. */
    public Catalog current() {
        return current.get();
    }

    /** A matcher that always uses the catalog in use at the time of each lookup. */
    public HostMatcher matcher() {
        return matcher;
    }

    /**
     * Loads a new catalog and, if that succeeds, makes it current.
     *
     * @return the new catalog
     * @throws CatalogException when loading failed; the current catalog is kept
     */
    public Catalog reload(Loader loader) throws CatalogException {
        Catalog next = loader.load();
        current.set(Objects.requireNonNull(next, "loader returned null"));
        return next;
    }
}

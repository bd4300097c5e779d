package dev.umbra.cli.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/*
 * Design notes.
 *
 * Components start in order (sinks first, sources last) so that nothing produces before what
 * consumes it is up; they stop in reverse order (sources first, so that everything captured is
 * flushed through aggregation into the spool before the sinks close). When one component fails
 * to start, the ones already started are stopped again and the error is reported: nothing stays
 * half-started. Each stop is bounded; the whole stop is bounded by the sum.
 */
public final class Daemon {
    private static final Logger LOG = LogManager.getLogger(Daemon.class);

    private final List<Component> components;
    private final Duration stopTimeout;
    private final List<Component> started = new ArrayList<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean stopping;

    /**
     * @param components in start order
     * @param stopTimeout time each component gets to stop
     */
    public Daemon(List<Component> components, Duration stopTimeout) {
        this.components = List.copyOf(components);
        this.stopTimeout = stopTimeout;
    }

    /**
     * Starts every component in order.
     *
     * @throws StartException naming the component that failed; the others are stopped again
     */
    public synchronized void start() throws StartException {
        for (Component c : components) {
            try {
                c.start();
                started.add(c);
                LOG.info("started {}", c.name());
            } catch (Exception e) {
                stopStarted();
                throw new StartException(c.name() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
            }
        }
    }

    /** Null when every component is ready, else the first reason why not. */
    public String notReady() {
        if (stopping) {
            return "stopping";
        }
        if (started.size() < components.size()) {
            return "starting";
        }
        for (Component c : components) {
            String why = c.notReady();
            if (why != null) {
                return c.name() + ": " + why;
            }
        }
        return null;
    }

    /** Reloads every component (SIGHUP); a failing reload keeps the old state and is logged. */
    public void reload() {
        for (Component c : List.copyOf(started)) {
            try {
                c.reload();
            } catch (Exception e) {
                LOG.error("reload of {} failed, keeping the previous state: {}", c.name(), e.getMessage());
            }
        }
    }

    /** Asks the daemon to stop (SIGTERM, SIGINT); {@link #awaitStopRequest()} returns. */
    public void requestStop() {
        stopRequested.countDown();
    }

    /** Blocks until a stop is requested. */
    public void awaitStopRequest() throws InterruptedException {
        stopRequested.await();
    }

    /** Waits for a stop request for at most {@code timeout}; true when one came. */
    public boolean awaitStopRequest(long timeout, TimeUnit unit) throws InterruptedException {
        return stopRequested.await(timeout, unit);
    }

    /** Stops every started component, last started first. */
    public synchronized void stop() {
        stopping = true;
        stopStarted();
    }

    private void stopStarted() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Component c = started.get(i);
            try {
                c.stop(stopTimeout);
                LOG.info("stopped {}", c.name());
            } catch (RuntimeException e) {
                LOG.error("stopping {} failed: {}", c.name(), e.toString());
            }
        }
        started.clear();
    }

    /** A component could not start. */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

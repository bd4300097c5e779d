package dev.umbra.cli.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
 *
 * Start to ready counts (the acceptance budget is 2 s, JVM start included): neighbours in the start order
 * that share a start group (Component.startGroup, e.g. all sinks, then all sources) start in parallel, each
 * on its own thread, so that loading the catalog, binding the metrics listener (Netty) and opening the
 * Kafka producer overlap, and so do the captures (libpcap through JNA), tails and listeners. The order
 * between groups is kept. Before anything starts, every component prepares on a thread of its own
 * (Component.prepare: class loading, native libraries), so a capture loads libpcap while the catalog loads.
 * Each start is timed in the log.
 */
public final class Daemon {
    private static final Logger LOG = LogManager.getLogger(Daemon.class);

    private final List<Component> components;
    private final Duration stopTimeout;
    private final List<Component> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Map<Component, Thread> preparing = Map.of();

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
        Map<Component, Thread> preparing = new IdentityHashMap<>();
        for (Component c : components) {
            Thread t = new Thread(() -> {
                try {
                    c.prepare();
                } catch (Exception | LinkageError e) {
                    LOG.debug("preparing {} failed ({}); its start will say why", c.name(), e.toString());
                }
            }, "umbra-prepare");
            t.setDaemon(true);
            t.start();
            preparing.put(c, t);
        }
        this.preparing = preparing;
        int i = 0;
        while (i < components.size()) {
            String group = components.get(i).startGroup();
            int end = i + 1;
            while (group != null && end < components.size() && group.equals(components.get(end).startGroup())) {
                end++;
            }
            startGroup(components.subList(i, end));
            i = end;
        }
    }

    private void startGroup(List<Component> group) throws StartException {
        Throwable[] failures = new Throwable[group.size()];
        if (group.size() == 1) {
            failures[0] = startTimed(group.get(0));
        } else {
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < group.size(); k++) {
                int index = k;
                Thread t = new Thread(() -> failures[index] = startTimed(group.get(index)), "umbra-start-" + k);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (int k = 0; k < group.size(); k++) {
            if (failures[k] == null) {
                started.add(group.get(k));
            }
        }
        for (int k = 0; k < group.size(); k++) {
            Throwable e = failures[k];
            if (e != null) {
                stopStarted();
                throw new StartException(group.get(k).name() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
            }
        }
    }

    /**
     * Starts one component once it is prepared; returns its failure, or null. A LinkageError (a class
     * missing or changed under a partial upgrade) is a failure to start like any exception: on a start
     * thread of a group it would otherwise end the thread unseen and leave the component counted as
     * started, and alone it would leave the daemon half-started with its threads running.
     */
    private Throwable startTimed(Component c) {
        long t0 = System.nanoTime();
        try {
            Thread prepare = preparing.get(c);
            if (prepare != null) {
                prepare.join();
            }
            c.start();
            LOG.info("started {} in {} ms", c.name(), (System.nanoTime() - t0) / 1_000_000);
            return null;
        } catch (Exception | LinkageError e) {
            return e;
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

package dev.umbra.cli;

import dev.umbra.sensor.Observation;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import java.util.function.Supplier;

/*
 * Design notes.
 *
 * Loading the built-in catalog (parsing and checking a few hundred services) takes a few hundred
 * milliseconds of a cold JVM; an audit can read its inputs meanwhile. loading() starts the load on
 * a daemon thread and returns at once; observations that arrive before the matcher is ready wait
 * in a buffer of at most MAX_EARLY, then everything is matched in arrival order, so the report is
 * the same as with the catalog loaded first. When the buffer is full the reader waits for the load.
 *
 * A failed load must not throw out of accept(): the packet decoder counts a RuntimeException from
 * its sink as a decoder error and goes on. The failure is kept, later observations are dropped, and
 * finish() throws it, with the exit code the load gave (UmbraException) or as an internal error.
 */
/** Matches observations against the catalog and adds the matches to a report, loading the catalog alongside. */
final class MatchingSink implements Consumer<Observation> {
    /** Observations held while the catalog loads. */
    static final int MAX_EARLY = 32_768;

    private final UsageReport report;
    private final FutureTask<HostMatcher> load;
    private final List<Observation> early = new ArrayList<>();
    private HostMatcher matcher;
    private RuntimeException failure;

    private MatchingSink(UsageReport report, FutureTask<HostMatcher> load, HostMatcher matcher) {
        this.report = report;
        this.load = load;
        this.matcher = matcher;
    }

    /** A sink whose matcher is already there. */
    static MatchingSink ready(HostMatcher matcher, UsageReport report) {
        return new MatchingSink(report, null, matcher);
    }

    /** A sink that loads its matcher on another thread, starting now. */
    static MatchingSink loading(Supplier<HostMatcher> loader, UsageReport report) {
        FutureTask<HostMatcher> task = new FutureTask<>(loader::get);
        Thread t = new Thread(task, "umbra-catalog-load");
        t.setDaemon(true);
        t.start();
        return new MatchingSink(report, task, null);
    }

    @Override
    public void accept(Observation o) {
        if (matcher == null) {
            if (failure != null) {
                return;
            }
            if (!load.isDone() && early.size() < MAX_EARLY) {
                early.add(o);
                return;
            }
            if (!resolve()) {
                return;
            }
        }
        match(o);
    }

    /**
     * Waits for the catalog if it is still loading and matches what waited for it.
     *
     * @throws UmbraException the load's own error (bad catalog or policy), or an internal error
     */
    void finish() {
        if (matcher == null && failure == null) {
            resolve();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Takes the loaded matcher and drains the buffer; false (failure kept) when the load failed. */
    private boolean resolve() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    matcher = load.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            failure = cause instanceof RuntimeException r ? r
                    : new UmbraException(ExitCodes.INTERNAL, "catalog load failed: " + cause, cause);
            early.clear();
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        for (Observation o : early) {
            match(o);
        }
        early.clear();
        return true;
    }

    /**
     * False when no service has this host name, whoever would use it, so that an observation of it
     * would be dropped here: the decoder need not make one. True while the catalog loads.
     */
    boolean mayMatch(String host) {
        return matcher == null || matcher.match(host) != null;
    }

    /**
     * False when no self-hosted runtime of the catalog listens on this server port, so an HTTP request
     * to it whose host no service has cannot match; true while the catalog loads.
     */
    boolean mayMatchPort(int port) {
        return matcher == null || matcher.isRuntimePort(port);
    }

    /** The match of {@code o} (after {@link #finish()}), or {@code null} when the catalog has nothing for it. */
    Match matchOf(Observation o) {
        return ObservationMatch.of(matcher, o, o.user());
    }

    private void match(Observation o) {
        Match m = ObservationMatch.of(matcher, o, o.user());
        if (m != null) {
            report.add(o, m);
        }
    }
}

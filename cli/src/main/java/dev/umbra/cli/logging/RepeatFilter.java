package dev.umbra.cli.logging;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.message.Message;

/*
 * Design notes.
 *
 * A log line that repeats (a broker that is down, a peer that keeps sending garbage) must not flood
 * journald, and the count of what was dropped must not be lost. Events are keyed by logger name and
 * message pattern (the format string before its parameters are filled in, so "capture {}: {}" is one
 * key whatever the parameters): per key, the first `burst` events of a window pass, the rest are denied
 * and counted. At the end of each window a sweep reports every key with a count once ("suppressed N
 * repeats of ...", at the level of the suppressed events, from their logger) and starts the next window.
 * The report carries the pattern, never the parameters, so it adds no value that was not logged already.
 *
 * The filter sits on the appender: it sees only events that passed the level checks, exactly once each.
 * Reports are logged from the sweep thread, never from inside filter(), which runs within the appender
 * (Log4j drops recursive appender calls). Keys are bounded (MAX_KEYS); beyond that, new keys pass
 * unfiltered rather than grow the map. Windows are fixed and aligned to the sweeps: a burst that straddles
 * a sweep may pass up to 2 x burst events in one window length.
 */
/** Log4j2 filter that lets {@code burst} identical messages per window pass and reports how many it dropped. */
public final class RepeatFilter extends AbstractFilter {
    /** At most this many (logger, pattern) keys are tracked at once. */
    public static final int MAX_KEYS = 4096;

    /** Receives one report per key and window with suppressed events. */
    @FunctionalInterface
    public interface Reporter {
        /**
         * @param logger name of the logger the suppressed events came from
         * @param level level of the last suppressed event
         * @param pattern message pattern of the suppressed events
         * @param suppressed how many were dropped in the window
         */
        void suppressed(String logger, Level level, String pattern, long suppressed);
    }

    private record Key(String logger, String pattern) {
    }

    private static final class Counter {
        long passed;
        long suppressed;
        Level level;
    }

    private final int burst;
    private final Duration window;
    private final Reporter reporter;
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
    private ScheduledExecutorService sweeper;

    /**
     * @param burst events per key and window that pass; 0 lets every event pass
     * @param window window length; the sweep that reports and resets runs once per window after {@link #start()}
     * @param reporter receives the suppression counts
     */
    public RepeatFilter(int burst, Duration window, Reporter reporter) {
        super(Result.NEUTRAL, Result.DENY);
        if (burst < 0) {
            throw new IllegalArgumentException("burst cannot be negative: " + burst);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.burst = burst;
        this.window = window;
        this.reporter = reporter;
    }

    /** A filter whose reports are logged from the logger of the suppressed events. */
    public static RepeatFilter logging(int burst, Duration window) {
        String seconds = window.toMillis() % 1000 == 0 ? window.toSeconds() + " s" : window.toMillis() + " ms";
        return new RepeatFilter(burst, window, (logger, level, pattern, n) -> LogManager.getLogger(logger)
                .log(level, "suppressed {} repeats in the last {} of: {}", n, seconds, pattern));
    }

    @Override
    @SuppressWarnings("deprecation") // Message.getFormat: the pattern before its parameters, the key we need
    public Result filter(LogEvent event) {
        if (burst == 0) {
            return Result.NEUTRAL;
        }
        Message m = event.getMessage();
        String pattern = m == null ? null : m.getFormat();
        if (pattern == null) {
            pattern = m == null ? "" : m.getFormattedMessage();
        }
        Key key = new Key(event.getLoggerName() == null ? "" : event.getLoggerName(), pattern);
        Counter c = counters.get(key);
        if (c == null) {
            if (counters.size() >= MAX_KEYS) {
                return Result.NEUTRAL;
            }
            c = counters.computeIfAbsent(key, k -> new Counter());
        }
        synchronized (c) {
            if (c.passed < burst) {
                c.passed++;
                return Result.NEUTRAL;
            }
            c.suppressed++;
            c.level = event.getLevel();
            return Result.DENY;
        }
    }

    /**
     * Ends the window: reports every key with suppressed events and resets the counts; keys that saw no
     * event in the window are forgotten. Runs on the sweep thread; tests call it directly.
     */
    void sweep() {
        for (Iterator<Map.Entry<Key, Counter>> it = counters.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Counter> e = it.next();
            Counter c = e.getValue();
            long suppressed;
            Level level;
            synchronized (c) {
                suppressed = c.suppressed;
                level = c.level;
                if (c.passed == 0 && c.suppressed == 0) {
                    it.remove();
                    continue;
                }
                c.passed = 0;
                c.suppressed = 0;
            }
            if (suppressed > 0) {
                try {
                    reporter.suppressed(e.getKey().logger(), level, e.getKey().pattern(), suppressed);
                } catch (RuntimeException ignored) {
                    // a failing report must not stop the sweeps
                }
            }
        }
    }

    @Override
    public void start() {
        super.start();
        if (burst > 0) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "umbra-log-repeats");
                t.setDaemon(true);
                return t;
            });
            long ms = window.toMillis();
            sweeper.scheduleAtFixedRate(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public boolean stop(long timeout, TimeUnit unit) {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        return super.stop(timeout, unit);
    }

    @Override
    public String toString() {
        return "RepeatFilter[burst=" + burst + ", window=" + window + "]";
    }
}

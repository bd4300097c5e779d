package dev.umbra.cli.logging;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.OutputStreamAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;

/**
 * The daemon's logging ({@code log.*} keys): replaces the command-line appender of {@code log4j2.xml} by
 * one with the configured layout (text or JSON lines) and the {@link RepeatFilter}. Built in code, not
 * from a second configuration file, so that the daemon does not parse and start a configuration twice.
 */
public final class DaemonLogging {
    /** Name of the appender in {@code log4j2.xml} and of its replacement. */
    public static final String APPENDER = "stderr";
    /** The text layout: the command line's. */
    public static final String TEXT_PATTERN = "umbra: %level{lowerCase=true}: %msg (%c{1})%n";
    /** Template of a JSON log line: time, level, logger, thread, message, error.type, error.message. */
    public static final String JSON_TEMPLATE = "classpath:dev/umbra/cli/logging/umbra-log-event.json";

    /** Log layout. */
    public enum Format {
        TEXT, JSON;

        /** {@code text} or {@code json}. */
        public static Format of(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT));
        }
    }

    private DaemonLogging() {
    }

    /**
     * Installs the daemon's appender on standard error.
     *
     * @param level root level, or null to keep the current one (set by {@code -v})
     * @return the installed appender
     */
    public static Appender install(Format format, Level level, int repeatBurst, Duration repeatWindow) {
        return install(format, level, repeatBurst, repeatWindow, new FileOutputStream(FileDescriptor.err));
    }

    /**
     * Installs the daemon's appender writing to {@code target} (tests pass a buffer); the stream is
     * flushed after every event and never closed by logging.
     */
    public static Appender install(Format format, Level level, int repeatBurst, Duration repeatWindow, OutputStream target) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        Layout<? extends java.io.Serializable> layout = switch (format) {
            case TEXT -> PatternLayout.newBuilder().withConfiguration(config).withPattern(TEXT_PATTERN).build();
            case JSON -> JsonTemplateLayout.newBuilder().setConfiguration(config).setEventTemplateUri(JSON_TEMPLATE).build();
        };
        RepeatFilter filter = RepeatFilter.logging(repeatBurst, repeatWindow);
        filter.start();
        OutputStreamAppender appender = OutputStreamAppender.newBuilder().setName(APPENDER).setLayout(layout)
                .setFilter(filter).setTarget(new KeepOpen(target)).setConfiguration(config).build();
        appender.start();
        // every logger that wrote somewhere writes here instead (the root always does); the old appenders are
        // removed first: they may carry the same name
        LoggerConfig root = config.getRootLogger();
        List<LoggerConfig> writers = new ArrayList<>(List.of(root));
        Set<String> replaced = new HashSet<>(root.getAppenders().keySet());
        for (LoggerConfig lc : config.getLoggers().values()) {
            if (lc != root && !lc.getAppenders().isEmpty()) {
                writers.add(lc);
                replaced.addAll(lc.getAppenders().keySet());
            }
        }
        for (String name : replaced) {
            if (config instanceof AbstractConfiguration ac) {
                ac.removeAppender(name); // from every logger, and stops it
            } else {
                writers.forEach(lc -> lc.removeAppender(name));
            }
        }
        writers.forEach(lc -> lc.addAppender(appender, null, null));
        config.addAppender(appender);
        if (level != null) {
            root.setLevel(level);
        }
        context.updateLoggers();
        return appender;
    }

    /** Flushes instead of closing: standard error outlives the appender. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}

package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.syslog.SyslogHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/*
 * Design notes.
 *
 * Lines arrive one by one (from a file, a tailer or syslog). Until the format is known, the first
 * lines are copied aside (at most MAX_SAMPLE_LINES data lines and SAMPLE_BYTES in all); then the
 * detector decides, a parser is made, and the kept lines are replayed through it in order, so no
 * line is lost or reordered. A line that makes a parser throw (a bug) is counted as
 * log_parser_error and reading goes on.
 */

/**
 * One log stream: numbers its lines, detects the format when none is given, strips syslog headers
 * when the lines carry them, and hands each line to the format's {@link LineParser}. Not
 * thread-safe: one stream per file or syslog sender.
 */
public final class LogStream {
    private static final int SAMPLE_BYTES = 256 * 1024;

    private final LogOptions options;
    private final LogContext ctx;
    private final SyslogHeader header = new SyslogHeader();
    private final LogFormatDetector detector;
    private LineParser parser;
    private LogFormat format;
    private boolean syslog;
    private boolean undetectable;
    private long lineNumber;
    private final List<byte[]> sample = new ArrayList<>();
    private final List<Long> sampleNumbers = new ArrayList<>();
    private int sampleBytes;
    private int sampleDataLines;

    /**
     * @param options the format (or {@code null} in it to detect one) and limits
     * @param ctx where observations and counts go
     */
    public LogStream(LogOptions options, LogContext ctx) {
        this.options = options;
        this.ctx = ctx;
        this.detector = new LogFormatDetector(options);
        if (options.format() != null) {
            start(options.format(), false);
        }
    }

    /** The format in use, or {@code null} while it is still being detected or was not recognised. */
    public LogFormat format() {
        return format;
    }

    /** Whether lines carry a syslog header that is stripped before parsing. */
    public boolean syslogHeader() {
        return syslog;
    }

    /** The context (sink, counters) of the stream. */
    public LogContext context() {
        return ctx;
    }

    /** Number of the last line given. */
    public long lineNumber() {
        return lineNumber;
    }

    /** Counts a line that was too long to read; it keeps its number. */
    public void lineTooLong() {
        lineNumber++;
        ctx.stats().line();
        ctx.bad(LogAnomaly.LINE_TOO_LONG, lineNumber);
    }

    /** One line without its terminator (a trailing CR is removed here). */
    public void line(byte[] buf, int off, int len) {
        if (len > 0 && buf[off + len - 1] == '\r') {
            len--;
        }
        if (lineNumber == 0 && len >= 3 && (buf[off] & 0xff) == 0xEF && (buf[off + 1] & 0xff) == 0xBB
                && (buf[off + 2] & 0xff) == 0xBF) {
            off += 3; // a UTF-8 byte order mark (Windows-written W3C logs)
            len -= 3;
        }
        lineNumber++;
        ctx.stats().line();
        if (parser != null) {
            dispatch(buf, off, len, lineNumber);
            return;
        }
        if (undetectable) {
            ctx.bad(LogAnomaly.FORMAT_UNKNOWN, lineNumber);
            return;
        }
        sample.add(Arrays.copyOfRange(buf, off, off + len));
        sampleNumbers.add(lineNumber);
        sampleBytes += len;
        boolean directive = len > 0 && buf[off] == '#';
        if (!directive && len > 0) {
            sampleDataLines++;
        }
        if (directive && (startsWith(buf, off, len, "#Fields:") || startsWith(buf, off, len, "#fields")
                || startsWith(buf, off, len, "#separator"))) {
            decide();
        } else if (sampleDataLines >= LogFormatDetector.MAX_SAMPLE_LINES || sampleBytes >= SAMPLE_BYTES) {
            decide();
        } else if (!directive && len > 0) {
            // while every line so far fits one format, go with it at once (a live stream may be slow)
            LogFormatDetector.Detection d = detector.detect(sample);
            if (d != null && d.unanimous()) {
                decide();
            }
        }
    }

    /** The end of the stream: decides the format from the lines seen if not done yet. */
    public void finish() {
        if (parser == null && !undetectable && !sample.isEmpty()) {
            decide();
        }
    }

    private void decide() {
        LogFormatDetector.Detection d = detector.detect(sample);
        List<byte[]> lines = new ArrayList<>(sample);
        List<Long> numbers = new ArrayList<>(sampleNumbers);
        sample.clear();
        sampleNumbers.clear();
        if (d == null) {
            undetectable = true;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).length > 0) {
                    ctx.bad(LogAnomaly.FORMAT_UNKNOWN, numbers.get(i));
                }
            }
            return;
        }
        start(d.format(), d.syslogHeader());
        for (int i = 0; i < lines.size(); i++) {
            byte[] l = lines.get(i);
            dispatch(l, 0, l.length, numbers.get(i));
        }
    }

    private void start(LogFormat f, boolean syslogHeader) {
        format = f;
        syslog = syslogHeader;
        parser = options.parser(f, ctx);
    }

    private void dispatch(byte[] buf, int off, int len, long n) {
        try {
            if (syslog && len > 0) {
                if (!header.parse(buf, off, len, false)) {
                    ctx.bad(LogAnomaly.SYSLOG_HEADER_MALFORMED, n);
                    return;
                }
                int b = header.bodyStart();
                len -= b - off;
                off = b;
            }
            parser.parse(buf, off, len, n);
        } catch (RuntimeException e) {
            ctx.bad(LogAnomaly.PARSER_ERROR, n);
        }
    }

    private static boolean startsWith(byte[] buf, int off, int len, String s) {
        return Text.startsWith(buf, off, off + len, s);
    }
}

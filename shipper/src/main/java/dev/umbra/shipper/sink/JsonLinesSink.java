package dev.umbra.shipper.sink;

import dev.umbra.shipper.Finding;
import dev.umbra.shipper.FindingSink;
import dev.umbra.shipper.ocsf.OcsfMapper;
import java.io.PrintWriter;
import java.util.Objects;

/**
 * Writes each finding as one line of OCSF JSON to a writer (stdout). Synchronous: {@link #offer}
 * writes on the caller's thread; use it for audits and debugging, the Kafka sink for capture.
 */
public final class JsonLinesSink implements FindingSink {
    private final PrintWriter out;
    private final OcsfMapper mapper;

    /** @param out the writer; flushed on close, not closed (it may be stdout) */
    public JsonLinesSink(PrintWriter out, OcsfMapper mapper) {
        this.out = Objects.requireNonNull(out, "out");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public synchronized boolean offer(Finding finding) {
        out.println(mapper.toJsonLine(finding));
        return !out.checkError();
    }

    @Override
    public synchronized void close() {
        out.flush();
    }
}

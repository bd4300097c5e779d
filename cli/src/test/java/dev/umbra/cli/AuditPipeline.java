package dev.umbra.cli;

import dev.umbra.signatures.HostMatcher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code umbra audit}'s pipeline without the command around it, for benchmarks: the same CaptureRun,
 * name filter and MatchingSink as AuditCommand, with a catalog already loaded.
 */
public final class AuditPipeline {
    private AuditPipeline() {
    }

    /**
     * What a run read and made.
     *
     * @param packets frames read
     * @param rows rows of the usage report (the audit's table, one per client and service)
     */
    public record Result(long packets, int rows) {
    }

    /**
     * Reads a capture as the audit does, into a new usage report, and builds the report's rows.
     *
     * @throws IllegalStateException when the run wrote an error (unreadable file)
     */
    public static Result run(Path capture, HostMatcher matcher) {
        StringWriter errors = new StringWriter();
        UsageReport report = new UsageReport();
        MatchingSink sink = MatchingSink.ready(matcher, report);
        CaptureRun run = new CaptureRun(new PrintWriter(errors));
        run.onlyNames(sink::mayMatch);
        run.readAll(List.of(capture), sink);
        sink.finish();
        if (errors.getBuffer().length() > 0) {
            throw new IllegalStateException(errors.toString());
        }
        return new Result(run.packets(), report.rows().size());
    }
}

package dev.umbra.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code umbra} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs one command line and returns its exit code; output goes to the given writers. Used by
     * {@link #main} and by tests.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        UmbraCommand root = new UmbraCommand(out, err);
        CommandLine cli = new CommandLine(root);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("umbra: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (root.stacktrace) {
                e.printStackTrace(err);
            }
            if (e instanceof UmbraException u) {
                err.println("umbra: " + u.getMessage());
                return u.exitCode();
            }
            err.println("umbra: internal error: " + e + (root.stacktrace ? "" : " (run with --stacktrace for details)"));
            return ExitCodes.INTERNAL;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}

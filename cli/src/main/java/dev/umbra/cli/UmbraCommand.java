package dev.umbra.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code umbra} command; its options apply to every subcommand. */
@Command(name = "umbra",
        mixinStandardHelpOptions = true,
        versionProvider = UmbraCommand.Version.class,
        description = "Finds the AI services people and programs use, and what data goes to them.",
        subcommands = {AuditCommand.class, ObserveCommand.class, ConfigCommand.class, CaptureCommand.class, RunCommand.class, CatalogCommand.class, ScanCommand.class, EvalCommand.class, CdsTrainingCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:findings matched a --fail-on rule",
            "2:bad input or usage",
            "3:runtime failure (I/O, broker)",
            "4:internal error"})
public final class UmbraCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    final PrintWriter out;
    final PrintWriter err;

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean stacktrace;

    private int verbosity;

    UmbraCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More log output: -v info, -vv debug.")
    void setVerbose(boolean[] flags) {
        verbosity = flags.length;
        Configurator.setRootLevel(verbosity >= 2 ? Level.DEBUG : verbosity == 1 ? Level.INFO : Level.WARN);
    }

    int verbosity() {
        return verbosity;
    }

    @Override
    public Integer call() {
        err.println("umbra: a command is required");
        spec.commandLine().usage(err);
        return ExitCodes.USAGE;
    }

    /** Umbra's version, from the build. */
    public static String version() {
        try (InputStream in = UmbraCommand.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Supplies {@code --version}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"umbra " + version(), "Java " + System.getProperty("java.version")};
        }
    }
}

package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help renders cleanly: picocli formats descriptions, so a stray '%' breaks them. */
class HelpTest {

    @Test
    void everyCommandsHelp_rendersWithoutPicocliWarnings() {
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new UmbraCommand(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))),
                new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(5);

        PrintStream saved = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            for (List<String> path : paths) {
                List<String> args = new ArrayList<>(path);
                args.add("--help");
                CliRun r = CliRun.run(args.toArray(String[]::new));
                assertThat(r.exitCode()).as("umbra %s --help", String.join(" ", path)).isZero();
                assertThat(r.out()).as("umbra %s --help", String.join(" ", path)).contains("Usage:").doesNotContain("%n");
            }
        } finally {
            System.setErr(saved);
        }
        // picocli reports a description it cannot format on System.err, not on the command's writer
        assertThat(stderr.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    }

    @Test
    void squidLogformatOption_showsTheDefinitionLiterally() {
        CliRun r = CliRun.run("audit", "--help");
        assertThat(r.out()).contains("('%ts.%03tu %>a %un %").doesNotContain("%%");
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        for (var sub : cl.getSubcommands().entrySet()) {
            if (!sub.getValue().getCommandSpec().name().equals(sub.getKey())
                    || sub.getValue().getCommandSpec().usageMessage().hidden()) {
                continue; // an alias, or an internal command without help (cds-training)
            }
            List<String> p = new ArrayList<>(path);
            p.add(sub.getKey());
            collect(sub.getValue(), p, out);
        }
    }
}

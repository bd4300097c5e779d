package dev.umbra.cli;

import dev.umbra.cli.config.ConfigException;
import dev.umbra.cli.config.ConfigKey;
import dev.umbra.cli.config.UmbraConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code umbra config}: check a daemon configuration file, print the defaults or the key table. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Check a configuration file, or print the default one.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Defaults.class, ConfigCommand.Keys.class})
final class ConfigCommand implements Callable<Integer> {
    @ParentCommand
    UmbraCommand root;

    @Override
    public Integer call() {
        root.err.println("umbra: config needs a subcommand: check, defaults or keys");
        return ExitCodes.USAGE;
    }

    /** {@code umbra config check FILE}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a configuration file; every error names the key, the bad value and the fix.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
        Path file;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw UmbraException.badInput(file + ": no such file");
            }
            try {
                UmbraConfig.load(file);
                parent.root.out.println(file + ": ok");
                return ExitCodes.OK;
            } catch (ConfigException e) {
                e.errors().forEach(parent.root.err::println);
                return ExitCodes.USAGE;
            } catch (IOException e) {
                throw new UmbraException(ExitCodes.RUNTIME, file + ": cannot read: " + e.getMessage(), e);
            }
        }
    }

    /** {@code umbra config defaults}. */
    @Command(name = "defaults", mixinStandardHelpOptions = true,
            description = "Print a commented configuration file with every key at its default.")
    static final class Defaults implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Override
        public Integer call() {
            parent.root.out.print(UmbraConfig.defaultsYaml());
            return ExitCodes.OK;
        }
    }

    /** {@code umbra config keys}: the table as Markdown, for docs. */
    @Command(name = "keys", mixinStandardHelpOptions = true,
            description = "Print the table of configuration keys (key, type, default, meaning) as Markdown.")
    static final class Keys implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Option(names = "--markdown", defaultValue = "true", hidden = true)
        boolean markdown;

        @Override
        public Integer call() {
            parent.root.out.println("| key | type | default | meaning |");
            parent.root.out.println("|---|---|---|---|");
            for (ConfigKey k : UmbraConfig.KEYS) {
                parent.root.out.println("| `" + k.name() + "` | " + k.type().name().toLowerCase(java.util.Locale.ROOT)
                        + " | `" + k.defaultValue() + "` | " + k.doc() + " |");
            }
            return ExitCodes.OK;
        }
    }
}

package dev.umbra.cli;

import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.eval.Evaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code umbra eval}: precision, recall and F1 of every detector type on a labelled corpus. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Run the classifier over a labelled JSONL corpus (text + labels of type, start, end) and "
                + "print precision, recall and F1 per detection type.")
final class EvalCommand implements Callable<Integer> {
    @ParentCommand
    UmbraCommand root;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Classifier settings; default: config.properties beside the dataset, if present.")
    Path config;

    @Option(names = "--min", paramLabel = "SCORE",
            description = "Exit with 1 when any type's precision or recall is below SCORE (0..1).")
    Double min;

    @Option(names = "--errors", description = "Also list the ids of samples with a false positive or negative.")
    boolean errors;

    @Parameters(index = "0", paramLabel = "DATASET", description = "A JSONL corpus, e.g. test-data/payloads/corpus.jsonl.")
    Path dataset;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(dataset)) {
            throw UmbraException.badInput("no such dataset: " + dataset);
        }
        if (min != null && (min < 0 || min > 1)) {
            throw UmbraException.badInput("Invalid value " + min + " for option --min: must be between 0 and 1");
        }
        Path cfg = config;
        if (cfg == null) {
            Path beside = dataset.toAbsolutePath().resolveSibling("config.properties");
            cfg = Files.isRegularFile(beside) ? beside : null;
        }
        Classifier classifier = Classifier.create(ScanCommand.loadConfig(cfg));
        Evaluation.Result r;
        try {
            r = Evaluation.run(classifier, dataset);
        } catch (IOException | RuntimeException e) {
            throw UmbraException.badInput("cannot evaluate " + dataset + ": " + e.getMessage());
        }
        TextTable table = new TextTable("TYPE", "TP", "FP", "FN", "PRECISION", "RECALL", "F1");
        boolean below = false;
        for (Map.Entry<String, Evaluation.Counts> e : r.byType().entrySet()) {
            Evaluation.Counts c = e.getValue();
            table.add(e.getKey(), c.tp(), c.fp(), c.fn(), f(c.precision()), f(c.recall()), f(c.f1()));
            below |= min != null && (c.precision() < min || c.recall() < min);
        }
        table.print(root.out);
        root.out.println();
        root.out.println(r.samples() + " samples, " + r.byType().size() + " types; source-code language guessed right "
                + r.languageHits() + "/" + r.languageTotal() + ".");
        if (errors && !r.errors().isEmpty()) {
            root.out.println("samples with errors: " + String.join(" ", r.errors()));
        }
        return below ? ExitCodes.FINDINGS : ExitCodes.OK;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}

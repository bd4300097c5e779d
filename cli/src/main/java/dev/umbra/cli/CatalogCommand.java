package dev.umbra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umbra.signatures.AiService;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.CatalogException;
import dev.umbra.signatures.Category;
import dev.umbra.signatures.DomainPattern;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;
import dev.umbra.signatures.PathRule;
import dev.umbra.signatures.Policy;
import dev.umbra.signatures.RiskFact;
import dev.umbra.signatures.RiskScore;
import dev.umbra.signatures.integrity.CatalogTrust;
import dev.umbra.signatures.integrity.Ed25519Keys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code umbra catalog}: inspect, match against, validate and sign the AI service catalog. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Inspect the AI service catalog, match host names, validate and sign catalog releases.",
        subcommands = {CatalogCommand.ListCmd.class, CatalogCommand.Show.class, CatalogCommand.MatchCmd.class,
            CatalogCommand.Validate.class, CatalogCommand.Stats.class, CatalogCommand.Sign.class,
            CatalogCommand.Verify.class, CatalogCommand.Keygen.class})
final class CatalogCommand implements Callable<Integer> {
    /** Longest host name line read from stdin; longer lines are reported and skipped. */
    static final int MAX_HOST_LINE = 1024;
    /** Made on first use (picocli creates every subcommand for every command line). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    @ParentCommand
    UmbraCommand root;

    @Override
    public Integer call() {
        root.err.println("umbra catalog: a subcommand is required (list, show, match, validate, stats, sign, verify, keygen)");
        return ExitCodes.USAGE;
    }

    /** {@code umbra catalog list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the catalog's services.")
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;
        @Mixin
        CatalogOptions options;

        @Option(names = "--category", paramLabel = "C", description = "Only this category (${COMPLETION-CANDIDATES}).")
        String category;

        @Override
        public Integer call() {
            Category only = null;
            if (category != null) {
                try {
                    only = Category.fromId(category);
                } catch (IllegalArgumentException e) {
                    throw UmbraException.badInput("Invalid value " + category + " for option --category: " + e.getMessage());
                }
            }
            Catalog c = options.load(parent.root.err);
            TextTable t = new TextTable("ID", "NAME", "VENDOR", "CATEGORY", "RISK", "VERDICT", "DOMAINS");
            int n = 0;
            for (AiService s : c.services()) {
                if (only == null || s.category() == only) {
                    t.add(s.id(), s.name(), s.vendor(), s.category().id(), s.riskScore(), c.policy().verdict(s).id(),
                            s.domains().size());
                    n++;
                }
            }
            t.print(parent.root.out);
            parent.root.out.println(n + " service(s)");
            return ExitCodes.OK;
        }
    }

    /** {@code umbra catalog show ID}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one service: domains, risk facts with sources, score.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;
        @Mixin
        CatalogOptions options;
        @Parameters(paramLabel = "ID", description = "Service id.")
        String id;

        @Override
        public Integer call() {
            Catalog c = options.load(parent.root.err);
            AiService s = c.service(id);
            if (s == null) {
                throw UmbraException.badInput("no service " + id + " in the catalog (see 'umbra catalog list')");
            }
            var out = parent.root.out;
            out.println("id:        " + s.id());
            out.println("name:      " + s.name());
            out.println("vendor:    " + s.vendor());
            out.println("category:  " + s.category().id());
            out.println("verdict:   " + c.policy().verdict(s).id());
            out.println("risk:      " + s.riskScore() + "/100");
            out.println("domains:   " + String.join(" ", s.domains().stream().map(DomainPattern::toString).toList()));
            for (PathRule p : s.paths()) {
                out.println("path:      " + p.prefix() + " -> " + p.function());
            }
            if (!s.ports().isEmpty()) {
                out.println("ports:     " + s.ports());
            }
            out.println("risk facts:");
            TextTable t = new TextTable("FACT", "VALUE", "POINTS", "REVIEWED", "SOURCE");
            for (String f : RiskScore.FACTS) {
                RiskFact fact = s.facts().getOrDefault(f, RiskFact.UNKNOWN_FACT);
                t.add(f, fact.value(), RiskScore.points(f, fact.value()), fact.reviewed(), fact.source());
            }
            t.print(out);
            return ExitCodes.OK;
        }
    }

    /** {@code umbra catalog match HOST...|-}. */
    @Command(name = "match", mixinStandardHelpOptions = true,
            description = "Match host names (arguments, or one per line on stdin with '-') against the catalog.")
    static final class MatchCmd implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;
        @Mixin
        CatalogOptions options;
        @Option(names = "--format", defaultValue = "table", description = "table or json (one object per host per line).")
        OutputFormat format;
        @Option(names = "--client", paramLabel = "IP", description = "Client address, for the policy's network exceptions.")
        String client;
        @Option(names = "--user", paramLabel = "NAME", description = "User name, for the policy's group exceptions.")
        String user;
        @Parameters(arity = "1..*", paramLabel = "HOST", description = "Host names, or '-' to read them from stdin.")
        List<String> hosts;

        @Override
        public Integer call() throws IOException {
            HostMatcher m = options.load(parent.root.err).matcher();
            TextTable table = new TextTable("HOST", "SERVICE", "CATEGORY", "VERDICT", "RISK", "PATTERN");
            int matched = 0;
            int skipped = 0;
            List<String> names = new ArrayList<>();
            for (String h : hosts) {
                if (h.equals("-")) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    String line;
                    while ((line = in.readLine()) != null) {
                        String t = line.trim();
                        if (t.length() > MAX_HOST_LINE) {
                            skipped++;
                        } else if (!t.isEmpty() && !t.startsWith("#")) {
                            names.add(t);
                        }
                    }
                } else {
                    names.add(h);
                }
            }
            for (String host : names) {
                Match r = m.match(host, client, user);
                if (r != null) {
                    matched++;
                }
                if (format == OutputFormat.json) {
                    ObjectNode o = Json.MAPPER.createObjectNode();
                    o.put("host", host);
                    o.put("service", r == null ? null : r.service().id());
                    o.put("category", r == null ? null : r.service().category().id());
                    o.put("verdict", r == null ? null : r.verdict().id());
                    if (r != null) {
                        o.put("risk_score", r.service().riskScore());
                        o.put("pattern", r.pattern().toString());
                    }
                    parent.root.out.println(Json.MAPPER.writeValueAsString(o));
                } else {
                    table.add(host, r == null ? null : r.service().id(), r == null ? null : r.service().category().id(),
                            r == null ? null : r.verdict().id(), r == null ? null : r.service().riskScore(),
                            r == null ? null : r.pattern());
                }
            }
            if (format != OutputFormat.json) {
                table.print(parent.root.out);
                parent.root.out.println(matched + " of " + names.size() + " host(s) matched an AI service");
            }
            if (skipped > 0) {
                parent.root.err.println("umbra: skipped " + skipped + " line(s) longer than " + MAX_HOST_LINE + " characters");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code umbra catalog validate FILE|DIR}. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check catalog files against the schema; print every problem with file and line.")
    static final class Validate implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;
        @Option(names = "--policy", paramLabel = "FILE", description = "Also check this policy file against the catalog.")
        Path policy;
        @Parameters(paramLabel = "FILE|DIR", description = "A catalog file or a directory of *.json catalog files.")
        Path path;

        @Override
        public Integer call() {
            try {
                Catalog c = Catalog.parse(path);
                if (policy != null) {
                    c = c.withPolicy(Policy.load(policy));
                }
                int patterns = c.services().stream().mapToInt(s -> s.domains().size()).sum();
                parent.root.out.println("ok: " + c.services().size() + " services, " + patterns + " domain patterns");
                return ExitCodes.OK;
            } catch (CatalogException e) {
                for (String p : e.problems()) {
                    parent.root.out.println(p);
                }
                parent.root.err.println("umbra: " + e.problems().size() + " problem(s) in " + path);
                return ExitCodes.USAGE;
            }
        }
    }

    /** {@code umbra catalog stats}. */
    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Counts by category, jurisdiction, pattern kind and risk.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;
        @Mixin
        CatalogOptions options;

        @Override
        public Integer call() {
            Catalog c = options.load(parent.root.err);
            Map<Category, int[]> byCategory = new EnumMap<>(Category.class);
            Map<String, Integer> byJurisdiction = new TreeMap<>();
            int suffix = 0;
            int exact = 0;
            int wildcard = 0;
            int[] riskBands = new int[5];
            int sourced = 0;
            for (AiService s : c.services()) {
                byCategory.computeIfAbsent(s.category(), k -> new int[2])[0]++;
                byCategory.get(s.category())[1] += s.domains().size();
                byJurisdiction.merge(s.facts().getOrDefault("jurisdiction", RiskFact.UNKNOWN_FACT).value(), 1, Integer::sum);
                for (DomainPattern p : s.domains()) {
                    if (p.isWildcard()) {
                        wildcard++;
                    } else if (p.exact()) {
                        exact++;
                    } else {
                        suffix++;
                    }
                }
                riskBands[Math.min(4, s.riskScore() / 20)]++;
                sourced += (int) s.facts().values().stream().filter(f -> !f.isUnknown()).count();
            }
            var out = parent.root.out;
            out.println("services: " + c.services().size() + ", domain patterns: " + (suffix + exact + wildcard)
                    + " (suffix " + suffix + ", exact " + exact + ", wildcard " + wildcard + "), sourced risk facts: " + sourced);
            TextTable t = new TextTable("CATEGORY", "SERVICES", "PATTERNS");
            byCategory.forEach((k, v) -> t.add(k.id(), v[0], v[1]));
            t.print(out);
            StringBuilder j = new StringBuilder("jurisdictions:");
            byJurisdiction.forEach((k, v) -> j.append(' ').append(k).append('=').append(v));
            out.println(j);
            out.println("risk score: 0-19 " + riskBands[0] + ", 20-39 " + riskBands[1] + ", 40-59 " + riskBands[2]
                    + ", 60-79 " + riskBands[3] + ", 80-100 " + riskBands[4]);
            return ExitCodes.OK;
        }
    }

    /** {@code umbra catalog sign DIR --key FILE}. */
    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Write MANIFEST.sha256 and its Ed25519 signature MANIFEST.sha256.sig into a catalog release directory.")
    static final class Sign implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "Ed25519 private key (PEM, PKCS#8).")
        Path key;
        @Parameters(paramLabel = "DIR", description = "Catalog release directory.")
        Path dir;

        @Override
        public Integer call() {
            try {
                Catalog c = Catalog.parse(dir);
                CatalogTrust.sign(dir, Ed25519Keys.readPrivate(key));
                parent.root.out.println("signed " + dir + ": " + c.services().size() + " services");
                return ExitCodes.OK;
            } catch (CatalogException e) {
                throw UmbraException.badInput(e.getMessage() + "\n(not signed: fix the catalog first)");
            } catch (IOException e) {
                throw UmbraException.badInput("Invalid value " + key + " for option --key: " + e.getMessage());
            }
        }
    }

    /** {@code umbra catalog verify DIR --trust-key FILE}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a release directory's signature and digests, then its schema.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;
        @Option(names = "--trust-key", required = true, paramLabel = "FILE", description = "Trusted Ed25519 public key (PEM). Repeatable.")
        List<Path> trustKeys;
        @Parameters(paramLabel = "DIR", description = "Catalog release directory.")
        Path dir;

        @Override
        public Integer call() {
            CatalogOptions o = new CatalogOptions();
            o.trustKeys = trustKeys;
            try {
                Catalog c = Catalog.load(dir, CatalogTrust.keys(o.keys()));
                parent.root.out.println("verified " + dir + ": " + c.services().size() + " services");
                return ExitCodes.OK;
            } catch (CatalogException e) {
                throw UmbraException.badInput(e.getMessage());
            }
        }
    }

    /** {@code umbra catalog keygen --out PREFIX}. */
    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Create an Ed25519 key pair for signing catalogs: PREFIX.key (private, mode 600) and PREFIX.pub.")
    static final class Keygen implements Callable<Integer> {
        @ParentCommand
        CatalogCommand parent;
        @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Path prefix of the two files.")
        String prefix;

        @Override
        public Integer call() {
            Path priv = Path.of(prefix + ".key");
            Path pub = Path.of(prefix + ".pub");
            if (Files.exists(priv) || Files.exists(pub)) {
                throw UmbraException.badInput("Invalid value " + prefix + " for option --out: " + priv + " or " + pub
                        + " exists; choose another prefix");
            }
            KeyPair pair = Ed25519Keys.generate();
            try {
                Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(priv, Ed25519Keys.privatePem(pair.getPrivate()));
                Files.writeString(pub, Ed25519Keys.publicPem(pair.getPublic()));
            } catch (IOException | UnsupportedOperationException e) {
                throw new UmbraException(ExitCodes.RUNTIME, "cannot write key files: " + e.getMessage(), e);
            }
            parent.root.out.println("wrote " + priv + " (keep secret) and " + pub);
            return ExitCodes.OK;
        }
    }

}

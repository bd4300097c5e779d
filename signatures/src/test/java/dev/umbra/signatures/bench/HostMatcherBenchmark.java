package dev.umbra.signatures.bench;

import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.CatalogException;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;
import dev.umbra.signatures.Policy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Lookups per second of the built-in catalog's matcher on a mix of names as a sensor sees them:
 * about three quarters misses (CDNs, SaaS, OS telemetry, cloud APIs next to the AI ones), a quarter
 * AI hosts (web apps, API hosts, wildcard endpoints such as Bedrock and Vertex), a few look-alikes
 * and odd cases. {@code mixedLookupsWithPolicy} adds a policy with network and group exceptions and
 * passes the client address and user, as the daemon does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HostMatcherBenchmark {
    /** Must equal {@code MIX.length}; checked in {@link #setup()}. */
    static final int MIX_SIZE = 64;

    static final String[] MIX = {
        // misses (48)
        "www.google.com", "fonts.gstatic.com", "clients4.google.com", "outlook.office365.com",
        "teams.microsoft.com", "login.microsoftonline.com", "d1a2b3c4.cloudfront.net", "s3.amazonaws.com",
        "api.github.com", "github.com", "avatars.githubusercontent.com", "registry.npmjs.org",
        "repo.maven.apache.org", "slack.com", "edge.slack.com", "zoom.us", "www.wikipedia.org",
        "ocsp.digicert.com", "time.apple.com", "gateway.icloud.com", "connectivitycheck.gstatic.com",
        "storage.googleapis.com", "oauth2.googleapis.com", "sts.us-east-1.amazonaws.com",
        "ec2.eu-west-1.amazonaws.com", "my-bucket.s3.us-west-2.amazonaws.com", "graph.microsoft.com",
        "contoso.sharepoint.com", "www.youtube.com", "i.ytimg.com", "static.xx.fbcdn.net", "www.linkedin.com",
        "cdn.jsdelivr.net", "api.stripe.com", "www.amazon.com", "aws.amazon.com", "mystorage.blob.core.windows.net",
        "acme.atlassian.net", "www.notion.so", "www.dropbox.com", "x.y.z.w.v.u.t.s.example.org",
        "notopenai.com", "openai.com.evil.example", "a", "localhost", "1.0.0.127.in-addr.arpa",
        "safebrowsing.googleapis.com", "self.events.data.microsoft.com",
        // hits (16)
        "chatgpt.com", "ab.chatgpt.com", "api.openai.com", "claude.ai", "api.anthropic.com",
        "gemini.google.com", "generativelanguage.googleapis.com", "copilot.microsoft.com",
        "api.individual.githubcopilot.com", "cdn-lfs.huggingface.co", "www.perplexity.ai", "CHATGPT.COM.",
        "bedrock-runtime.us-east-1.amazonaws.com", "us-central1-aiplatform.googleapis.com",
        "contoso.openai.azure.com", "api.deepseek.com",
    };

    static final String[] CLIENTS = {"10.1.2.3", "10.20.0.7", "192.168.1.20", "172.16.5.4"};
    static final String[] USERS = {"alice", "bob", null, "carol"};

    HostMatcher matcher;
    HostMatcher policyMatcher;

    @Setup
    public void setup() throws CatalogException {
        if (MIX.length != MIX_SIZE) {
            throw new IllegalStateException("MIX has " + MIX.length + " names but @OperationsPerInvocation says " + MIX_SIZE);
        }
        matcher = Catalog.builtIn().matcher();
        policyMatcher = Catalog.builtIn().withPolicy(policy()).matcher();
    }

    /** A policy with a network and a group exception, as {@code mixedLookupsWithPolicy} uses. */
    static Policy policy() throws CatalogException {
        return Policy.parse("bench-policy.json", """
                {"default": "unsanctioned", "categories": {"model_api": "tolerated"},
                 "services": {"azure-openai": "sanctioned", "github-copilot": "sanctioned"},
                 "groups": {"research": ["alice", "bob"]},
                 "exceptions": [
                   {"name": "research", "groups": ["research"], "categories": {"chat_assistant": "tolerated"}},
                   {"name": "lab", "networks": ["10.20.0.0/16", "2001:db8::/32"], "services": {"deepseek-api": "tolerated"}}
                 ]}
                """.getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    @OperationsPerInvocation(MIX_SIZE)
    public void mixedLookups(Blackhole bh) {
        for (String host : MIX) {
            bh.consume(matcher.match(host));
        }
    }

    @Benchmark
    @OperationsPerInvocation(MIX_SIZE)
    public void mixedLookupsWithPolicy(Blackhole bh) {
        for (int i = 0; i < MIX.length; i++) {
            bh.consume(policyMatcher.match(MIX[i], CLIENTS[i & 3], USERS[i & 3]));
        }
    }

    @Benchmark
    public Match miss() {
        return matcher.match("avatars.githubusercontent.com");
    }

    @Benchmark
    public Match wildcardHit() {
        return matcher.match("bedrock-runtime.us-east-1.amazonaws.com");
    }
}

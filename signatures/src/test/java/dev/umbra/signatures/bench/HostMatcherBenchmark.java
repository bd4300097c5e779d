package dev.umbra.signatures.bench;

import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;
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
 * mostly misses (CDNs, SaaS, OS telemetry), some AI hosts, a few look-alikes and odd cases.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HostMatcherBenchmark {
    static final String[] MIX = {
        "www.google.com", "fonts.gstatic.com", "clients4.google.com", "outlook.office365.com",
        "teams.microsoft.com", "login.microsoftonline.com", "d1a2b3c4.cloudfront.net", "s3.amazonaws.com",
        "api.github.com", "github.com", "avatars.githubusercontent.com", "registry.npmjs.org",
        "repo.maven.apache.org", "slack.com", "edge.slack.com", "zoom.us", "www.wikipedia.org",
        "ocsp.digicert.com", "time.apple.com", "gateway.icloud.com", "connectivitycheck.gstatic.com",
        "chatgpt.com", "ab.chatgpt.com", "api.openai.com", "claude.ai", "api.anthropic.com",
        "gemini.google.com", "generativelanguage.googleapis.com", "copilot.microsoft.com",
        "api.individual.githubcopilot.com", "huggingface.co", "cdn-lfs.huggingface.co", "www.perplexity.ai",
        "notopenai.com", "openai.com.evil.example", "CHATGPT.COM.", "x.y.z.w.v.u.t.s.example.org",
        "a", "localhost", "1.0.0.127.in-addr.arpa",
    };

    HostMatcher matcher;

    @Setup
    public void setup() {
        matcher = Catalog.builtIn().matcher();
    }

    @Benchmark
    @OperationsPerInvocation(40)
    public void mixedLookups(Blackhole bh) {
        for (String host : MIX) {
            bh.consume(matcher.match(host));
        }
    }

    @Benchmark
    public Match miss() {
        return matcher.match("avatars.githubusercontent.com");
    }
}

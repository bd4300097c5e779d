package dev.umbra.sensor.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineMaskerTest {
    @Test
    void mask_secretOptionValues_areMasked() {
        String out = CommandLineMasker.mask(List.of("python3", "agent.py", "--api-key", "sk-live-0123456789abcdefXYZ",
                "--password=hunter2hunter2", "--verbose", "DB_TOKEN=abcdefghijklmnop"));
        assertThat(out).doesNotContain("0123456789abcdef", "hunter2", "ijklmnop");
        assertThat(out).contains("python3 agent.py --api-key sk-l****", "--password=hu****", "--verbose",
                "DB_TOKEN=abcd****");
    }

    @Test
    void mask_knownTokenFormatsAnywhere_areMasked() {
        String out = CommandLineMasker.mask(List.of("curl", "-H",
                "Authorization: Bearer sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA", "https://api.anthropic.com/v1/messages",
                "ghp_0123456789abcdefghijABCDEFGHIJ012345", "AKIAIOSFODNN7EXAMPLE"));
        assertThat(out).doesNotContain("AAAAAAAAAAAAAAAA", "abcdefghijABCDEFGHIJ", "IOSFODNN7EXAMPLE");
        assertThat(out).contains("https://api.anthropic.com/v1/messages");
    }

    @Test
    void mask_urlPassword_isMasked() {
        assertThat(CommandLineMasker.mask(List.of("psql", "postgres://app:s3cr3tpassw0rd@db:5432/x")))
                .isEqualTo("psql postgres://app:****@db:5432/x");
    }

    @Test
    void mask_plainArguments_areKept() {
        assertThat(CommandLineMasker.mask(List.of("/usr/bin/curl", "-s", "https://chatgpt.com/")))
                .isEqualTo("/usr/bin/curl -s https://chatgpt.com/");
        assertThat(CommandLineMasker.mask(List.of())).isEmpty();
    }
}

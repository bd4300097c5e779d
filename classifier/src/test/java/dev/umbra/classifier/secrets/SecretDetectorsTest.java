package dev.umbra.classifier.secrets;

import static dev.umbra.classifier.Fixtures.scan;
import static dev.umbra.classifier.Fixtures.spans;
import static dev.umbra.classifier.Fixtures.types;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretDetectorsTest {
    // values below are synthetic, made for these tests from the published formats
    private static final String GH = "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";
    private static final String JWT_IO = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6"
            + "IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    @Test
    void github_validChecksum_isDetectedAndMasked() {
        assertThat(spans("GITHUB_TOKEN=" + GH, "github_token")).containsExactly(GH);
        assertThat(scan(GH).get(0).masked()).isEqualTo("ghp_****...pY");
    }

    @Test
    void github_badChecksumOrPlaceholder_isNotDetected() {
        assertThat(types("ghp_aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW00snvpZ")).doesNotContain("github_token");
        assertThat(types("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")).doesNotContain("github_token");
    }

    @Test
    void aws_keyIdAndSecretInContext_areDetected() {
        String t = "aws_access_key_id = AKIAZ7QWERTY2345ABCD\naws_secret_access_key = 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\n";
        assertThat(types(t)).containsExactly("aws_access_key_id", "aws_secret_access_key");
        assertThat(types("AKIAIOSFODNN7EXAMPLE")).isEmpty();
    }

    @Test
    void providerKeys_publishedFormats_areDetected() {
        String gcp = "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW";
        String slack = "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
        String stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
        String openai = "sk-proj-" + "a1B2c3D4e5".repeat(7) + "abcd" + "T3BlbkFJ" + "Z9y8X7w6V5".repeat(7) + "wxyz";
        String anthropic = "sk-ant-api03-" + "Ab3_dE6-gH9".repeat(8) + "jK2mN" + "AA";
        String gitlab = "glpat-Ab3dE6gH9jK2mN5pQ8rS";
        String azure = "AccountKey=PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt+1fjORS/6ilI8ihN5KXSc7Tvo==";
        String entra = "abc8Q~" + "Xy3_Zq7.Vw2-Lm9~Np4Rt6Hs8Jk1Bd5Fg";
        String t = String.join("\n", gcp, slack, stripe, openai, anthropic, gitlab, azure, entra,
                "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEFGH2/AbCdEfGhIjKlMnOpQrStUvWx");
        assertThat(types(t)).containsExactly("gcp_api_key", "slack_token", "stripe_key", "openai_api_key",
                "anthropic_api_key", "gitlab_token", "azure_storage_key", "azure_client_secret", "slack_webhook");
        assertThat(types("pk_live_4eC39HqLyjWDarjtT1zdp7dc")).isEmpty();
    }

    @Test
    void aiAndPlatformTokens_publishedFormats_areDetectedAndMasked() {
        // synthetic values in the published shapes
        String hf = "hf_" + "aBcDeFgHiJ".repeat(3) + "kLmN";
        String hfOrg = "api_org_" + "QwErTyUiOp".repeat(3) + "AsDf";
        String groq = "gsk_" + "a1B2c3D4e5F6g7H8i9J0" + "WGdyb3FY" + "k1L2m3N4o5P6q7R8s9T0u1V2";
        String pplx = "pplx-" + "Zx9Cv8Bn7M".repeat(4) + "as6Df5Gh";
        String replicate = "r8_" + "Pq1Wo2Ei3R".repeat(3) + "u4Yt5Re";
        String bedrock = "ABSKQmVkcm9ja0FQSUtleS" + "1hYmNkLWF0LTEyMzQ1Njc4OTAxMjpzeW50aGV0aWMtc2VjcmV0LXZhbHVlLWZvci10ZXN0cw==";
        String bedrockShort = "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t" + "L2FwaS9zeW50aGV0aWMtcHJlc2lnbmVkLXVybA";
        String npm = "npm_" + "Ab12Cd34Ef".repeat(3) + "56Gh78";
        String pypi = "pypi-AgEIcHlwaS5vcmc" + "CJGQ2ZWU3NzMwLTg5ZDQtNDk5ZS1iMGM2LTZkNzQ0ZWUzOTBjZAACKlsz".repeat(2);
        String databricks = "dapi" + "0123456789abcdef".repeat(2) + "-2";
        String digitalocean = "dop_v1_" + "0a1b2c3d4e5f6789".repeat(4);
        String t = String.join("\n", "HF_TOKEN=" + hf, "org: " + hfOrg, "GROQ_API_KEY=" + groq, "key " + pplx,
                "REPLICATE_API_TOKEN=" + replicate, "AWS_BEARER_TOKEN_BEDROCK=" + bedrock, "Bearer " + bedrockShort,
                "//registry.npmjs.org/:_authToken=" + npm, "password = " + pypi, "DATABRICKS_TOKEN=" + databricks,
                "DIGITALOCEAN_TOKEN=" + digitalocean);
        assertThat(types(t)).containsExactly("huggingface_token", "huggingface_token", "groq_api_key",
                "perplexity_api_key", "replicate_api_token", "aws_bedrock_api_key", "aws_bedrock_api_key", "npm_token",
                "pypi_token", "databricks_token", "digitalocean_token");
        assertThat(spans(t, "databricks_token")).containsExactly(databricks);
        assertThat(spans(t, "aws_bedrock_api_key")).containsExactly(bedrock, bedrockShort);
        assertThat(scan(hf).get(0).masked()).isEqualTo("hf_****...mN");
        assertThat(scan(t).toString()).doesNotContain(hf.substring(3), groq.substring(4), npm.substring(4));
    }

    @Test
    void aiAndPlatformTokens_lookAlikes_areNotDetected() {
        // identifiers, one-case words, wrong lengths, upper-case hex, no Bedrock or PyPI marker
        String t = String.join("\n",
                "from huggingface_hub import hf_hub_download; hf_hub_download(repo_id=x)",
                "hf_" + "abcdefghij".repeat(3) + "klmn",
                "hf_" + "aBcDeFgHiJ".repeat(3) + "kLmNo",
                "gsk_" + "a1B2c3D4e5".repeat(5),
                "npm_config_registry=https://registry.npmjs.org npm_package_version=1.2.3",
                "dapi" + "0123456789ABCDEF".repeat(2),
                "dapi" + "0123456789abcdef".repeat(2) + "0",
                "ABSK" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=".repeat(3),
                "pypi-" + "AgENdGVzdC5weXBpLm9yZw".repeat(4),
                "r8_" + "abc",
                "doo_v1_" + "0a1b2c3d4e5f6789".repeat(3));
        assertThat(types(t)).doesNotContain("huggingface_token", "groq_api_key", "npm_token", "databricks_token",
                "aws_bedrock_api_key", "pypi_token", "replicate_api_token", "digitalocean_token");
    }

    @Test
    void jwt_headerAndPayloadMustDecodeToJson() {
        assertThat(spans("Bearer " + JWT_IO, "jwt")).containsExactly(JWT_IO);
        // same shape, but the payload part is not base64url JSON
        assertThat(types("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGpzb24.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV")).doesNotContain("jwt");
    }

    @Test
    void pem_privateKeyBlock_isDetectedAndCertificateIsNot() {
        String body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n".repeat(4);
        String key = "-----BEGIN RSA PRIVATE KEY-----\n" + body + "-----END RSA PRIVATE KEY-----";
        assertThat(spans("key:\n" + key + "\nthanks", "private_key")).containsExactly(key);
        assertThat(scan(key).get(0).masked()).startsWith("-----BEGIN RSA PRIVATE KEY----- [").doesNotContain("MIIE");
        assertThat(types("-----BEGIN CERTIFICATE-----\n" + body + "-----END CERTIFICATE-----")).isEmpty();
    }

    @Test
    void urlCredentials_realPasswordDetectedPlaceholdersNot() {
        assertThat(spans("DATABASE_URL=postgres://app:S3cr3t#Pw@db.internal:5432/app", "credential_in_url"))
                .containsExactly("postgres://app:S3cr3t#Pw@db.internal:5432");
        assertThat(scan("postgres://app:S3cr3t#Pw@db.internal:5432/app").get(0).masked())
                .isEqualTo("postgres://a***:****@db.internal:5432");
        assertThat(types("postgres://user:password@localhost/db https://u:${PW}@h.io https://u:****@h.io")).isEmpty();
        // the token inside a clone URL is reported too; the host is not an email
        assertThat(types("https://x-access-token:" + GH + "@github.com/a/b.git")).containsExactly("credential_in_url", "github_token");
    }

    @Test
    void generic_assignmentsInManySyntaxes_areDetected() {
        assertThat(types("DB_PASSWORD=Summer2024!x")).containsExactly("generic_secret");
        assertThat(types("\"client_secret\": \"Qm9vYmFyYmF6cXV4Zm9vYmFy\"")).containsExactly("generic_secret");
        assertThat(types("<password>Tr0ub4dor&3</password>")).containsExactly("generic_secret");
        assertThat(types("my password is Tr0ub4dor&3.")).containsExactly("generic_secret");
        assertThat(types("const apiKey = \"f3K9sL2mQ8xR4tV7yB1nC6dE\";")).containsExactly("generic_secret");
    }

    @Test
    void generic_stopWordsReferencesAndNonSecretNames_areNotSecrets() {
        String t = String.join("\n", "password = \"<your-password>\"", "API_KEY=${API_KEY}",
                "api_key = os.environ['OPENAI_API_KEY']", "const token = getToken(user);", "password: \"********\"",
                "\"max_tokens\": 4096, \"token_type\": \"Bearer\"", "next_page_token: \"CiAKGjBpNDd2NmpxYz\"",
                "password_reset_url = https://acme-corp.com/reset", "Enter your password to continue.",
                "token: xxxxxxxxxxxxxxxx", "password=changeme", "secret: {{ .Values.secret }}");
        assertThat(types(t)).isEmpty();
    }
}

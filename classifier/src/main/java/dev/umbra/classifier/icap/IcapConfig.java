package dev.umbra.classifier.icap;

import dev.umbra.classifier.DetectionCategory;
import java.util.Set;

/**
 * Settings of the ICAP service.
 *
 * @param host address to bind (loopback unless configured otherwise, DESIGN.md)
 * @param port port to bind, 0 for any free port
 * @param block whether to answer with the block page when a detection's category is in {@code blockOn}
 *     (block mode); otherwise every request is allowed (monitor mode)
 * @param blockOn categories that trigger the block page in block mode
 * @param blockPage the HTML returned with status 403 in block mode
 * @param preview preview size advertised in OPTIONS (RFC 3507 section 4.5)
 * @param maxBodyBytes body bytes kept for classification; the rest is read and discarded
 */
public record IcapConfig(String host, int port, boolean block, Set<DetectionCategory> blockOn, String blockPage,
        int preview, int maxBodyBytes) {
    /** Default block page. */
    public static final String DEFAULT_BLOCK_PAGE = "<html><body><h1>Blocked by policy</h1>"
            + "<p>This request to an AI service contained sensitive data and was not sent.</p></body></html>";

    public IcapConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Invalid value " + port + " for configuration icap.port: must be 0..65535");
        }
        if (preview < 0 || preview > 65536) {
            throw new IllegalArgumentException("Invalid value " + preview + " for configuration icap.preview: must be 0..65536");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("Invalid value " + maxBodyBytes + " for configuration icap.max.body.bytes: must be at least 1024");
        }
        blockOn = Set.copyOf(blockOn);
    }

    /** Monitor mode on loopback, any free port. */
    public static IcapConfig monitor() {
        return new IcapConfig("127.0.0.1", 0, false, Set.of(), DEFAULT_BLOCK_PAGE, 4096, 16 * 1024 * 1024);
    }

    /** Block mode on loopback, any free port, blocking on {@code categories}. */
    public static IcapConfig blocking(Set<DetectionCategory> categories) {
        return new IcapConfig("127.0.0.1", 0, true, categories, DEFAULT_BLOCK_PAGE, 4096, 16 * 1024 * 1024);
    }
}

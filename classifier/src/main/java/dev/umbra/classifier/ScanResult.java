package dev.umbra.classifier;

import java.util.List;

/**
 * What one scan found.
 *
 * @param detections the detections, ordered by start offset; never holds raw values
 * @param scannedChars how many characters were scanned
 * @param truncated whether the input was longer than the configured cap and only its head was scanned
 */
public record ScanResult(List<Detection> detections, int scannedChars, boolean truncated) {
    public ScanResult {
        detections = List.copyOf(detections);
    }
}

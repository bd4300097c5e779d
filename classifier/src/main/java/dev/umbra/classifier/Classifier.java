package dev.umbra.classifier;

import dev.umbra.classifier.engine.ScanEngine;

/**
 * Finds sensitive items (PII, PHI, secrets, source code, organisation keywords) in text. An
 * instance is immutable and safe to share between threads.
 */
public interface Classifier {

    /** Scans one decoded text; input beyond {@link ClassifierConfig#maxInputChars()} is not scanned. */
    ScanResult scan(String text);

    /** A classifier with every built-in detector plus the custom rules of {@code config}. */
    static Classifier create(ClassifierConfig config) {
        return new ScanEngine(config);
    }
}

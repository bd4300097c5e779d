package dev.umbra.cli;

import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.ClassifierConfig;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.payload.Extracted;
import dev.umbra.classifier.payload.PayloadExtractor;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.decode.PacketDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifies the plaintext HTTP request bodies a capture carries to AI services (the decoder hands
 * over only bodies of requests whose host the catalog may have) and keeps the requests with
 * sensitive data, masked: a {@link Detection} never holds the value. The classifier is built on the
 * first body, so an audit of a capture without plaintext requests pays nothing for it.
 */
final class BodyScanner implements PacketDecoder.BodyListener {
    /** A request whose body holds sensitive data. */
    record Found(Observation request, List<Detection> detections) {
    }

    /** Requests with sensitive data kept (masked detections only); later bodies are counted, not classified. */
    static final int MAX_FOUND = 100_000;

    final List<Found> found = new ArrayList<>();
    private final ClassifierConfig config;
    private Classifier classifier;
    private PayloadExtractor extractor;
    private long bodies;
    private long notClassified;

    BodyScanner(ClassifierConfig config) {
        this.config = config;
    }

    @Override
    public void body(Observation request, byte[] body, boolean complete, String contentType, String contentEncoding) {
        bodies++;
        if (body.length == 0) {
            return;
        }
        if (found.size() >= MAX_FOUND) {
            notClassified++;
            return;
        }
        if (classifier == null) {
            classifier = Classifier.create(config);
            extractor = new PayloadExtractor();
        }
        // a cut body still gets classified as far as it goes: the extractor reads broken JSON and gzip partly
        Extracted x = extractor.extract(body, contentType, contentEncoding);
        List<Detection> d = classifier.scan(x.text()).detections();
        if (!d.isEmpty()) {
            found.add(new Found(request, d));
        }
    }

    /** Bodies handed over. */
    long bodies() {
        return bodies;
    }

    /** Bodies not classified because {@link #MAX_FOUND} requests with sensitive data were held. */
    long notClassified() {
        return notClassified;
    }
}

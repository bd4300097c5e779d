package dev.umbra.shipper.kafka;

import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.TestFindings;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for the kill -9 test: ships numbered findings at a steady rate and prints, every
 * 20 ms, how many were written to the spool file and acknowledged, and the checkpointed
 * acknowledgement watermark ({@code spooled N acked M ckpt C}).
 * Bounded: stops after 60 s or 2 M findings.
 */
public final class ShipperChild {
    private ShipperChild() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = KafkaShipperBrokerTest.baseProps(args[0], args[1], Path.of(args[2]));
        p.setProperty("shipper.max.in.flight", args[3]);
        ShipperCounters counters = new ShipperCounters();
        KafkaShipper s = KafkaShipperBrokerTest.shipper(p, counters);
        long start = System.nanoTime();
        long lastPrint = 0;
        for (int i = 0; i < 2_000_000 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60); i++) {
            long due = start + i * 50_000L; // 20 k/s
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            while (!s.offer(TestFindings.numbered(i))) {
                TimeUnit.MILLISECONDS.sleep(1); // not expected; keeps the sequence gap-free if it happens
            }
            long now = System.nanoTime();
            if (now - lastPrint > 20_000_000L) {
                System.out.println("spooled " + counters.spooled() + " acked " + counters.acked() + " ckpt "
                        + s.checkpointedSeq());
                System.out.flush();
                lastPrint = now;
            }
        }
        s.close();
    }
}

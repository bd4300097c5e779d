package dev.umbra.shipper.kafka;

import dev.umbra.shipper.DeliveryError;
import dev.umbra.shipper.DropReason;
import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.Finding;
import dev.umbra.shipper.FindingSink;
import dev.umbra.shipper.HandoffQueue;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.ocsf.OcsfMapper;
import dev.umbra.shipper.spool.DiskSpool;
import dev.umbra.shipper.spool.SpoolRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Ships findings to Kafka as OCSF JSON, at least once, through a disk spool, without ever making
 * the caller wait.
 *
 * <h2>Threads and flow</h2>
 * <pre>
 *  capture thread(s)      spooler thread                 sender thread                    producer I/O thread
 *  offer(finding) ──► HandoffQueue ──► JSON ──► spool.append ··· spool.next ──► producer.send ──┐
 *   (lock-free, bounded;                                              ▲                       │ callback
 *    full: drop + count)                            retry queue ──────┘ ◄── retriable failure ◄┤
 *                                                                 spool.ack(batch) ◄── acks ◄──┘
 * </pre>
 * {@link #offer} only puts the finding in a bounded lock-free ring. The spooler thread maps each
 * finding to OCSF JSON and appends it to the spool before anything is sent; it never touches the
 * network, so a producer blocked on metadata cannot hold findings in memory. The sender thread
 * reads the spool in order and hands records to the idempotent {@code acks=all} producer; a record
 * leaves the spool only when the broker acknowledged it: the I/O thread puts acknowledged sequence
 * numbers into a small buffer and the sender marks them in the spool in batches, so that the I/O
 * thread never waits for the spool's lock. The spooler maps and appends findings a batch at a time
 * (one JSON generator, one spool call per batch), and the sender reads them a batch at a time.
 * Records handed to the producer and not
 * acknowledged are at most {@code shipper.max.in.flight}; a failed one goes to a retry queue and
 * is sent again after a backoff (doubling to {@code shipper.retry.backoff.max.ms}), ahead of newer
 * records, so memory stays bounded however long the broker is away: the rest waits on disk.
 *
 * <h2>Errors</h2>
 * Delivery errors are classified ({@link DeliveryError}), counted and logged once per kind per
 * 30 s with what to check; the records stay in the spool and are retried. Only records that can
 * never be delivered (larger than the broker accepts) are dropped, counted as
 * {@code record_too_large}. {@link #lastError()} gives the latest error for status output.
 *
 * <h2>Duplicates</h2>
 * A record acknowledged by the broker but not yet checkpointed in the spool when the process dies
 * is sent again on restart, with the same bytes and so the same {@code metadata.uid}.
 */
public final class KafkaShipper implements FindingSink {
    private static final Logger LOG = LogManager.getLogger(KafkaShipper.class);
    private static final int BATCH = 1024;
    private static final int BATCH_BYTES = 4 << 20;
    private static final int MAX_KEPT_BUFFER = 8 << 20;
    private static final EventClass[] EVENT_CLASSES = EventClass.values();
    private static final long CHECKPOINT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long ERROR_LOG_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final KafkaSinkConfig config;
    private final OcsfMapper mapper;
    private final ShipperCounters counters;
    private final HandoffQueue<Finding> handoff;
    private final DiskSpool spool;
    private final byte[] key;
    /** Spooler thread only: the batch being mapped, and where each record of it ends. */
    private RecordBuffer record = new RecordBuffer();
    private final int[] ends = new int[BATCH];
    private final AckBuffer acks = new AckBuffer();
    /** Sender thread only. */
    private long[] ackSpare = new long[4096];
    private final int[] ackCount = new int[1];
    private final java.util.ArrayList<SpoolRecord> readBatch = new java.util.ArrayList<>(BATCH);
    private final byte[][] topicBytes;
    private final String[] topicNames;
    private final ConcurrentLinkedQueue<Pending> failed = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Pending> retry = new ArrayDeque<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<DeliveryError, Long> lastLogged = new HashMap<>();
    private final CountDownLatch spooled = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Producer<byte[], byte[]> producer;
    private volatile boolean closing;
    private volatile boolean abandoned;
    private volatile String lastError;
    private volatile long backoffMillis;
    private volatile long retryNotBefore;

    /** A record handed to the producer and not yet acknowledged. */
    private record Pending(long seq, String topic, byte[] value, boolean neverSent) {
        Pending heldBack() {
            return new Pending(seq, topic, value, true);
        }

        Pending sent() {
            return neverSent ? new Pending(seq, topic, value, false) : this;
        }
    }

    /**
     * Opens the spool (replaying what a previous run left), creates the producer and starts the
     * spooler and sender threads.
     *
     * @throws IOException if the spool cannot be opened
     * @throws IllegalArgumentException if the producer settings are invalid (the message names the key)
     */
    public KafkaShipper(KafkaSinkConfig config, OcsfMapper mapper, ShipperCounters counters) throws IOException {
        this.config = config;
        this.mapper = mapper;
        this.counters = counters;
        this.handoff = new HandoffQueue<>(config.handoffCapacity());
        this.key = config.sensorHostId().getBytes(StandardCharsets.UTF_8);
        this.topicBytes = new byte[EVENT_CLASSES.length][];
        this.topicNames = new String[EVENT_CLASSES.length];
        for (EventClass c : EVENT_CLASSES) {
            topicNames[c.ordinal()] = config.topicFor(c);
            topicBytes[c.ordinal()] = topicNames[c.ordinal()].getBytes(StandardCharsets.UTF_8);
        }
        this.producer = newProducer(config);
        try {
            this.spool = DiskSpool.open(config.spool(), counters);
        } catch (IOException | RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        Thread spooler = new Thread(this::spoolLoop, "umbra-shipper-spool");
        spooler.setDaemon(true);
        spooler.start();
        Thread sender = new Thread(this::sendLoop, "umbra-shipper-send");
        sender.setDaemon(true);
        sender.start();
    }

    /** Creates the producer; a bad setting becomes {@code Invalid value ... for configuration ...}. */
    static Producer<byte[], byte[]> newProducer(KafkaSinkConfig config) {
        Map<String, Object> p = new HashMap<>(config.producer());
        p.put("bootstrap.servers", config.bootstrapServers());
        try {
            return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            Throwable c = e;
            while (c.getCause() != null && !(c instanceof ConfigException)) {
                c = c.getCause();
            }
            if (c instanceof ConfigException && c.getMessage() != null
                    && c.getMessage().contains("bootstrap")) {
                throw new IllegalArgumentException("Invalid value " + config.bootstrapServers()
                        + " for configuration kafka.bootstrap.servers: " + c.getMessage(), e);
            }
            throw new IllegalArgumentException("Invalid Kafka producer configuration: " + c.getMessage(), e);
        }
    }

    /**
     * Hands a finding to the shipper. Never blocks and never allocates beyond the finding itself:
     * when the hand-off queue is full the finding is dropped and counted as
     * {@code handoff_queue_full}.
     */
    @Override
    public boolean offer(Finding finding) {
        if (closing || !handoff.offer(finding)) {
            counters.countDropped(DropReason.HANDOFF_QUEUE_FULL, 1);
            return false;
        }
        counters.countQueued();
        return true;
    }

    /** The counters of this shipper. */
    public ShipperCounters counters() {
        return counters;
    }

    /** The latest delivery error, or null when there was none. */
    public String lastError() {
        return lastError;
    }

    /** Records in the spool not yet acknowledged. */
    public long spooledRecords() {
        return spool.pendingCount();
    }

    /**
     * The spool's checkpointed acknowledgement watermark: records below this sequence number are
     * never sent again, even after a crash.
     */
    public long checkpointedSeq() {
        return spool.checkpointed();
    }

    /** Findings handed over and not yet appended to the spool. */
    public int queuedInMemory() {
        return handoff.size();
    }

    /**
     * True when everything handed over has been acknowledged (or dropped): queue, spool and
     * in-flight are empty.
     */
    public boolean idle() {
        return handoff.size() == 0 && inFlight.get() == 0 && spool.pendingCount() == 0;
    }

    /** Spooler thread: hand-off queue to spool, never waiting on the network. */
    private void spoolLoop() {
        try {
            while (true) {
                boolean closingNow = closing;
                boolean worked = spoolFromHandoff();
                if (closingNow && !worked && handoff.size() == 0) {
                    return;
                }
                if (!worked) {
                    LockSupport.parkNanos(200_000);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("shipper: spooler thread failed", e);
        } finally {
            spooled.countDown();
        }
    }

    /** Sender thread: spool to producer, retries, checkpoints. */
    private void sendLoop() {
        long lastCheckpoint = System.nanoTime();
        long drainDeadline = Long.MAX_VALUE;
        try {
            while (!abandoned) {
                applyAcks();
                boolean worked = sendFromSpool();
                long now = System.nanoTime();
                if (now - lastCheckpoint >= CHECKPOINT_NANOS) {
                    spool.checkpoint();
                    lastCheckpoint = now;
                }
                if (spooled.getCount() == 0) {
                    if (drainDeadline == Long.MAX_VALUE) {
                        drainDeadline = now + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMillis());
                    }
                    if (spool.pendingCount() == 0 || now - drainDeadline >= 0) {
                        return;
                    }
                }
                if (!worked) {
                    LockSupport.parkNanos(500_000);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("shipper: sender thread failed; findings stay in the spool for the next start", e);
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Moves findings from the hand-off queue into the spool: a batch is written as OCSF JSON, each
     * record behind its spool prefix (topic), back to back into one reused buffer, and handed to the
     * spool in one call, which copies it into its write buffer and writes it out with one call.
     */
    private boolean spoolFromHandoff() {
        int n = 0;
        int k = 0;
        record.reset();
        OcsfMapper.StreamWriter w = null;
        // a batch ends at BATCH findings or BATCH_BYTES of JSON, whichever comes first (large events)
        for (Finding f; n < BATCH && record.size() < BATCH_BYTES && (f = handoff.poll()) != null; n++) {
            int start = record.size();
            byte[] topic = topicBytes[f.eventClass().ordinal()];
            record.write((topic.length >>> 8) & 0xff);
            record.write(topic.length & 0xff);
            record.write(topic, 0, topic.length);
            try {
                if (w == null) {
                    w = mapper.streamWriter(record);
                }
                w.write(f);
            } catch (IOException | RuntimeException e) {
                record.truncate(start);
                w = null; // mid-event: start the next one on a new generator
                counters.countDropped(DropReason.REJECTED, 1);
                LOG.error("shipper: cannot serialise finding {}: {}", f.uid(), e.toString());
                continue;
            }
            ends[k++] = record.size();
        }
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                // every event was flushed already; nothing is lost
            }
        }
        if (k > 0) {
            spool.append(record.array(), 0, ends, k);
        }
        if (n > 0) {
            spool.flush();
        }
        if (record.array().length > MAX_KEPT_BUFFER) {
            record = new RecordBuffer(); // one batch of very large events: do not keep that memory
        }
        return n > 0;
    }

    /** A byte buffer reused for every batch, its array readable without a copy. */
    private static final class RecordBuffer extends ByteArrayOutputStream {
        RecordBuffer() {
            super(BATCH * 1280);
        }

        byte[] array() {
            return buf;
        }

        void truncate(int size) {
            count = size;
        }
    }

    /**
     * Acknowledged sequence numbers, from the producer's I/O thread to the sender thread, which
     * applies them to the spool in batches: the I/O thread then never waits for the spool's monitor
     * (held by the spooler while it writes a batch), and the spool takes one lock per batch of
     * acknowledgements instead of one per record.
     */
    private static final class AckBuffer {
        private long[] seqs = new long[4096];
        private int size;

        synchronized void add(long seq) {
            if (size == seqs.length) {
                seqs = java.util.Arrays.copyOf(seqs, size * 2);
            }
            seqs[size++] = seq;
        }

        /** Swaps the filled array for {@code spare} (emptied); returns the filled one and its size in {@code n[0]}. */
        synchronized long[] swap(long[] spare, int[] n) {
            long[] full = seqs;
            n[0] = size;
            seqs = spare.length >= 4096 ? spare : new long[4096];
            size = 0;
            return full;
        }
    }

    /** Applies the acknowledgements received since the last call (sender thread, and close()). */
    private synchronized void applyAcks() {
        long[] full = acks.swap(ackSpare, ackCount);
        int n = ackCount[0];
        ackSpare = full;
        if (n > 0) {
            spool.ack(full, n);
        }
    }

    private boolean sendFromSpool() {
        for (Pending p; (p = failed.poll()) != null; ) {
            retry.add(p);
        }
        boolean worked = false;
        long now = System.currentTimeMillis();
        if (!retry.isEmpty() && now >= retryNotBefore) {
            int n = retry.size();
            for (int i = 0; i < n; i++) {
                Pending p = retry.poll();
                if (!spool.contains(p.seq)) {
                    droppedWhileInFlight(p);
                    continue;
                }
                if (!p.neverSent()) {
                    counters.countRetried(); // records held back behind a failed one are not retries
                }
                if (!send(p.sent())) {
                    break; // the producer could not take it (no metadata): wait for the backoff again
                }
            }
            worked = true;
        }
        if (!retry.isEmpty()) {
            return worked; // hold new records back until the failed ones went through
        }
        int room = Math.min(BATCH, config.maxInFlight() - inFlight.get());
        if (room <= 0) {
            return worked;
        }
        readBatch.clear();
        int got = spool.next(readBatch, room);
        for (int i = 0; i < got; i++) {
            SpoolRecord r = readBatch.get(i);
            Pending p = decode(r);
            if (p == null) {
                counters.countDropped(DropReason.SPOOL_CORRUPT, 1);
                spool.ack(r.seq());
                continue;
            }
            worked = true;
            if (!send(p)) {
                // the producer refused p (queued for retry): the rest of the batch, already read from
                // the spool, goes behind it, in order, to be sent when the backoff has passed
                for (int j = i + 1; j < got; j++) {
                    Pending q = decode(readBatch.get(j));
                    if (q == null) {
                        counters.countDropped(DropReason.SPOOL_CORRUPT, 1);
                        spool.ack(readBatch.get(j).seq());
                    } else {
                        failed.add(q.heldBack());
                    }
                }
                break;
            }
        }
        readBatch.clear();
        return worked;
    }

    /** Hands a record to the producer; false when the producer refused it at once (it is then queued for retry). */
    private boolean send(Pending p) {
        inFlight.incrementAndGet();
        counters.countSent();
        try {
            Future<RecordMetadata> f = producer.send(new ProducerRecord<>(p.topic, key, p.value),
                    (md, e) -> completed(p, e));
            if (f.isDone()) {
                // failed inside send() (no metadata within max.block.ms, record too large): the callback
                // already ran; stop feeding the producer until the backoff has passed
                try {
                    f.get();
                } catch (ExecutionException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        } catch (IllegalStateException e) {
            // the producer is closed or in a fatal state: replace it, resend later
            failed(p, e);
            replaceProducer(e);
            return false;
        } catch (RuntimeException e) {
            failed(p, e);
            return false;
        }
    }

    private void completed(Pending p, Exception e) {
        if (e == null) {
            acks.add(p.seq); // before inFlight drops, so that idle() cannot see neither
            inFlight.decrementAndGet();
            counters.countAcked();
            backoffMillis = 0;
            return;
        }
        failed(p, e);
    }

    private void failed(Pending p, Exception e) {
        DeliveryError kind = classify(e);
        report(kind, p.topic, e); // sets lastError before the counter moves, for readers polling the counter
        counters.countError(kind);
        inFlight.decrementAndGet();
        if (kind == DeliveryError.RECORD_TOO_LARGE) {
            counters.countDropped(DropReason.RECORD_TOO_LARGE, 1);
            spool.ack(p.seq);
            return;
        }
        if (!spool.contains(p.seq)) {
            droppedWhileInFlight(p);
            return;
        }
        long b = backoffMillis == 0 ? 100 : Math.min(config.retryBackoffMaxMillis(), backoffMillis * 2);
        backoffMillis = b;
        retryNotBefore = System.currentTimeMillis() + b;
        failed.add(p);
    }

    /**
     * The record's spool segment was removed while it was in flight (spool full, drop oldest) and
     * its delivery failed: it is gone, counted with the other oldest records dropped.
     */
    private void droppedWhileInFlight(Pending p) {
        counters.countDropped(DropReason.SPOOL_FULL_OLDEST, 1);
    }

    private void replaceProducer(Exception cause) {
        LOG.warn("shipper: replacing the Kafka producer after: {}", cause.toString());
        Producer<byte[], byte[]> old = producer;
        try {
            producer = newProducer(config);
        } catch (RuntimeException e) {
            LOG.error("shipper: cannot create a new Kafka producer: {}", e.getMessage());
            return;
        }
        old.close(Duration.ZERO);
    }

    private DeliveryError classify(Throwable e) {
        Throwable c = e;
        for (int depth = 0; c != null && depth < 8; depth++, c = c.getCause()) {
            if (c instanceof AuthenticationException) {
                return DeliveryError.AUTHENTICATION;
            }
            if (c instanceof AuthorizationException) {
                return DeliveryError.AUTHORIZATION;
            }
            if (c instanceof RecordTooLargeException || c instanceof RecordBatchTooLargeException) {
                return DeliveryError.RECORD_TOO_LARGE;
            }
            if (c instanceof UnknownTopicOrPartitionException) {
                return DeliveryError.TOPIC_MISSING;
            }
            if (c instanceof TimeoutException) {
                if (connectionCount() == 0) {
                    return DeliveryError.BROKER_UNREACHABLE;
                }
                String m = String.valueOf(c.getMessage());
                return m.contains("not present in metadata") ? DeliveryError.TOPIC_MISSING : DeliveryError.TIMEOUT;
            }
        }
        return DeliveryError.OTHER;
    }

    /** Open connections of the producer to brokers, from its metrics; -1 when unknown. */
    private double connectionCount() {
        Producer<byte[], byte[]> pr = producer;
        if (pr == null) {
            return -1;
        }
        for (Map.Entry<MetricName, ? extends Metric> m : pr.metrics().entrySet()) {
            if (m.getKey().name().equals("connection-count") && m.getKey().group().equals("producer-metrics")) {
                Object v = m.getValue().metricValue();
                return v instanceof Number n ? n.doubleValue() : -1;
            }
        }
        return -1;
    }

    private void report(DeliveryError kind, String topic, Exception e) {
        String what = switch (kind) {
            case BROKER_UNREACHABLE -> "no broker reachable at " + config.bootstrapServers()
                    + " (check the address and that the broker is up)";
            case TOPIC_MISSING -> "topic '" + topic + "' does not exist or has no leader"
                    + " (create it, or enable auto-creation on the broker)";
            case AUTHENTICATION -> "authentication failed"
                    + mechanism() + " (check the user name, password and certificates)";
            case AUTHORIZATION -> "not authorised to write to topic '" + topic + "' (check the ACLs)";
            case RECORD_TOO_LARGE -> "an event is larger than the broker accepts; it is dropped"
                    + " (raise max.request.size and the topic's max.message.bytes)";
            case TIMEOUT -> "the broker did not acknowledge in time";
            case OTHER -> "delivery failed";
        };
        String msg = "kafka: " + what + ": " + rootMessage(e);
        if (closing && kind == DeliveryError.OTHER) {
            return; // the producer is being closed under unacknowledged records: they stay in the spool
        }
        lastError = msg;
        long now = System.nanoTime();
        synchronized (lastLogged) {
            Long prev = lastLogged.get(kind);
            if (prev != null && now - prev < ERROR_LOG_NANOS) {
                return;
            }
            lastLogged.put(kind, now);
        }
        LOG.error("{}; {} record(s) kept in the spool, retrying", msg, spool.pendingCount());
    }

    private String mechanism() {
        Object proto = config.producer().get("security.protocol");
        Object mech = config.producer().get("sasl.mechanism");
        return proto == null ? "" : " (" + proto + (mech == null ? "" : " " + mech) + ")";
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    /** Spool payload: u16 topic length, topic (UTF-8), value. */
    static byte[] encode(String topic, byte[] value) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + t.length + value.length);
        b.putShort((short) t.length).put(t).put(value);
        return b.array();
    }

    private Pending decode(SpoolRecord r) {
        byte[] b = r.payload();
        if (b.length < 2) {
            return null;
        }
        int tl = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        if (tl == 0 || 2 + tl > b.length) {
            return null;
        }
        String topic = topicOf(b, tl);
        byte[] value = new byte[b.length - 2 - tl];
        System.arraycopy(b, 2 + tl, value, 0, value.length);
        return new Pending(r.seq(), topic, value, false);
    }

    /** The topic named by a record's prefix: the configured topic strings, decoded only when unknown. */
    private String topicOf(byte[] b, int tl) {
        for (int i = 0; i < topicBytes.length; i++) {
            byte[] t = topicBytes[i];
            if (t.length == tl && java.util.Arrays.equals(t, 0, tl, b, 2, 2 + tl)) {
                return topicNames[i];
            }
        }
        return new String(b, 2, tl, StandardCharsets.UTF_8); // spooled under an earlier configuration
    }

    /**
     * Stops accepting findings, delivers what it can within {@code shipper.drain.timeout.ms}, and
     * leaves the rest in the spool for the next start.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            if (!stopped.await(config.drainTimeoutMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                LOG.warn("shipper: sender did not stop in time");
                abandoned = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Producer<byte[], byte[]> pr = producer;
        pr.close(Duration.ofMillis(Math.min(5_000, config.drainTimeoutMillis() + 100)));
        applyAcks(); // acknowledgements that arrived after the sender stopped
        for (Pending p; (p = failed.poll()) != null; ) {
            retry.add(p);
        }
        for (Pending p : retry) {
            if (!spool.contains(p.seq)) {
                droppedWhileInFlight(p); // neither delivered nor left in the spool
            }
        }
        retry.clear();
        spool.close();
        long left = counters.queued() - counters.acked() - counters.droppedTotal();
        if (left > 0) {
            LOG.warn("shipper: {} finding(s) not yet acknowledged stay in the spool {} for the next start", left,
                    config.spool().dir());
        }
    }
}

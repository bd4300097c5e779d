package dev.umbra.sensor.dns;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.decode.IpText;
import dev.umbra.sensor.flow.FlowKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses DNS messages in place (RFC 1035 section 4.1).
 *
 * <pre>
 * 4.1.1 Header                                     4.1.3 Resource record
 *  0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15    NAME     (variable, may be compressed)
 * |                      ID                     |    TYPE     16
 * |QR|  Opcode   |AA|TC|RD|RA|   Z    |  RCODE  |    CLASS    16
 * |                    QDCOUNT                  |    TTL      32
 * |                    ANCOUNT                  |    RDLENGTH 16
 * |                    NSCOUNT                  |    RDATA    RDLENGTH bytes
 * |                    ARCOUNT                  |
 * 4.1.2 Question: QNAME (variable), QTYPE 16, QCLASS 16
 * 4.1.4 Compression: a label length byte 11xxxxxx is a 14-bit pointer to an earlier name.
 * </pre>
 *
 * <p>Limits: at most {@value #MAX_QUESTIONS} questions and {@value #MAX_RECORDS} answer records
 * are read; a name is at most 255 octets and follows at most {@value #MAX_POINTER_HOPS} pointers.
 * Malformed input yields {@code null} (nothing usable) or a message marked incomplete, with the
 * anomaly counted; nothing is thrown.
 */
public final class DnsParser {
    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_SVCB = 64;
    public static final int TYPE_HTTPS = 65;
    /** RFC 9460 14.3.2: SvcParamKey ech (the ECHConfigList of draft-ietf-tls-svcb-ech). */
    public static final int SVC_KEY_ECH = 5;
    /** SvcParams read per record. */
    public static final int MAX_SVC_PARAMS = 32;

    /** Questions read per message; real messages carry one. */
    public static final int MAX_QUESTIONS = 16;
    /** Answer records read per message. */
    public static final int MAX_RECORDS = 256;
    /** Compression pointers followed per name. */
    public static final int MAX_POINTER_HOPS = 32;
    /** RFC 1035 section 2.3.4: names are at most 255 octets. */
    public static final int MAX_NAME_OCTETS = 255;

    private static final int HEADER = 12;

    private final AnomalyCounters anomalies;
    /** The name being read, as text bytes: 255 octets, each at most 4 bytes as {@code \\ddd}. */
    private final byte[] name = new byte[MAX_NAME_OCTETS * 4];
    private int nameEnd;
    // the public name of the first readable ECHConfig of the message being parsed (serviceBinding)
    private String echPublicName;
    // names already read in this message, by the offset they start at: the owners of answers are
    // pointers to the question or a CNAME target, and reading them again cost a String each
    private static final int MEMO = 8;
    private final int[] memoAt = new int[MEMO];
    private final int[] memoEnd = new int[MEMO];
    private final int[] memoHops = new int[MEMO];
    private final String[] memoName = new String[MEMO];
    private int memoCount;

    public DnsParser(AnomalyCounters anomalies) {
        this.anomalies = anomalies;
    }

    /**
     * A cheap test for DNS on a port not assigned to it: a query or response with exactly one
     * question of class IN, opcode QUERY, and small record counts.
     */
    public static boolean plausible(byte[] b, int off, int len) {
        if (len < HEADER + 5) {
            return false;
        }
        int flags = u16(b, off + 2);
        int opcode = (flags >> 11) & 0xf;
        int z = (flags >> 6) & 0x1;
        if (opcode != 0 || z != 0 || u16(b, off + 4) != 1) {
            return false;
        }
        int an = u16(b, off + 6);
        int ns = u16(b, off + 8);
        int ar = u16(b, off + 10);
        if ((flags & 0x8000) == 0 && (an != 0 || ns != 0 || ar > 1)) {
            return false;
        }
        if (an > 64 || ns > 64 || ar > 64) {
            return false;
        }
        // first label must be a sensible length and the question must fit
        int first = b[off + HEADER] & 0xff;
        return first > 0 && first <= 63 && HEADER + 1 + first < len;
    }

    /**
     * Parses one message.
     *
     * @return the message, or {@code null} when not even the header and first question could be read
     */
    public DnsMessage parse(byte[] b, int off, int len) {
        if (len < HEADER) {
            anomalies.count(Anomaly.DNS_TRUNCATED);
            return null;
        }
        int end = off + len;
        Arrays.fill(memoName, 0, memoCount, null);
        memoCount = 0;
        int id = u16(b, off);
        int flags = u16(b, off + 2);
        boolean response = (flags & 0x8000) != 0;
        int opcode = (flags >> 11) & 0xf;
        int rcode = flags & 0xf;
        int qd = u16(b, off + 4);
        int an = u16(b, off + 6);
        boolean complete = true;
        if (qd > MAX_QUESTIONS) {
            anomalies.count(Anomaly.DNS_TOO_MANY_RECORDS);
            qd = MAX_QUESTIONS;
            complete = false;
        }
        List<DnsQuestion> questions = new ArrayList<>(Math.max(1, qd));
        int p = off + HEADER;
        for (int i = 0; i < qd; i++) {
            String qname = readName(b, off, end, p);
            if (qname == null || nameEnd + 4 > end) {
                if (qname != null) {
                    // the name is whole, QTYPE/QCLASS are cut off: the name is still a sighting
                    anomalies.count(Anomaly.DNS_TRUNCATED);
                    questions.add(new DnsQuestion(qname, 0, 0));
                }
                return questions.isEmpty() ? null
                        : new DnsMessage(id, response, opcode, rcode, questions, List.of(), false, false, null);
            }
            p = nameEnd;
            questions.add(new DnsQuestion(qname, u16(b, p), u16(b, p + 2)));
            p += 4;
        }
        List<DnsRecord> answers = List.of();
        boolean ech = false;
        echPublicName = null;
        if (response && an > 0) {
            if (an > MAX_RECORDS) {
                anomalies.count(Anomaly.DNS_TOO_MANY_RECORDS);
                an = MAX_RECORDS;
                complete = false;
            }
            answers = new ArrayList<>(Math.min(an, 16));
            for (int i = 0; i < an; i++) {
                String owner = readName(b, off, end, p);
                if (owner == null || nameEnd + 10 > end) {
                    if (owner != null) {
                        anomalies.count(Anomaly.DNS_TRUNCATED);
                    }
                    complete = false;
                    break;
                }
                p = nameEnd;
                int type = u16(b, p);
                long ttl = u32(b, p + 4);
                int rdlength = u16(b, p + 8);
                int rdata = p + 10;
                if (rdata + rdlength > end) {
                    anomalies.count(Anomaly.DNS_TRUNCATED);
                    complete = false;
                    break;
                }
                if (type == TYPE_A && rdlength == 4) {
                    answers.add(v4Record(owner, type, ttl, b, rdata));
                } else if (type == TYPE_AAAA && rdlength == 16) {
                    answers.add(v6Record(owner, type, ttl, b, rdata));
                } else if (type == TYPE_CNAME) {
                    String target = readName(b, off, end, rdata);
                    if (target != null) {
                        answers.add(new DnsRecord(owner, type, ttl, target));
                    }
                } else if ((type == TYPE_HTTPS || type == TYPE_SVCB) && answers.size() < MAX_RECORDS) {
                    ech |= serviceBinding(b, off, rdata, rdata + rdlength, owner, type, ttl, answers);
                }
                p = rdata + rdlength;
            }
        }
        return new DnsMessage(id, response, opcode, rcode, questions, answers, complete, ech, echPublicName);
    }

    /**
     * RFC 9460 2.2: SvcPriority (16) | TargetName (uncompressed) | SvcParams: key (16), length (16), value.
     * Adds the ipv4hint (4) and ipv6hint (6) addresses as records of the binding's type, so that they
     * feed the address-to-name cache like A/AAAA answers.
     *
     * @return true when the binding carries an ech SvcParam (the server offers Encrypted Client Hello)
     */
    /**
     * The public_name of the first ECHConfig of version 0xfe0d in an ECHConfigList, lowercase, or null
     * when there is none or it is not a host name (draft-ietf-tls-esni-22 4: ECHConfigList =
     * ECHConfig&lt;4..2^16-1&gt;; ECHConfig = version (16), length (16), contents; contents = config_id
     * (8), kem_id (16), public_key&lt;1..2^16-1&gt;, cipher_suites&lt;4..2^16-4&gt;, maximum_name_length
     * (8), public_name&lt;1..255&gt;, extensions). Other versions are skipped by their length.
     */
    static String echPublicName(byte[] b, int p, int end) {
        if (p + 2 > end || p + 2 + u16(b, p) > end) {
            return null;
        }
        int listEnd = p + 2 + u16(b, p);
        p += 2;
        for (int i = 0; i < MAX_SVC_PARAMS && p + 4 <= listEnd; i++) {
            int version = u16(b, p);
            int contents = p + 4;
            int contentsEnd = contents + u16(b, p + 2);
            if (contentsEnd > listEnd) {
                return null;
            }
            if (version == 0xfe0d) {
                int q = contents + 3; // config_id, kem_id
                if (q + 2 > contentsEnd) {
                    return null;
                }
                q += 2 + u16(b, q); // public_key
                if (q + 2 > contentsEnd) {
                    return null;
                }
                q += 2 + u16(b, q); // cipher_suites
                if (q + 2 > contentsEnd) {
                    return null;
                }
                int length = b[q + 1] & 0xff; // after maximum_name_length
                q += 2;
                return length == 0 || q + length > contentsEnd ? null : hostName(b, q, length);
            }
            p = contentsEnd;
        }
        return null;
    }

    /** b[p, p + n) as a lowercase host name (letters, digits, hyphens, dots), or null. */
    private static String hostName(byte[] b, int p, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            int x = b[p + i] & 0xff;
            if (x >= 'A' && x <= 'Z') {
                x |= 0x20;
            }
            if (!(x >= 'a' && x <= 'z' || x >= '0' && x <= '9' || x == '-' || x == '.')) {
                return null;
            }
            c[i] = (char) x;
        }
        return new String(c);
    }

    private boolean serviceBinding(byte[] b, int msgStart, int p, int end, String owner, int type, long ttl,
            List<DnsRecord> answers) {
        if (p + 3 > end) {
            anomalies.count(Anomaly.DNS_TRUNCATED);
            return false;
        }
        // TargetName must not be compressed (2.2); readName also accepts pointers, which is harmless
        if (readName(b, msgStart, end, p + 2) == null) {
            return false;
        }
        int q = nameEnd;
        boolean ech = false;
        for (int i = 0; i < MAX_SVC_PARAMS && q + 4 <= end; i++) {
            int key = u16(b, q);
            int length = u16(b, q + 2);
            int value = q + 4;
            if (value + length > end) {
                anomalies.count(Anomaly.DNS_TRUNCATED);
                break;
            }
            if (key == SVC_KEY_ECH && length > 0) {
                ech = true;
                if (echPublicName == null) {
                    echPublicName = echPublicName(b, value, value + length);
                }
            } else if (key == 4) {
                for (int a = value; a + 4 <= value + length && answers.size() < MAX_RECORDS; a += 4) {
                    answers.add(v4Record(owner, type, ttl, b, a));
                }
            } else if (key == 6) {
                for (int a = value; a + 16 <= value + length && answers.size() < MAX_RECORDS; a += 16) {
                    answers.add(v6Record(owner, type, ttl, b, a));
                }
            }
            q = value + length;
        }
        return ech;
    }

    /**
     * Reads a possibly compressed name starting at {@code p}; sets {@link #nameEnd} to the offset
     * after the name's bytes at the original position.
     *
     * @return the name in lowercase with non-printable bytes as {@code \ddd}, {@code "."} for the
     *     root, or {@code null} when malformed (anomaly counted)
     */
    private String readName(byte[] b, int msgStart, int end, int p) {
        int start = p;
        if (p + 1 < end && (b[p] & 0xc0) == 0xc0) {
            // a pointer to a name read before with the same bounds or narrower: the same result
            int target = msgStart + (((b[p] & 0x3f) << 8) | (b[p + 1] & 0xff));
            for (int i = 0; i < memoCount; i++) {
                if (memoAt[i] == target && memoEnd[i] <= end && memoHops[i] < MAX_POINTER_HOPS) {
                    nameEnd = p + 2;
                    return memoName[i];
                }
            }
        }
        byte[] out = name;
        int n = 0;
        int hops = 0;
        int octets = 1;
        int after = -1;
        while (true) {
            if (p >= end) {
                anomalies.count(Anomaly.DNS_TRUNCATED);
                return null;
            }
            int length = b[p] & 0xff;
            if (length == 0) {
                if (after < 0) {
                    after = p + 1;
                }
                break;
            }
            int kind = length & 0xc0;
            if (kind == 0xc0) {
                if (p + 1 >= end) {
                    anomalies.count(Anomaly.DNS_TRUNCATED);
                    return null;
                }
                if (++hops > MAX_POINTER_HOPS) {
                    anomalies.count(Anomaly.DNS_NAME_POINTER_LOOP);
                    return null;
                }
                int target = msgStart + (((length & 0x3f) << 8) | (b[p + 1] & 0xff));
                if (after < 0) {
                    after = p + 2;
                }
                if (target >= end) {
                    anomalies.count(Anomaly.DNS_TRUNCATED);
                    return null;
                }
                p = target;
                continue;
            }
            if (kind != 0) {
                // 01 and 10 label types (RFC 6891 section 5) are not names Umbra can use
                anomalies.count(Anomaly.DNS_BAD_LABEL);
                return null;
            }
            octets += length + 1;
            if (octets > MAX_NAME_OCTETS) {
                anomalies.count(Anomaly.DNS_NAME_TOO_LONG);
                return null;
            }
            if (p + 1 + length > end) {
                anomalies.count(Anomaly.DNS_TRUNCATED);
                return null;
            }
            if (n > 0) {
                out[n++] = '.';
            }
            // octets <= 255 and at most 4 text bytes per octet: out never overflows
            for (int i = p + 1, last = p + length; i <= last; i++) {
                int c = b[i] & 0xff;
                if (c >= 'A' && c <= 'Z') {
                    out[n++] = (byte) (c + 32);
                } else if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
                    out[n++] = (byte) c;
                } else {
                    out[n++] = '\\';
                    out[n++] = (byte) ('0' + c / 100);
                    out[n++] = (byte) ('0' + c / 10 % 10);
                    out[n++] = (byte) ('0' + c % 10);
                }
            }
            p += 1 + length;
        }
        nameEnd = after;
        String result = n == 0 ? "." : new String(out, 0, n, StandardCharsets.ISO_8859_1);
        if (memoCount < MEMO) {
            memoAt[memoCount] = start;
            memoEnd[memoCount] = end;
            memoHops[memoCount] = hops;
            memoName[memoCount++] = result;
        }
        return result;
    }

    /** An address record from the 4 bytes at {@code a}: its text, and its numbers for the name cache. */
    private static DnsRecord v4Record(String owner, int type, long ttl, byte[] b, int a) {
        return new DnsRecord(owner, type, ttl, IpText.v4(b, a), FlowKey.V4_MARK, u32(b, a));
    }

    /** An address record from the 16 bytes at {@code a}. */
    private static DnsRecord v6Record(String owner, int type, long ttl, byte[] b, int a) {
        return new DnsRecord(owner, type, ttl, IpText.v6(b, a), u32(b, a) << 32 | u32(b, a + 4),
                u32(b, a + 8) << 32 | u32(b, a + 12));
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static long u32(byte[] b, int i) {
        return ((long) u16(b, i) << 16) | u16(b, i + 2);
    }
}

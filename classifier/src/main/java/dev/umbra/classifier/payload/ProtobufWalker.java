package dev.umbra.classifier.payload;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/*
 * Design: protobuf wire format read without a schema. Every length-delimited field (wire type 2)
 * may be a string, bytes, a nested message or a packed repeated field, and the bytes alone do not
 * say which; the walker decides for each one, bottom up, and records it as a node (field number,
 * parent node, byte range, kind) in flat arrays, in document order, so that the caller can emit the
 * strings in order with their paths. Varint, 64-bit and 32-bit fields are skipped.
 *
 * How a length-delimited field is decided (classify):
 *   1. It is parsed as a message (recursively, its own length-delimited fields decided first).
 *      The message is "textual" when the parse reaches the field's end exactly, with at least one
 *      non-empty length-delimited field, every one of them text or a textual message. A textual
 *      message is a MESSAGE unless its bytes are also text and it has a field other than 1: this
 *      opens {1: "<65-byte string>"} (bytes 0a 41 ..., LF and printable) rather than gluing "\nA"
 *      onto the string; wrappers such as google.protobuf.StringValue look like that.
 *   2. Else, when its bytes are text (strict UTF-8, no control character but tab, CR, LF), it is
 *      TEXT: "hi" parses as the message {13: 105} but has no string in it, so it stays "hi"; "b "
 *      and 32 more characters parses as {12: "<32 characters>"}, but field 12 in text is more
 *      likely a coincidence than a message (tags of fields 4 to 15 are printable: ' ', '"', '*',
 *      'b', 'z' ...; fields 2 and 3 have control tags), so it stays a string.
 *   3. Else, when it parsed as a message with at least one non-empty length-delimited field (one
 *      whose leaves are not all text: Triton's InferInputTensor has a packed shape beside its
 *      name), it is a MESSAGE.
 *   4. Else, when it is a sequence of 4-byte little-endian lengths each followed by that many bytes
 *      of text, exactly covering the field, it is a TENSOR: the serialized BYTES tensor of Triton's
 *      raw_input_contents (KServe v2 / Triton gRPC protocol, "raw_input_contents"), where prompts of
 *      models served by Triton travel.
 *   5. Else it is BYTES (tensors of numbers, images, random bytes, and what parses as numbers
 *      only: "xxxx..." reads as varint fields 15 = 'x'): the caller scans its printable runs.
 * Both ways of reading an ambiguous field lose only its first bytes. A string read as a message
 * loses its tag and length characters; it takes a string starting with tab, LF or CR whose next
 * character's code is exactly the length left (or a chain of such fields 1). A real all-text
 * message with a field other than 1 (say {5: "<40 characters>"}) is read as a string with its
 * tag and length characters glued in ("*(" here). Groups (wire types 3 and 4, deprecated) and
 * wire types 6 and 7 do not parse.
 *
 * Cost: each byte range is parsed as a message once, at its own depth; the text check of a range
 * (skipped for a textual message of fields 1) scans it up to its first non-text byte, so at most
 * the bytes times the depth cap in all. Every field and tensor element read counts against one budget per body
 * (fieldsLeft); when it runs out the walk stops with LIMIT and where it stopped, keeping the nodes
 * decided so far. Past the depth cap a field is not opened: text is still text, anything else is a
 * TENSOR or BYTES, and a field whose own level reads as message fields (fields 1 holding a
 * string, if its bytes are also text, as in rule 1) is counted (tooDeep).
 *
 * "cut" means the range given ends where the body was cut (a capture cap), not where the message
 * ends: the last field may then run past the end; its part that is there is decided as above (a
 * string cut inside a UTF-8 sequence is still text) and the walk ends with CUT.
 */
/** Walks protobuf wire format without a schema and decides what each length-delimited field holds. */
final class ProtobufWalker {
    /** Outcome of a walk. */
    enum Status {
        /** The range parsed as a message to its end. */
        OK,
        /** The range parsed as a message whose last field runs past the end of a cut range. */
        CUT,
        /** The range does not parse as a message; the nodes before {@link #stoppedAt()} are good. */
        INVALID,
        /** The field budget ran out at {@link #stoppedAt()}; the nodes before it are good. */
        LIMIT
    }

    /** Node kinds. */
    static final byte MESSAGE = 1;
    static final byte TEXT = 2;
    static final byte TENSOR = 3;
    static final byte BYTES = 4;

    /** Largest field number (protobuf encoding: field numbers are 29 bits). */
    static final int MAX_FIELD_NUMBER = (1 << 29) - 1;
    /** A varint holds at most 64 bits, 7 per byte. */
    static final int MAX_VARINT_BYTES = 10;
    private static final int NEED_MORE = -1;
    private static final int MALFORMED = -2;

    private final int maxDepth;
    private int fieldsLeft;
    private int tooDeep;
    private int stoppedAt;
    private long value;
    private boolean lastTextual;
    private boolean lastLeaf;
    private boolean lastOnlyField1;

    private int count;
    private int[] field = new int[32];
    private int[] parent = new int[32];
    private int[] start = new int[32];
    private int[] end = new int[32];
    private byte[] kind = new byte[32];
    private String[] location = new String[0];

    /**
     * @param maxDepth messages nested deeper than this inside the walked one are not opened
     * @param maxFields fields and tensor elements read in all, over every walk of this walker
     */
    ProtobufWalker(int maxDepth, int maxFields) {
        this.maxDepth = maxDepth;
        this.fieldsLeft = maxFields;
    }

    /**
     * Walks {@code buf[off, off + len)} as one message; the nodes it decided are then readable
     * until the next walk.
     *
     * @param cut whether the range ends where the body was cut rather than where the message ends
     */
    Status walk(byte[] buf, int off, int len, boolean cut) {
        count = 0;
        tooDeep = 0;
        stoppedAt = off + len;
        if (fieldsLeft <= 0 && len > 0) {
            stoppedAt = off;
            return Status.LIMIT;
        }
        return message(buf, off, off + len, 0, -1, cut);
    }

    /** Fields past the depth cap that would have parsed as messages, in the last walk. */
    int tooDeep() {
        return tooDeep;
    }

    /** Whether the message of the last walk had a non-empty length-delimited field (before where it stopped). */
    boolean hadLengthDelimited() {
        return lastLeaf;
    }

    /** Where an INVALID walk met the field it could not read, or where a LIMIT walk stopped. */
    int stoppedAt() {
        return stoppedAt;
    }

    int nodes() {
        return count;
    }

    byte kind(int node) {
        return kind[node];
    }

    int start(int node) {
        return start[node];
    }

    int end(int node) {
        return end[node];
    }

    /**
     * Computes the location of every node: {@code prefix}, then the field numbers from the walked
     * message down, dot-separated; a field met more than once in its message gets its index among
     * them ({@code prefix.2[1].2} is field 2 of the second field 2).
     */
    void locate(String prefix) {
        if (location.length < count) {
            location = new String[Math.max(count, location.length * 2)];
        }
        Map<Long, int[]> seen = new HashMap<>();
        for (int i = 0; i < count; i++) {
            seen.computeIfAbsent(((long) parent[i] << 32) | field[i], k -> new int[2])[0]++;
        }
        for (int i = 0; i < count; i++) {
            int[] s = seen.get(((long) parent[i] << 32) | field[i]);
            String label = s[0] > 1 ? field[i] + "[" + s[1]++ + "]" : Integer.toString(field[i]);
            location[i] = (parent[i] < 0 ? prefix : location[parent[i]]) + "." + label;
        }
    }

    /** The location of a node, after {@link #locate}. */
    String location(int node) {
        return location[node];
    }

    /*
     * Protocol Buffers encoding (https://protobuf.dev/programming-guides/encoding/):
     *   message   := (tag value)*
     *   tag       := varint(field_number << 3 | wire_type)   ; field_number 1 .. 2^29 - 1
     *   varint    := 1 to 10 bytes, 7 bits each, least significant group first, MSB set = more
     *   wire_type := 0 VARINT  varint                 (int32, int64, uint*, sint*, bool, enum)
     *                1 I64     8 bytes                (fixed64, sfixed64, double)
     *                2 LEN     varint length, bytes   (string, bytes, message, packed repeated)
     *                3 SGROUP, 4 EGROUP               (groups, deprecated: not read here)
     *                5 I32     4 bytes                (fixed32, sfixed32, float)
     */
    private Status message(byte[] buf, int from, int to, int depth, int parentNode, boolean cut) {
        int p = from;
        boolean leaf = false;
        boolean allTextual = true;
        boolean onlyField1 = true;
        Status status = Status.OK;
        while (p < to) {
            if (fieldsLeft <= 0) {
                stoppedAt = p;
                return Status.LIMIT;
            }
            fieldsLeft--;
            int q = varint(buf, p, to);
            if (q < 0 || value < 8 || value > 0xffffffffL || (value >>> 3) > MAX_FIELD_NUMBER) {
                status = q == NEED_MORE && cut ? Status.CUT : Status.INVALID;
                stoppedAt = p;
                break;
            }
            int number = (int) (value >>> 3);
            int wireType = (int) (value & 7);
            onlyField1 &= number == 1;
            if (wireType == 0) {
                q = varint(buf, q, to);
            } else if (wireType == 1 || wireType == 5) {
                int size = wireType == 1 ? 8 : 4;
                q = to - q < size ? NEED_MORE : q + size;
            } else if (wireType == 2) {
                q = varint(buf, q, to);
                if (q >= 0) {
                    long n = value;
                    boolean partial = n < 0 || n > to - q;
                    if (partial && (!cut || n < 0 || n > Integer.MAX_VALUE)) {
                        status = Status.INVALID;
                        stoppedAt = p;
                        break;
                    }
                    int valueEnd = partial ? to : q + (int) n;
                    if (valueEnd > q) {
                        int node = add(number, parentNode, q, valueEnd);
                        if (classify(buf, q, valueEnd, depth + 1, node, partial) == Status.LIMIT) {
                            return Status.LIMIT;
                        }
                        leaf = true;
                        allTextual &= kind[node] == TEXT || kind[node] == MESSAGE && lastTextual;
                    }
                    if (partial) {
                        status = Status.CUT;
                        break;
                    }
                    q = valueEnd;
                }
            } else {
                q = MALFORMED;
            }
            if (q < 0) {
                status = q == NEED_MORE && cut ? Status.CUT : Status.INVALID;
                stoppedAt = p;
                break;
            }
            p = q;
        }
        lastTextual = leaf && allTextual;
        lastLeaf = leaf;
        lastOnlyField1 = onlyField1;
        return status;
    }

    /** Decides what {@code buf[s, e)}, the value of length-delimited field {@code node}, holds. */
    private Status classify(byte[] buf, int s, int e, int depth, int node, boolean cut) {
        int mark = count;
        if (depth > maxDepth) {
            boolean text = text(buf, s, e, cut);
            // would it have been opened? (text only when it holds a string in field 1 only, as in rule 1)
            if (shallow(buf, s, e, cut, text)) {
                tooDeep++;
            }
            kind[node] = text ? TEXT : tensor(buf, s, e, cut) ? TENSOR : BYTES;
            lastTextual = false;
            return Status.OK;
        }
        Status st = message(buf, s, e, depth, node, cut);
        if (st == Status.LIMIT) {
            kind[node] = MESSAGE;
            return st;
        }
        boolean parsed = st != Status.INVALID && lastLeaf;
        boolean textual = parsed && lastTextual;
        // rule 1: a textual message of fields 1 only is a message even when its bytes are text
        boolean text = !(textual && lastOnlyField1) && text(buf, s, e, cut);
        if (text) {
            count = mark;
            kind[node] = TEXT;
            textual = false;
        } else if (parsed) {
            kind[node] = MESSAGE;
        } else {
            count = mark;
            kind[node] = tensor(buf, s, e, cut) ? TENSOR : BYTES;
        }
        lastTextual = textual;
        return Status.OK;
    }

    /**
     * Whether {@code buf[s, e)} reads as message fields at one level (no field opened); when
     * {@code needLen}, fields 1 only, a non-empty length-delimited one among them.
     */
    private boolean shallow(byte[] buf, int s, int e, boolean cut, boolean needLen) {
        int p = s;
        boolean len = false;
        while (p < e) {
            if (fieldsLeft <= 0) {
                return false;
            }
            fieldsLeft--;
            int q = varint(buf, p, e);
            if (q < 0 || value < 8 || value > 0xffffffffL || (value >>> 3) > MAX_FIELD_NUMBER) {
                return q == NEED_MORE && cut && (len || !needLen);
            }
            int wireType = (int) (value & 7);
            if (needLen && (value >>> 3) != 1) {
                return false;
            }
            if (wireType == 0) {
                q = varint(buf, q, e);
            } else if (wireType == 1 || wireType == 5) {
                int size = wireType == 1 ? 8 : 4;
                q = e - q < size ? NEED_MORE : q + size;
            } else if (wireType == 2) {
                q = varint(buf, q, e);
                if (q >= 0) {
                    if (value < 0 || value > e - q) {
                        return cut && value >= 0 && (len || !needLen || q < e);
                    }
                    len |= value > 0;
                    q += (int) value;
                }
            } else {
                return false;
            }
            if (q < 0) {
                return q == NEED_MORE && cut && (len || !needLen);
            }
            p = q;
        }
        return len || !needLen;
    }

    /**
     * Whether {@code buf[s, e)} is a serialized BYTES tensor of text: elements of a 4-byte
     * little-endian length and that many bytes, exactly covering the range (the last one may run
     * past a cut), at least one of them not empty, each one text.
     */
    private boolean tensor(byte[] buf, int s, int e, boolean cut) {
        int p = s;
        boolean any = false;
        while (p < e) {
            if (e - p < 4 || fieldsLeft <= 0) {
                return false;
            }
            fieldsLeft--;
            long n = (buf[p] & 0xffL) | (buf[p + 1] & 0xffL) << 8 | (buf[p + 2] & 0xffL) << 16 | (buf[p + 3] & 0xffL) << 24;
            p += 4;
            boolean partial = n > e - p;
            if (partial && !cut) {
                return false;
            }
            int elementEnd = partial ? e : p + (int) n;
            if (!text(buf, p, elementEnd, partial)) {
                return false;
            }
            any |= elementEnd > p;
            p = elementEnd;
        }
        return any;
    }

    /**
     * Whether {@code buf[s, e)} is text: well-formed UTF-8 (RFC 3629: no overlong form, surrogate
     * or code point past U+10FFFF) without C0 or C1 control characters other than tab, LF and CR;
     * when {@code cut}, the range may end inside a UTF-8 sequence.
     */
    static boolean text(byte[] buf, int s, int e, boolean cut) {
        int i = s;
        while (i < e) {
            int c = buf[i] & 0xff;
            if (c < 0x80) {
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) {
                    return false;
                }
                i++;
                continue;
            }
            int more;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                more = 1;
                if (c == 0xc2) {
                    lo = 0xa0; // U+0080..U+009F are C1 controls
                }
            } else if (c >= 0xe0 && c <= 0xef) {
                more = 2;
                lo = c == 0xe0 ? 0xa0 : 0x80;
                hi = c == 0xed ? 0x9f : 0xbf;
            } else if (c >= 0xf0 && c <= 0xf4) {
                more = 3;
                lo = c == 0xf0 ? 0x90 : 0x80;
                hi = c == 0xf4 ? 0x8f : 0xbf;
            } else {
                return false;
            }
            for (int k = 1; k <= more; k++) {
                if (i + k >= e) {
                    return cut;
                }
                int d = buf[i + k] & 0xff;
                if (k == 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) {
                    return false;
                }
            }
            i += more + 1;
        }
        return true;
    }

    /**
     * Reads the varint at {@code p} into {@code value}; returns the position after it, NEED_MORE
     * when the range ends inside it, MALFORMED past 10 bytes.
     */
    private int varint(byte[] buf, int p, int to) {
        long v = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            if (p + i >= to) {
                return NEED_MORE;
            }
            int c = buf[p + i] & 0xff;
            v |= (long) (c & 0x7f) << (7 * i);
            if (c < 0x80) {
                value = v;
                return p + i + 1;
            }
        }
        return MALFORMED;
    }

    private int add(int number, int parentNode, int s, int e) {
        if (count == field.length) {
            int n = count * 2;
            field = Arrays.copyOf(field, n);
            parent = Arrays.copyOf(parent, n);
            start = Arrays.copyOf(start, n);
            end = Arrays.copyOf(end, n);
            kind = Arrays.copyOf(kind, n);
        }
        field[count] = number;
        parent[count] = parentNode;
        start[count] = s;
        end[count] = e;
        kind[count] = BYTES;
        return count++;
    }
}

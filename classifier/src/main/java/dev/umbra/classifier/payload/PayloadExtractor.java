package dev.umbra.classifier.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/*
 * Design: extract() turns a body (bytes, with the content type and content encoding the sender
 * declared, either may be null) into one decoded text plus segments. Decoding is by declared
 * type first and by sniffing second: gzip magic 1f 8b, zlib header, JSON ('{' or '['), HAR (a
 * JSON object with "log"), multipart ("--boundary" first line), binary (NUL bytes or many control
 * characters in the first 8 KiB). Containers recurse up to MAX_NESTING. Every limit is a named
 * cap, and every failure is a counted PayloadAnomaly after which extraction goes on with what it
 * has: strings read before a JSON error plus the rest of the body as text, the inflated head of a
 * corrupt gzip stream, the printable runs of a binary body.
 *
 * JSON strings are emitted as "key: value" when the parent is an object (so that assignments such
 * as "password": "..." keep their context for the detectors) and as the bare value in arrays.
 *
 * gRPC and protobuf: the length-prefixed types (application/grpc[+x], grpc-web[+x], grpc-web-text,
 * connect+x) are decided first, before the whole-body Content-Encoding handling, because for them
 * the encoding given is the per-message one (the grpc-encoding header). Each message is inflated
 * on its own when flagged (from the same inflate budget) and walked by ProtobufWalker, or by the
 * JSON path for +json; unframed protobuf (application/x-protobuf ...) is one message, after the
 * whole-body Content-Encoding like any other type. Strings come out verbatim, one segment each,
 * at "body:grpc[i].<field>.<field>" (or "body:protobuf.<field>..."); a string that is a whole JSON
 * document goes through the JSON path under that location. The walker's caps (depth, fields per
 * body) and the messages per body are named; past one, the rest is scanned as printable runs.
 */
/** Turns request bodies and files into decoded text for the classifier; never throws on bad input. */
public final class PayloadExtractor {
    /** Default cap on body bytes read. */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
    /** Cap on container nesting (gzip in multipart in HAR ...). */
    public static final int MAX_NESTING = 4;
    /** Cap on JSON nesting depth. */
    public static final int MAX_JSON_DEPTH = 256;
    /** Cap on multipart parts. */
    public static final int MAX_PARTS = 1000;
    /** Cap on protobuf message nesting inside a message; deeper ones are scanned as bytes. */
    public static final int MAX_PROTOBUF_DEPTH = 32;
    /** Cap on protobuf fields (and BYTES tensor elements) read per body. */
    public static final int MAX_PROTOBUF_FIELDS = 1_000_000;
    /** Cap on gRPC (or Connect) length-prefixed messages read per body. */
    public static final int MAX_GRPC_MESSAGES = 10_000;
    private static final Set<String> PROTOBUF_TYPES = Set.of("application/protobuf", "application/x-protobuf",
            "application/proto", "application/vnd.google.protobuf", "application/x-google-protobuf");

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH + 1).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    private static final Set<String> PROMPT_PATHS = Set.of(
            // OpenAI chat completions and Anthropic messages
            "messages[].content", "messages[].content[].text",
            // OpenAI responses
            "input", "input[]", "input[].content", "input[].content[].text", "instructions",
            // OpenAI legacy completions, Claude web app
            "prompt", "prompt[]",
            // Anthropic system prompt
            "system", "system[].text",
            // Gemini generateContent
            "contents[].parts[].text", "systemInstruction.parts[].text", "system_instruction.parts[].text",
            // ChatGPT web app conversation
            "messages[].content.parts[]");

    private final int maxBytes;

    /** An extractor with the default byte cap. */
    public PayloadExtractor() {
        this(DEFAULT_MAX_BYTES);
    }

    /**
     * An extractor reading at most {@code maxBytes} of a body, and inflating at most {@code maxBytes}
     * in all from the compressed parts in it.
     */
    public PayloadExtractor(int maxBytes) {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("Invalid value " + maxBytes + " for configuration payload.max.bytes: must be at least 1024");
        }
        this.maxBytes = maxBytes;
    }

    /**
     * Extracts the text of a body.
     *
     * @param body the bytes; never modified
     * @param contentType the declared media type (with parameters), or null
     * @param contentEncoding the declared content encoding ({@code gzip}, {@code deflate}), or null;
     *     for a type of length-prefixed messages ({@link #isLengthPrefixed}) the per-message encoding:
     *     the value of the {@code grpc-encoding} header (Connect: {@code connect-content-encoding})
     */
    public Extracted extract(byte[] body, String contentType, String contentEncoding) {
        Builder b = new Builder();
        int len = body.length;
        if (len > maxBytes) {
            b.count(PayloadAnomaly.PAYLOAD_OVERSIZE);
            len = maxBytes;
        }
        body(b, body, 0, len, contentType, contentEncoding, "body", 0);
        return new Extracted(b.text.toString(), b.segments, b.api, b.anomalies);
    }

    /** Extracts the text of a file's content; the file name suggests the type ({@code .json}, {@code .har}, {@code .gz}). */
    public Extracted extractFile(byte[] content, String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        String type = lower.endsWith(".har") ? "application/har+json"
                : lower.endsWith(".json") ? "application/json" : null;
        String enc = lower.endsWith(".gz") ? "gzip" : null;
        return extract(content, type, enc);
    }

    /**
     * Whether a body of this type is a stream of gRPC, gRPC-Web or Connect length-prefixed messages,
     * whose compression is named per message by the {@code grpc-encoding} (Connect:
     * {@code connect-content-encoding}) header rather than by Content-Encoding; pass that header's
     * value to {@link #extract} for such a body.
     *
     * @param contentType the declared media type (with parameters), or null
     */
    public static boolean isLengthPrefixed(String contentType) {
        return framing(mediaType(contentType)) != null;
    }

    /** The media type without parameters, trimmed and lower case ("" for null). */
    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /** The framing of a length-prefixed media type, or null for any other type. */
    private static Framing framing(String media) {
        if (media.equals("application/grpc-web-text") || media.startsWith("application/grpc-web-text+")) {
            return Framing.GRPC_WEB_TEXT;
        }
        if (media.equals("application/grpc-web") || media.startsWith("application/grpc-web+")) {
            return Framing.GRPC_WEB;
        }
        if (media.equals("application/grpc") || media.startsWith("application/grpc+")) {
            return Framing.GRPC;
        }
        if (media.startsWith("application/connect+")) {
            return Framing.CONNECT;
        }
        return null;
    }

    private void body(Builder b, byte[] buf, int off, int len, String contentType, String encoding, String location,
            int nesting) {
        if (nesting > MAX_NESTING) {
            b.count(PayloadAnomaly.PAYLOAD_NESTING_LIMIT);
            return;
        }
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        String enc = encoding == null ? "" : encoding.toLowerCase(Locale.ROOT).trim();
        String media = mediaType(contentType);
        Framing framing = framing(media);
        if (framing != null) {
            // before Content-Encoding: for these types the encoding given is the per-message one
            lengthPrefixed(b, buf, off, len, framing, media.endsWith("+json"), enc, location);
            return;
        }
        boolean gzipMagic = len >= 2 && (buf[off] & 0xff) == 0x1f && (buf[off + 1] & 0xff) == 0x8b;
        if (enc.equals("gzip") || enc.equals("x-gzip") || gzipMagic || enc.equals("deflate")) {
            byte[] inflated = inflate(b, buf, off, len, gzipMagic || !enc.equals("deflate"));
            if (inflated != null) {
                String inner = type.contains("gzip") ? null : contentType;
                body(b, inflated, 0, inflated.length, inner, null, location, nesting + 1);
                return;
            }
        }
        if (PROTOBUF_TYPES.contains(media)) {
            protobuf(b, buf, off, len, true, false, location + ":protobuf");
            return;
        }
        int first = firstNonSpace(buf, off, len);
        if (type.contains("multipart/")) {
            multipart(b, buf, off, len, contentType, location, nesting);
            return;
        }
        if (type.contains("x-www-form-urlencoded")) {
            form(b, decode(buf, off, len), location);
            return;
        }
        boolean jsonType = type.contains("json");
        boolean jsonSniff = first < off + len && (buf[first] == '{' || buf[first] == '[');
        if (looksBinary(buf, off, len) && !jsonType) {
            b.count(PayloadAnomaly.PAYLOAD_BINARY);
            printableRuns(b, buf, off, len, location);
            return;
        }
        if (type.contains("har") || jsonSniff && harSniff(buf, first, off + len)) {
            har(b, buf, off, len, location, nesting);
            return;
        }
        if (jsonType || jsonSniff) {
            json(b, decode(buf, off, len), location);
            return;
        }
        if (type.isEmpty() && len > 4 && buf[off] == '-' && buf[off + 1] == '-') {
            multipart(b, buf, off, len, null, location, nesting);
            return;
        }
        b.add(decode(buf, off, len), location, false);
    }

    private static int firstNonSpace(byte[] buf, int off, int len) {
        int i = off;
        // skip a UTF-8 byte order mark
        if (len >= 3 && (buf[i] & 0xff) == 0xef && (buf[i + 1] & 0xff) == 0xbb && (buf[i + 2] & 0xff) == 0xbf) {
            i += 3;
        }
        while (i < off + len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean harSniff(byte[] buf, int first, int end) {
        if (buf[first] != '{') {
            return false;
        }
        int i = first + 1;
        while (i < end && i - first < 64 && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')) {
            i++;
        }
        return i + 5 <= end && buf[i] == '"' && buf[i + 1] == 'l' && buf[i + 2] == 'o' && buf[i + 3] == 'g'
                && buf[i + 4] == '"';
    }

    static String decode(byte[] buf, int off, int len) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(buf, off, len)).toString();
        } catch (CharacterCodingException e) {
            return new String(buf, off, len, StandardCharsets.ISO_8859_1);
        }
    }

    static boolean looksBinary(byte[] buf, int off, int len) {
        int n = Math.min(len, 8192);
        int control = 0;
        for (int i = off; i < off + n; i++) {
            int c = buf[i] & 0xff;
            if (c == 0) {
                return true;
            }
            if (c < 32 && c != '\n' && c != '\r' && c != '\t' && c != '\f') {
                control++;
            }
        }
        return n > 0 && control * 10 > n;
    }

    private static void printableRuns(Builder b, byte[] buf, int off, int len, String location) {
        StringBuilder sb = new StringBuilder();
        int runStart = -1;
        for (int i = off; i <= off + len; i++) {
            int c = i < off + len ? buf[i] & 0xff : 0;
            boolean printable = c >= 32 && c < 127 || c == '\t';
            if (printable && runStart < 0) {
                runStart = i;
            } else if (!printable && runStart >= 0) {
                if (i - runStart >= 6) {
                    sb.append(new String(buf, runStart, i - runStart, StandardCharsets.ISO_8859_1)).append('\n');
                }
                runStart = -1;
            }
        }
        if (sb.length() > 0) {
            b.add(sb.toString(), location + "(binary)", false);
        }
    }

    /**
     * Inflates a gzip or deflate stream into what is left of the extraction's inflate budget
     * ({@code maxBytes} in all, however many compressed parts a body nests), or null when nothing
     * could be inflated.
     */
    private byte[] inflate(Builder b, byte[] buf, int off, int len, boolean gzip) {
        int budget = maxBytes - b.inflated;
        b.inflateCut = true;
        if (budget <= 0) {
            b.count(PayloadAnomaly.PAYLOAD_INFLATE_LIMIT);
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(budget, Math.max(64, len * 4)));
        byte[] chunk = new byte[16384];
        boolean zlib = len >= 2 && (buf[off] & 0x0f) == 8 && (((buf[off] & 0xff) << 8) | (buf[off + 1] & 0xff)) % 31 == 0;
        try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(buf, off, len))
                : new InflaterInputStream(new ByteArrayInputStream(buf, off, len), new Inflater(!zlib))) {
            int r;
            while ((r = in.read(chunk)) > 0) {
                int room = budget - out.size();
                if (r >= room) {
                    out.write(chunk, 0, room);
                    b.count(PayloadAnomaly.PAYLOAD_INFLATE_LIMIT);
                    break;
                }
                out.write(chunk, 0, r);
            }
            b.inflateCut = r > 0;
        } catch (IOException | RuntimeException e) {
            b.count(PayloadAnomaly.PAYLOAD_COMPRESSION_INVALID);
            if (out.size() == 0) {
                return null;
            }
        }
        b.inflated += out.size();
        return out.toByteArray();
    }

    // ---- JSON (RFC 8259) ----

    private void json(Builder b, String text, String location) {
        List<String> path = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        long lastOffset = 0;
        try (JsonParser p = JSON.createParser(text)) {
            String field = null;
            JsonToken t;
            int tokens = 0;
            while ((t = p.nextToken()) != null && tokens++ < 50_000_000) {
                if (t == JsonToken.VALUE_STRING) {
                    // strings are decoded lazily: finish this one so the location is after it
                    p.getText();
                }
                lastOffset = p.currentLocation().getCharOffset();
                switch (t) {
                    case FIELD_NAME:
                        field = p.currentName();
                        break;
                    case START_OBJECT:
                    case START_ARRAY:
                        push(path, index, field);
                        index.add(t == JsonToken.START_ARRAY ? 0 : -1);
                        field = null;
                        break;
                    case END_OBJECT:
                    case END_ARRAY:
                        if (!index.isEmpty()) {
                            index.remove(index.size() - 1);
                            path.remove(path.size() - 1);
                        }
                        field = null;
                        advance(index);
                        break;
                    case VALUE_STRING: {
                        String key = field;
                        String loc = location(path, index, key);
                        String norm = loc.replaceAll("\\[\\d+\\]", "[]");
                        boolean prompt = PROMPT_PATHS.contains(norm);
                        noteApi(b, norm, key, p.getText());
                        String v = p.getText();
                        b.add(key != null && !prompt ? key + ": " + v : v, location + ":" + loc, prompt);
                        field = null;
                        advance(index);
                        break;
                    }
                    default:
                        if (field != null && t.isScalarValue()) {
                            noteApi(b, location(path, index, field).replaceAll("\\[\\d+\\]", "[]"), field, null);
                        }
                        field = null;
                        advance(index);
                        break;
                }
            }
        } catch (IOException | RuntimeException e) {
            boolean deep = e.getMessage() != null && e.getMessage().contains("nesting depth");
            b.count(deep ? PayloadAnomaly.PAYLOAD_JSON_TOO_DEEP : PayloadAnomaly.PAYLOAD_JSON_INVALID);
            int from = (int) Math.max(0, Math.min(text.length(), lastOffset));
            if (from < text.length()) {
                b.add(text.substring(from), location + "(rest)", false);
            }
        }
    }

    private static void push(List<String> path, List<Integer> index, String field) {
        if (index.isEmpty()) {
            path.add("");
        } else if (index.get(index.size() - 1) >= 0) {
            path.add("[" + index.get(index.size() - 1) + "]");
        } else {
            path.add(field == null ? "?" : field);
        }
    }

    private static void advance(List<Integer> index) {
        if (!index.isEmpty() && index.get(index.size() - 1) >= 0) {
            index.set(index.size() - 1, index.get(index.size() - 1) + 1);
        }
    }

    private static String location(List<String> path, List<Integer> index, String field) {
        StringBuilder sb = new StringBuilder();
        for (String p : path) {
            if (p.isEmpty()) {
                continue;
            }
            if (!p.startsWith("[") && sb.length() > 0) {
                sb.append('.');
            }
            sb.append(p);
        }
        if (!index.isEmpty() && index.get(index.size() - 1) >= 0) {
            sb.append('[').append(index.get(index.size() - 1)).append(']');
        } else if (field != null) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(field);
        }
        return sb.toString();
    }

    private static void noteApi(Builder b, String norm, String key, String value) {
        if (b.api != null && !b.api.equals("openai") && !b.api.equals("anthropic")) {
            return;
        }
        if (norm.startsWith("contents[].parts[]") || norm.startsWith("systemInstruction.") || norm.startsWith("generationConfig")) {
            b.api = "gemini";
        } else if (norm.equals("messages[].content.parts[]") || norm.equals("messages[].author.role")
                || norm.equals("parent_message_id")) {
            b.api = "chatgpt_web";
        } else if (norm.equals("anthropic_version") || norm.equals("system") || norm.equals("stop_sequences")
                || norm.startsWith("system[]")) {
            b.api = "anthropic";
        } else if (norm.equals("timezone") || norm.equals("rendering_mode") || norm.equals("attachments[]")
                || norm.equals("parent_message_uuid")) {
            if ("prompt".equals(key) || b.api == null) {
                b.api = "claude_web";
            }
        } else if (b.api == null && (norm.equals("messages[].role") || norm.equals("input") || norm.equals("model")
                || norm.equals("instructions") || norm.equals("max_completion_tokens") || norm.equals("response_format.type"))) {
            b.api = "openai";
        }
    }

    // ---- application/x-www-form-urlencoded (WHATWG URL, section 5.1) ----

    private static void form(Builder b, String text, String location) {
        int i = 0;
        int fields = 0;
        while (i <= text.length() && fields++ < 100_000) {
            int amp = text.indexOf('&', i);
            if (amp < 0) {
                amp = text.length();
            }
            String pair = text.substring(i, amp);
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String name = formDecode(b, eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : formDecode(b, pair.substring(eq + 1));
                boolean prompt = name.equals("prompt") || name.equals("q") || name.equals("message");
                b.add(name + ": " + value, location + ":" + name, prompt);
            }
            i = amp + 1;
        }
    }

    private static String formDecode(Builder b, String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            b.count(PayloadAnomaly.PAYLOAD_FORM_INVALID);
            return s.replace('+', ' ');
        }
    }

    // ---- multipart/form-data (RFC 7578, RFC 2046 section 5.1.1) ----
    //   multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part
    //                     *encapsulation close-delimiter transport-padding [CRLF epilogue]
    //   encapsulation  := delimiter transport-padding CRLF body-part
    //   delimiter      := CRLF dash-boundary ; dash-boundary := "--" boundary

    private void multipart(Builder b, byte[] buf, int off, int len, String contentType, String location, int nesting) {
        String boundary = contentType == null ? null : param(contentType, "boundary");
        int end = off + len;
        if (boundary == null) {
            // sniff "--boundary" on the first line
            if (len > 4 && buf[off] == '-' && buf[off + 1] == '-') {
                int eol = indexOf(buf, off, Math.min(end, off + 200), new byte[] {'\r', '\n'});
                if (eol < 0) {
                    eol = indexOf(buf, off, Math.min(end, off + 200), new byte[] {'\n'});
                }
                if (eol > off + 2) {
                    boundary = new String(buf, off + 2, eol - off - 2, StandardCharsets.ISO_8859_1).trim();
                }
            }
        }
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            b.count(PayloadAnomaly.PAYLOAD_MULTIPART_INVALID);
            b.add(decode(buf, off, len), location, false);
            return;
        }
        byte[] dash = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(buf, off, end, dash);
        if (pos < 0) {
            b.count(PayloadAnomaly.PAYLOAD_MULTIPART_INVALID);
            b.add(decode(buf, off, len), location, false);
            return;
        }
        int parts = 0;
        while (pos >= 0 && parts < MAX_PARTS) {
            int after = pos + dash.length;
            if (after + 1 < end && buf[after] == '-' && buf[after + 1] == '-') {
                return; // close delimiter
            }
            int headerStart = skipLine(buf, after, end);
            int headerEnd = indexOf(buf, headerStart, end, new byte[] {'\r', '\n', '\r', '\n'});
            int bodyStart;
            if (headerEnd < 0) {
                headerEnd = indexOf(buf, headerStart, end, new byte[] {'\n', '\n'});
                bodyStart = headerEnd < 0 ? -1 : headerEnd + 2;
            } else {
                bodyStart = headerEnd + 4;
            }
            if (bodyStart < 0) {
                b.count(PayloadAnomaly.PAYLOAD_MULTIPART_INVALID);
                return;
            }
            int next = indexOf(buf, bodyStart, end, dash);
            int bodyEnd = next < 0 ? end : next;
            if (next < 0) {
                b.count(PayloadAnomaly.PAYLOAD_MULTIPART_INVALID);
            }
            // the CRLF before the delimiter belongs to the delimiter
            if (bodyEnd - 2 >= bodyStart && buf[bodyEnd - 2] == '\r' && buf[bodyEnd - 1] == '\n') {
                bodyEnd -= 2;
            } else if (bodyEnd - 1 >= bodyStart && buf[bodyEnd - 1] == '\n') {
                bodyEnd -= 1;
            }
            String headers = new String(buf, headerStart, Math.max(0, headerEnd - headerStart), StandardCharsets.UTF_8);
            String partType = null;
            String name = "part" + parts;
            for (String h : headers.split("\r?\n")) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    partType = h.substring(13).trim();
                } else if (lower.startsWith("content-disposition:")) {
                    String fn = param(h, "filename");
                    String n = param(h, "name");
                    name = fn != null ? n + "(" + fn + ")" : n != null ? n : name;
                }
            }
            Builder nb = b;
            body(nb, buf, bodyStart, bodyEnd - bodyStart, partType, null, location + ":" + name, nesting + 1);
            parts++;
            pos = next;
        }
    }

    private static int skipLine(byte[] buf, int i, int end) {
        while (i < end && buf[i] != '\n') {
            i++;
        }
        return Math.min(end, i + 1);
    }

    static int indexOf(byte[] buf, int from, int to, byte[] needle) {
        int last = to - needle.length;
        byte first = needle[0];
        outer:
        for (int i = from; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int k = 1; k < needle.length; k++) {
                if (buf[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A parameter of a header value ({@code boundary=...}, {@code name="..."}), or null. */
    static String param(String header, String name) {
        String lower = header.toLowerCase(Locale.ROOT);
        int i = 0;
        while (true) {
            int k = lower.indexOf(name + "=", i);
            if (k < 0) {
                return null;
            }
            char before = k == 0 ? ';' : lower.charAt(k - 1);
            if (before == ';' || before == ' ' || before == '\t') {
                int v = k + name.length() + 1;
                if (v < header.length() && header.charAt(v) == '"') {
                    int close = header.indexOf('"', v + 1);
                    return close < 0 ? header.substring(v + 1) : header.substring(v + 1, close);
                }
                int e = v;
                while (e < header.length() && header.charAt(e) != ';' && header.charAt(e) != ' ') {
                    e++;
                }
                return header.substring(v, e);
            }
            i = k + 1;
        }
    }

    // ---- gRPC, gRPC-Web, Connect: length-prefixed messages ----
    // gRPC over HTTP/2 (github.com/grpc/grpc doc/PROTOCOL-HTTP2.md), request body:
    //   Length-Prefixed-Message -> Compressed-Flag Message-Length Message
    //   Compressed-Flag -> 0 / 1   ; 1 byte; 1: compressed with the grpc-encoding (Message-Encoding)
    //   Message-Length  -> {length of Message}  ; 4 bytes, unsigned big-endian
    // gRPC-Web (doc/PROTOCOL-WEB.md): the same, the flag's MSB (0x80) marking a trailers frame;
    //   grpc-web-text: that stream base64-encoded, each chunk padded on its own (concatenated).
    // Connect streaming (connectrpc.com/docs/protocol): flag 0x01 compressed (connect-content-encoding),
    //   0x02 end of stream (a JSON message that ends a response stream).

    /** How a length-prefixed type frames its messages. */
    private enum Framing {
        GRPC(0x01),
        GRPC_WEB(0x81),
        GRPC_WEB_TEXT(0x81),
        CONNECT(0x03);

        /** The flag bits a message may carry. */
        final int flags;

        Framing(int flags) {
            this.flags = flags;
        }

        /** Whether a message with this flag byte is a trailers or end-of-stream frame, not a request message. */
        boolean isTrailer(int flag) {
            return this == CONNECT ? (flag & 0x02) != 0 : (flag & 0x80) != 0;
        }
    }

    private void lengthPrefixed(Builder b, byte[] buf, int off, int len, Framing framing, boolean jsonMessages, String enc,
            String location) {
        int end = off + len;
        if (framing == Framing.GRPC_WEB_TEXT) {
            int[] stopped = new int[1];
            byte[] decoded = base64(buf, off, len, stopped);
            if (stopped[0] < end) {
                b.count(PayloadAnomaly.PAYLOAD_GRPC_INVALID);
            }
            lengthPrefixed(b, decoded, 0, decoded.length, Framing.GRPC_WEB, jsonMessages, enc, location);
            if (stopped[0] < end) {
                printableRuns(b, buf, stopped[0], end - stopped[0], location);
            }
            return;
        }
        int p = off;
        int n = 0;
        while (p < end) {
            if (n == MAX_GRPC_MESSAGES) {
                b.count(PayloadAnomaly.PAYLOAD_PROTOBUF_LIMIT);
                printableRuns(b, buf, p, end - p, location);
                return;
            }
            if (end - p < 5) {
                b.count(PayloadAnomaly.PAYLOAD_GRPC_TRUNCATED);
                return;
            }
            int flag = buf[p] & 0xff;
            long length = (buf[p + 1] & 0xffL) << 24 | (buf[p + 2] & 0xffL) << 16 | (buf[p + 3] & 0xffL) << 8 | (buf[p + 4] & 0xffL);
            if ((flag & ~framing.flags) != 0) {
                b.count(PayloadAnomaly.PAYLOAD_GRPC_INVALID);
                printableRuns(b, buf, p, end - p, location);
                return;
            }
            int from = p + 5;
            boolean cut = length > end - from;
            int to = cut ? end : from + (int) length;
            if (cut) {
                b.count(PayloadAnomaly.PAYLOAD_GRPC_TRUNCATED);
            }
            String loc = location + ":grpc[" + n + "]";
            if (framing.isTrailer(flag)) {
                // trailers (gRPC-Web) or end of stream (Connect): metadata, not a request message
            } else if ((flag & 0x01) == 0) {
                message(b, buf, from, to - from, cut, jsonMessages, loc);
            } else if (enc.equals("gzip") || enc.equals("x-gzip") || enc.equals("deflate")) {
                byte[] inflated = inflate(b, buf, from, to - from, !enc.equals("deflate"));
                if (inflated != null) {
                    message(b, inflated, 0, inflated.length, cut || b.inflateCut, jsonMessages, loc);
                } else {
                    printableRuns(b, buf, from, to - from, loc);
                }
            } else {
                // compressed with identity (a protocol error), none declared, or snappy, zstd ...
                b.count(PayloadAnomaly.PAYLOAD_GRPC_COMPRESSION_UNKNOWN);
                printableRuns(b, buf, from, to - from, loc);
            }
            n++;
            p = to;
        }
    }

    /** One message of a length-prefixed stream: JSON, or protobuf walked as far as it goes. */
    private void message(Builder b, byte[] buf, int off, int len, boolean cut, boolean json, String location) {
        if (json) {
            json(b, decode(buf, off, len), location);
        } else {
            protobuf(b, buf, off, len, cut, true, location);
        }
    }

    /**
     * Emits the strings of one protobuf message in order, each at its field path; counts and scans
     * as printable runs what could not be walked.
     *
     * @param cut whether the message may end where the body was cut
     * @param framed whether a gRPC frame holds it (its truncation is then counted by the framing)
     */
    private void protobuf(Builder b, byte[] buf, int off, int len, boolean cut, boolean framed, String location) {
        ProtobufWalker w = b.proto();
        ProtobufWalker.Status status = w.walk(buf, off, len, cut);
        w.locate(location);
        for (int i = 0; i < w.nodes(); i++) {
            int s = w.start(i);
            int e = w.end(i);
            switch (w.kind(i)) {
                case ProtobufWalker.TEXT -> text(b, buf, s, e, w.location(i));
                case ProtobufWalker.TENSOR -> {
                    // Triton's serialized BYTES tensor: 4-byte little-endian length, then the element
                    int k = 0;
                    for (int p = s; p + 4 <= e; k++) {
                        long n = (buf[p] & 0xffL) | (buf[p + 1] & 0xffL) << 8 | (buf[p + 2] & 0xffL) << 16 | (buf[p + 3] & 0xffL) << 24;
                        int to = (int) Math.min(e, p + 4 + n);
                        text(b, buf, p + 4, to, w.location(i) + "(element[" + k + "])");
                        p = to;
                    }
                }
                case ProtobufWalker.BYTES -> printableRuns(b, buf, s, e - s, w.location(i));
                default -> {
                    // a message: its fields are nodes of their own
                }
            }
        }
        if (w.tooDeep() > 0) {
            b.anomalies.merge(PayloadAnomaly.PAYLOAD_PROTOBUF_TOO_DEEP, w.tooDeep(), Integer::sum);
        }
        int end = off + len;
        // where the printable runs of what was not walked start: nothing when the message parsed with
        // strings or bytes in it; all of it when it parsed as numbers only (text sent as gRPC ...)
        int rest = status == ProtobufWalker.Status.OK || status == ProtobufWalker.Status.CUT ? end : w.stoppedAt();
        if (!w.hadLengthDelimited() && status != ProtobufWalker.Status.LIMIT) {
            rest = off;
        }
        switch (status) {
            case CUT -> {
                if (!framed) {
                    b.count(PayloadAnomaly.PAYLOAD_PROTOBUF_TRUNCATED);
                }
            }
            case INVALID -> b.count(PayloadAnomaly.PAYLOAD_PROTOBUF_INVALID);
            case LIMIT -> {
                if (!b.anomalies.containsKey(PayloadAnomaly.PAYLOAD_PROTOBUF_LIMIT)) {
                    b.count(PayloadAnomaly.PAYLOAD_PROTOBUF_LIMIT);
                }
            }
            default -> {
            }
        }
        printableRuns(b, buf, rest, end - rest, location);
    }

    /** A string field: verbatim, or through the JSON path when it is a whole JSON object or array. */
    private void text(Builder b, byte[] buf, int s, int e, String location) {
        if (e <= s) {
            return;
        }
        String t = decode(buf, s, e - s);
        if (wholeJson(t)) {
            json(b, t, location);
        } else {
            b.add(t, location, false);
        }
    }

    /** Whether {@code t} is one JSON object or array (and nothing else but white space). */
    private static boolean wholeJson(String t) {
        int i = 0;
        int j = t.length() - 1;
        while (i <= j && Character.isWhitespace(t.charAt(i))) {
            i++;
        }
        while (j > i && Character.isWhitespace(t.charAt(j))) {
            j--;
        }
        if (j <= i || !(t.charAt(i) == '{' && t.charAt(j) == '}' || t.charAt(i) == '[' && t.charAt(j) == ']')) {
            return false;
        }
        try (JsonParser p = JSON.createParser(t)) {
            JsonToken first = p.nextToken();
            p.skipChildren();
            return first != null && p.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Decodes base64 (RFC 4648 section 4) that may be several padded chunks one after the other, as
     * gRPC-Web text sends it; white space is skipped. Stops at the first other character, whose
     * offset goes to {@code stopped[0]} ({@code off + len} when all was read).
     */
    static byte[] base64(byte[] buf, int off, int len, int[] stopped) {
        byte[] out = new byte[len / 4 * 3 + 3];
        int n = 0;
        int acc = 0;
        int bits = 0;
        int i = off;
        int end = off + len;
        for (; i < end; i++) {
            int c = buf[i] & 0xff;
            int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
                    : c == '+' ? 62 : c == '/' ? 63 : -1;
            if (v >= 0) {
                acc = acc << 6 | v;
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    out[n++] = (byte) (acc >> bits);
                    acc &= (1 << bits) - 1;
                }
            } else if (c == '=') {
                // the end of a chunk: its leftover bits are padding
                acc = 0;
                bits = 0;
            } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                break;
            }
        }
        stopped[0] = i;
        return Arrays.copyOf(out, n);
    }

    // ---- HAR 1.2 (log.entries[].request: url, headers[], postData {mimeType, text, params[]}) ----

    private void har(Builder b, byte[] buf, int off, int len, String location, int nesting) {
        JsonNode root;
        try {
            root = MAPPER.readTree(new ByteArrayInputStream(buf, off, len));
        } catch (IOException | RuntimeException e) {
            b.count(PayloadAnomaly.PAYLOAD_HAR_INVALID);
            json(b, decode(buf, off, len), location);
            return;
        }
        JsonNode entries = root == null ? null : root.path("log").path("entries");
        if (entries == null || !entries.isArray()) {
            b.count(PayloadAnomaly.PAYLOAD_HAR_INVALID);
            json(b, decode(buf, off, len), location);
            return;
        }
        int n = 0;
        for (JsonNode e : entries) {
            String loc = location + ":entries[" + n++ + "]";
            JsonNode req = e.path("request");
            String url = req.path("url").asText("");
            if (!url.isEmpty()) {
                b.add("url: " + url, loc + ".url", false);
            }
            for (JsonNode h : req.path("headers")) {
                String hn = h.path("name").asText("");
                if (hn.equalsIgnoreCase("authorization") || hn.equalsIgnoreCase("cookie") || hn.toLowerCase(Locale.ROOT).contains("key")
                        || hn.toLowerCase(Locale.ROOT).contains("token")) {
                    b.add(hn + ": " + h.path("value").asText(""), loc + ".headers." + hn, false);
                }
            }
            JsonNode post = req.path("postData");
            if (post.isMissingNode()) {
                continue;
            }
            String text = post.path("text").asText(null);
            String mime = post.path("mimeType").asText(null);
            if (text != null) {
                byte[] body = text.getBytes(StandardCharsets.UTF_8);
                body(b, body, 0, body.length, mime, isLengthPrefixed(mime) ? messageEncoding(req) : null, loc + ".postData",
                        nesting + 1);
            } else {
                for (JsonNode p : post.path("params")) {
                    b.add(p.path("name").asText("") + ": " + p.path("value").asText(""), loc + ".postData.params", false);
                }
            }
        }
    }

    /** The {@code grpc-encoding} (or {@code connect-content-encoding}) header of a HAR request, or null. */
    private static String messageEncoding(JsonNode request) {
        for (JsonNode h : request.path("headers")) {
            String name = h.path("name").asText("");
            if (name.equalsIgnoreCase("grpc-encoding") || name.equalsIgnoreCase("connect-content-encoding")) {
                return h.path("value").asText(null);
            }
        }
        return null;
    }

    /** Accumulates the decoded text. */
    private static final class Builder {
        final StringBuilder text = new StringBuilder();
        final List<Segment> segments = new ArrayList<>();
        final Map<PayloadAnomaly, Integer> anomalies = new EnumMap<>(PayloadAnomaly.class);
        String api;
        /** Bytes inflated so far, by every compressed part together (capped at maxBytes). */
        int inflated;
        /** Whether the last inflate stopped before the end of its stream (cap, corrupt or truncated). */
        boolean inflateCut;
        /** The protobuf walker of this body (its field budget is per body), made when first needed. */
        ProtobufWalker proto;

        ProtobufWalker proto() {
            if (proto == null) {
                proto = new ProtobufWalker(MAX_PROTOBUF_DEPTH, MAX_PROTOBUF_FIELDS);
            }
            return proto;
        }

        void add(String piece, String location, boolean prompt) {
            if (piece.isEmpty()) {
                return;
            }
            if (text.length() > 0) {
                text.append('\n');
            }
            int start = text.length();
            text.append(piece);
            segments.add(new Segment(start, text.length(), location, prompt));
        }

        void count(PayloadAnomaly a) {
            anomalies.merge(a, 1, Integer::sum);
        }
    }
}

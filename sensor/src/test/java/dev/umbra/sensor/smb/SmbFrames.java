package dev.umbra.sensor.smb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * SMB frames for tests, as a client and a server put them on the wire (MS-SMB2 2.2.1, 2.2.3-2.2.6, 2.2.9;
 * MS-NLMP 2.2.1.3; RFC 4178 for SPNEGO). Challenge responses are random-looking filler, no real
 * credentials.
 */
public final class SmbFrames {
    /** STATUS_MORE_PROCESSING_REQUIRED: the first leg of NTLM. */
    public static final int MORE_PROCESSING = 0xc0000016;
    /** STATUS_LOGON_FAILURE: a wrong password. */
    public static final int LOGON_FAILURE = 0xc000006d;

    private static final int NEGOTIATE = 0;
    private static final int SESSION_SETUP = 1;
    private static final int TREE_CONNECT = 3;

    private SmbFrames() {
    }

    /** A NetBIOS session message holding these SMB2 messages, chained as a compound when more than one. */
    public static byte[] frame(byte[]... messages) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < messages.length; i++) {
            byte[] m = messages[i].clone();
            if (i + 1 < messages.length) {
                int padded = (m.length + 7) & ~7;
                le32(m, 20, padded);
                body.writeBytes(m);
                body.writeBytes(new byte[padded - m.length]);
            } else {
                body.writeBytes(m);
            }
        }
        byte[] b = body.toByteArray();
        byte[] f = new byte[4 + b.length];
        f[1] = (byte) (b.length >>> 16);
        f[2] = (byte) (b.length >>> 8);
        f[3] = (byte) b.length;
        System.arraycopy(b, 0, f, 4, b.length);
        return f;
    }

    /** Frames one after another, as a TCP segment may carry them. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** An SMB2 NEGOTIATE request or response (the body is not read). */
    public static byte[] negotiate(long messageId, boolean response) {
        return message(NEGOTIATE, messageId, response, 0, new byte[36]);
    }

    /** An SMB2 TREE_CONNECT request or response: the session is set up. */
    public static byte[] treeConnect(long messageId, boolean response) {
        return message(TREE_CONNECT, messageId, response, 0, new byte[16]);
    }

    /** A SESSION_SETUP request carrying {@code securityBuffer}. */
    public static byte[] sessionSetupRequest(long messageId, byte[] securityBuffer) {
        byte[] body = new byte[24 + securityBuffer.length];
        le16(body, 0, 25);
        le16(body, 12, 64 + 24);
        le16(body, 14, securityBuffer.length);
        System.arraycopy(securityBuffer, 0, body, 24, securityBuffer.length);
        return message(SESSION_SETUP, messageId, false, 0, body);
    }

    /** A SESSION_SETUP response with this status and these SessionFlags. */
    public static byte[] sessionSetupResponse(long messageId, int status, int sessionFlags) {
        byte[] body = new byte[8 + 9];
        le16(body, 0, 9);
        le16(body, 2, sessionFlags);
        le16(body, 4, 64 + 8);
        le16(body, 6, 9);
        return message(SESSION_SETUP, messageId, true, status, body);
    }

    /** An SMB1 NEGOTIATE, as an older client opens with to offer SMB2 dialects. */
    public static byte[] smb1Negotiate() {
        byte[] m = new byte[32 + 3];
        m[0] = (byte) 0xff;
        m[1] = 'S';
        m[2] = 'M';
        m[3] = 'B';
        m[4] = 0x72;
        return m;
    }

    /** An SMB1 SESSION_SETUP_ANDX request with extended security carrying {@code blob} (MS-SMB 2.2.4.6.1). */
    public static byte[] smb1SessionSetupRequest(int pid, int mid, byte[] blob) {
        byte[] m = smb1Header(0x73, pid, mid, false, 0, 12, 2 + blob.length + 4);
        m[33] = (byte) 0xff; // no AndX command
        le16(m, 47, blob.length);
        le16(m, 57, blob.length + 4);
        System.arraycopy(blob, 0, m, 59, blob.length);
        return m; // NativeOS and NativeLanMan: four zero bytes after the blob
    }

    /** An SMB1 SESSION_SETUP_ANDX response (MS-SMB 2.2.4.6.2) with this NT status and Action (bit 0: guest). */
    public static byte[] smb1SessionSetupResponse(int pid, int mid, int status, int action) {
        byte[] m = smb1Header(0x73, pid, mid, true, status, 4, 2);
        m[33] = (byte) 0xff;
        le16(m, 37, action);
        return m;
    }

    private static byte[] smb1Header(int command, int pid, int mid, boolean reply, int status, int words, int bytes) {
        byte[] m = new byte[32 + 1 + 2 * words + bytes];
        m[0] = (byte) 0xff;
        m[1] = 'S';
        m[2] = 'M';
        m[3] = 'B';
        m[4] = (byte) command;
        le32(m, 5, status);
        m[9] = (byte) (reply ? 0x98 : 0x18);
        le16(m, 10, 0xc807); // Unicode, NT status, extended security, long names
        le16(m, 26, pid);
        le16(m, 30, mid);
        m[32] = (byte) words;
        return m;
    }

    /**
     * An NTLM AUTHENTICATE_MESSAGE with NTLMv2-sized responses (filler), the domain, user and workstation in
     * UTF-16LE or OEM, inside a SPNEGO NegTokenResp unless {@code raw}.
     */
    public static byte[] ntlmAuthenticate(String domain, String user, String workstation, boolean unicode, boolean raw) {
        byte[] d = text(domain, unicode);
        byte[] u = text(user, unicode);
        byte[] w = text(workstation, unicode);
        byte[] lm = new byte[24];
        byte[] nt = new byte[300];
        for (int i = 0; i < nt.length; i++) {
            nt[i] = (byte) (i * 37 + 11);
        }
        byte[] key = new byte[16];
        int payload = 88; // fixed part, version and MIC
        byte[] m = new byte[payload + lm.length + nt.length + d.length + u.length + w.length + key.length];
        System.arraycopy("NTLMSSP\0".getBytes(StandardCharsets.US_ASCII), 0, m, 0, 8);
        m[8] = 3;
        int at = payload;
        at = field(m, 12, lm, at);
        at = field(m, 20, nt, at);
        at = field(m, 28, d, at);
        at = field(m, 36, u, at);
        at = field(m, 44, w, at);
        field(m, 52, key, at);
        le32(m, 60, 0xe2888215 & (unicode ? ~0 : ~1));
        return raw ? m : spnegoResponse(m);
    }

    /** A SPNEGO NegTokenInit with a Kerberos-looking token: names no one. */
    public static byte[] spnegoKerberos() {
        byte[] token = new byte[200];
        token[0] = 0x60;
        token[1] = (byte) 0x81;
        token[2] = (byte) 197;
        return der(0xa0, der(0x30, der(0xa2, der(0x04, token))));
    }

    private static byte[] spnegoResponse(byte[] ntlm) {
        return der(0xa1, der(0x30, der(0xa2, der(0x04, ntlm))));
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] header = n < 0x80 ? new byte[] {(byte) tag, (byte) n}
                : n < 0x100 ? new byte[] {(byte) tag, (byte) 0x81, (byte) n}
                : new byte[] {(byte) tag, (byte) 0x82, (byte) (n >>> 8), (byte) n};
        return concat(header, content);
    }

    private static byte[] message(int command, long messageId, boolean response, int status, byte[] body) {
        byte[] m = new byte[64 + body.length];
        m[0] = (byte) 0xfe;
        m[1] = 'S';
        m[2] = 'M';
        m[3] = 'B';
        le16(m, 4, 64);
        le32(m, 8, status);
        le16(m, 12, command);
        le32(m, 16, response ? 1 : 0);
        le32(m, 24, (int) messageId);
        le32(m, 28, (int) (messageId >>> 32));
        System.arraycopy(body, 0, m, 64, body.length);
        return m;
    }

    private static byte[] text(String s, boolean unicode) {
        return s.getBytes(unicode ? StandardCharsets.UTF_16LE : StandardCharsets.US_ASCII);
    }

    private static int field(byte[] m, int descriptor, byte[] value, int offset) {
        le16(m, descriptor, value.length);
        le16(m, descriptor + 2, value.length);
        le32(m, descriptor + 4, offset);
        System.arraycopy(value, 0, m, offset, value.length);
        return offset + value.length;
    }

    static void le16(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
    }

    static void le32(byte[] b, int p, int v) {
        le16(b, p, v);
        le16(b, p + 2, v >>> 16);
    }
}

package dev.umbra.sensor.smb;

import dev.umbra.sensor.http.ProxyAuth;

/*
 * Design notes.
 *
 * A user who opens a file share with NTLM (a share named by address, a host outside the domain, a
 * client that falls back from Kerberos) sends an NTLM AUTHENTICATE_MESSAGE in the second SESSION_SETUP
 * request of the connection, and its domain and user name are in the clear (MS-NLMP 2.2.1.3; read by
 * ProxyAuth, which reads the same message in Proxy-Authorization). The server's SESSION_SETUP response
 * with the same MessageId says whether it accepted them. SMB1 (older clients and devices) carries the same
 * message in SESSION_SETUP_ANDX, paired with its response by PID and MID. Only the set-up is read:
 * NEGOTIATE and SESSION_SETUP messages; any other command (TREE_CONNECT first) means the session is set
 * up, and the rest of the connection (file data) is not Umbra's business.
 *
 * Kerberos in a SESSION_SETUP (an AP-REQ) names no one in the clear; the KDC's TGS-REP for the cifs/
 * service does (KdcReplyParser).
 *
 * Formats:
 *   RFC 1002 4.3.1 / MS-SMB2 2.1  a frame: type (1; 0x00 session message), length (3, big-endian); over
 *                                 port 139 other types (session request 0x81, positive response 0x82,
 *                                 keep-alive 0x85) carry no SMB
 *   MS-SMB2 2.2.1                 header (64): ProtocolId FE 'S' 'M' 'B', StructureSize 64 (LE16 @4),
 *                                 Status (LE32 @8, responses), Command (LE16 @12), Flags (LE32 @16;
 *                                 0x1 SERVER_TO_REDIR: a response), NextCommand (LE32 @20; 8-aligned offset
 *                                 of the next header of a compound, 0 for the last), MessageId (LE64 @24)
 *   MS-SMB2 2.2.5                 SESSION_SETUP request: StructureSize 25 (LE16), Flags, SecurityMode,
 *                                 Capabilities (4), Channel (4), SecurityBufferOffset (LE16 @12, from the
 *                                 header), SecurityBufferLength (LE16 @14), PreviousSessionId (8), Buffer
 *   MS-SMB2 2.2.6                 SESSION_SETUP response: StructureSize 9, SessionFlags (LE16 @2: 0x1
 *                                 IS_GUEST, 0x2 IS_NULL), SecurityBufferOffset, SecurityBufferLength
 *   MS-SMB2 2.2.41 / 2.2.42       FD 'S' 'M' 'B' (encrypted) and FC 'S' 'M' 'B' (compressed): after set-up
 *   MS-CIFS 2.2.3.1               FF 'S' 'M' 'B': SMB1; a 32-byte header: Command @4, Status (LE32 @5, NT
 *                                 status), Flags @9 (0x80: a reply), PIDLow (LE16 @26), MID (LE16 @30);
 *                                 then WordCount, words, ByteCount, bytes. Its NEGOTIATE (0x72) may
 *                                 offer SMB2 dialects first; an SMB1 session is set up by
 *   MS-SMB 2.2.4.6                SESSION_SETUP_ANDX (0x73) with extended security: a request of 12
 *                                 words (SecurityBlobLength word 7), the blob first in its bytes; a
 *                                 response of 4 words, Action word 2 (bit 0: a guest)
 */
/**
 * One SMB2 or SMB1 message of a session's set-up, read from a whole frame: who a SESSION_SETUP (SMB1:
 * SESSION_SETUP_ANDX) request names (NTLM), and what the server answered. Parsing never throws.
 *
 * @param kind what the message is
 * @param messageId what pairs a request with its response: SMB2's MessageId, SMB1's PID and MID
 * @param status the response's NT status (0 for success), 0 for requests
 * @param sessionFlags the response's SessionFlags ({@link #IS_GUEST}, {@link #IS_NULL}; an SMB1 guest
 *     Action as IS_GUEST)
 * @param user the DOMAIN\\user of a request's NTLM AUTHENTICATE_MESSAGE, or null
 * @param next offset in the buffer of the next message of a compound, or 0 when there is none
 */
public record SmbMessage(Kind kind, long messageId, int status, int sessionFlags, String user, int next) {
    /** What a frame or message is. */
    public enum Kind {
        /** A SESSION_SETUP (SMB1: SESSION_SETUP_ANDX) request. */
        SESSION_SETUP_REQUEST,
        /** A SESSION_SETUP response. */
        SESSION_SETUP_RESPONSE,
        /** A message that comes before the session set-up (NEGOTIATE, SMB1's too). */
        BEFORE_SETUP,
        /** Any other message: the session is set up, nothing more to read on this connection. */
        AFTER_SETUP,
        /** Not SMB, or an SMB message whose fields break the format. */
        MALFORMED
    }

    /** Frame header bytes. */
    public static final int FRAME_HEADER = 4;
    /**
     * The longest frame read (header included): a SESSION_SETUP holds one security token, an NTLM one 1 to
     * 2 KB, a Kerberos one with a PAC tens of KB.
     */
    public static final int MAX_FRAME = 64 * 1024;
    /** SessionFlags: the session is a guest's. */
    public static final int IS_GUEST = 0x1;
    /** SessionFlags: the session is anonymous. */
    public static final int IS_NULL = 0x2;
    /** Fewer than {@link #FRAME_HEADER} bytes: the frame's length is not known yet. */
    public static final int NEED_MORE = -1;

    private static final int HEADER = 64;
    private static final int COMMAND_NEGOTIATE = 0;
    private static final int COMMAND_SESSION_SETUP = 1;
    private static final int FLAG_RESPONSE = 0x1;
    private static final int SMB1_HEADER = 32;
    private static final int SMB1_NEGOTIATE = 0x72;
    private static final int SMB1_SESSION_SETUP_ANDX = 0x73;
    private static final int SMB1_FLAGS_REPLY = 0x80;
    private static final int MAX_COMPOUND = 16;
    private static final SmbMessage BEFORE = new SmbMessage(Kind.BEFORE_SETUP, 0, 0, 0, null, 0);
    private static final SmbMessage AFTER = new SmbMessage(Kind.AFTER_SETUP, 0, 0, 0, null, 0);
    private static final SmbMessage BAD = new SmbMessage(Kind.MALFORMED, 0, 0, 0, null, 0);

    /** The length of the frame starting at {@code b[p]}, its header included, or {@link #NEED_MORE}. */
    public static int frameLength(byte[] b, int p, int have) {
        if (have < FRAME_HEADER) {
            return NEED_MORE;
        }
        // RFC 1002: a flags byte whose low bit extends the 16-bit length; MS-SMB2 direct TCP: a 24-bit
        // length; the same number for every frame shorter than 128 KiB, the only ones read
        return FRAME_HEADER + ((b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff);
    }

    /**
     * Whether the frame starting at {@code b[p]} ({@code have} bytes of it present, at least
     * {@link #FRAME_HEADER}) may be a set-up message worth waiting for: a session message no longer than
     * {@link #MAX_FRAME} whose first bytes, as far as present, are an SMB1 or SMB2 NEGOTIATE or SESSION_SETUP.
     */
    public static boolean mayBeSetup(byte[] b, int p, int have) {
        int type = b[p] & 0xff;
        if (type != 0) {
            return type == 0x81 || type == 0x82 || type == 0x83 || type == 0x85;
        }
        if (frameLength(b, p, have) > MAX_FRAME) {
            return false;
        }
        int h = p + FRAME_HEADER;
        int present = have - FRAME_HEADER;
        int first = present > 0 ? b[h] & 0xff : 0xfe;
        if (first == 0xff) {
            return present < 5 || b[h + 4] == SMB1_NEGOTIATE || b[h + 4] == SMB1_SESSION_SETUP_ANDX;
        }
        if (first != 0xfe) {
            return false;
        }
        return present < HEADER || le16(b, h + 12) <= COMMAND_SESSION_SETUP;
    }

    /**
     * Reads the message at {@code b[h, end)}: the first of a frame's payload (after its 4-byte header) or
     * the {@link #next} of an earlier one. {@code end} is the frame's end.
     */
    public static SmbMessage parse(byte[] b, int h, int end) {
        if (end - h < 4) {
            return BAD;
        }
        int id = (b[h] & 0xff) << 24 | (b[h + 1] & 0xff) << 16 | (b[h + 2] & 0xff) << 8 | b[h + 3] & 0xff;
        if (id == 0xff534d42) {
            return smb1(b, h, end);
        }
        if (id == 0xfd534d42 || id == 0xfc534d42) {
            return AFTER; // encrypted or compressed: a session set up
        }
        if (id != 0xfe534d42 || end - h < HEADER || le16(b, h + 4) != HEADER) {
            return BAD;
        }
        int command = le16(b, h + 12);
        boolean response = (le32(b, h + 16) & FLAG_RESPONSE) != 0;
        long nextCommand = le32(b, h + 20) & 0xffffffffL;
        int messageEnd = end;
        int next = 0;
        if (nextCommand != 0) {
            if ((nextCommand & 7) != 0 || nextCommand < HEADER || nextCommand > end - h - HEADER) {
                return BAD;
            }
            next = h + (int) nextCommand;
            messageEnd = next;
        }
        if (command == COMMAND_NEGOTIATE) {
            return next == 0 ? BEFORE : new SmbMessage(Kind.BEFORE_SETUP, 0, 0, 0, null, next);
        }
        if (command != COMMAND_SESSION_SETUP) {
            return AFTER;
        }
        long messageId = le64(b, h + 24);
        int body = h + HEADER;
        if (response) {
            int status = le32(b, h + 8);
            if (status != 0) {
                // an error response (MS-SMB2 2.2.2), or MORE_PROCESSING_REQUIRED with the server's next token
                return new SmbMessage(Kind.SESSION_SETUP_RESPONSE, messageId, status, 0, null, next);
            }
            if (messageEnd - body < 8 || le16(b, body) != 9) {
                return BAD;
            }
            return new SmbMessage(Kind.SESSION_SETUP_RESPONSE, messageId, 0, le16(b, body + 2), null, next);
        }
        if (messageEnd - body < 24 || le16(b, body) != 25) {
            return BAD;
        }
        int bufferOffset = le16(b, body + 12);
        int bufferLength = le16(b, body + 14);
        int buffer = h + bufferOffset;
        if (bufferLength > 0 && (bufferOffset < HEADER + 24 || bufferLength > messageEnd - buffer)) {
            return BAD;
        }
        String user = null;
        int at = bufferLength == 0 ? -1 : ProxyAuth.ntlmMessage(b, buffer, buffer + bufferLength);
        if (at >= 0) {
            user = ProxyAuth.ntlmUser(b, at, buffer + bufferLength);
        }
        return new SmbMessage(Kind.SESSION_SETUP_REQUEST, messageId, 0, 0, user, next);
    }

    /**
     * An SMB1 message (MS-CIFS 2.2.3.1: a 32-byte header, then WordCount, the words, ByteCount, the bytes):
     * its NEGOTIATE comes before the set-up, its SESSION_SETUP_ANDX is read, anything else comes after.
     */
    private static SmbMessage smb1(byte[] b, int h, int end) {
        if (end - h < 5) {
            return BAD;
        }
        int command = b[h + 4] & 0xff;
        if (command == SMB1_NEGOTIATE) {
            return BEFORE;
        }
        if (command != SMB1_SESSION_SETUP_ANDX) {
            return AFTER;
        }
        if (end - h < SMB1_HEADER + 3) {
            return BAD;
        }
        // PID (low) and MID pair a request with its response (MS-CIFS 3.2.4.1.3)
        long messageId = (long) le16(b, h + 26) << 16 | le16(b, h + 30);
        int words = h + SMB1_HEADER + 1;
        int wordCount = b[h + SMB1_HEADER] & 0xff;
        if (words + 2 * wordCount + 2 > end) {
            return BAD;
        }
        if ((b[h + 9] & SMB1_FLAGS_REPLY) != 0) {
            int status = le32(b, h + 5); // NT status: clients that offer extended security ask for it
            if (status != 0) {
                return new SmbMessage(Kind.SESSION_SETUP_RESPONSE, messageId, status, 0, null, 0);
            }
            if (wordCount < 3) {
                return BAD;
            }
            // Action, after the AndX command, reserved byte and offset: bit 0 SMB_SETUP_GUEST
            int action = le16(b, words + 4);
            return new SmbMessage(Kind.SESSION_SETUP_RESPONSE, messageId, 0, (action & 1) != 0 ? IS_GUEST : 0, null, 0);
        }
        if (wordCount != 12) {
            // 13 words: the client sent LM and NT responses and its account name without NTLMSSP (no
            // extended security), not read; 10: a client of the LAN Manager era
            return new SmbMessage(Kind.SESSION_SETUP_REQUEST, messageId, 0, 0, null, 0);
        }
        // MS-SMB 2.2.4.6.1: SecurityBlobLength is word 7; the blob starts the bytes
        int blobLength = le16(b, words + 14);
        int bytes = words + 2 * wordCount + 2;
        if (blobLength > le16(b, bytes - 2) || blobLength > end - bytes) {
            return BAD;
        }
        int at = blobLength == 0 ? -1 : ProxyAuth.ntlmMessage(b, bytes, bytes + blobLength);
        String user = at < 0 ? null : ProxyAuth.ntlmUser(b, at, bytes + blobLength);
        return new SmbMessage(Kind.SESSION_SETUP_REQUEST, messageId, 0, 0, user, 0);
    }

    /** The most messages of one compound read; a longer chain is cut there. */
    public static int maxCompound() {
        return MAX_COMPOUND;
    }

    private static int le16(byte[] b, int p) {
        return b[p] & 0xff | (b[p + 1] & 0xff) << 8;
    }

    private static int le32(byte[] b, int p) {
        return b[p] & 0xff | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    private static long le64(byte[] b, int p) {
        return le32(b, p) & 0xffffffffL | (long) le32(b, p + 4) << 32;
    }
}

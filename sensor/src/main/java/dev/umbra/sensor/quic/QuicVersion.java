package dev.umbra.sensor.quic;

/**
 * What differs between the QUIC versions whose Initial packets Umbra opens: the salt of the
 * initial secret, the HKDF labels, the long-header type code of an Initial and the CRYPTO frame type.
 *
 * <pre>
 * RFC 9001 5.2   v1 salt 0x38762cf7f55934b34d179ae6a4c80cadccbb7f0a, labels "quic key|iv|hp", Initial type 0
 * RFC 9369 3.3   v2 (0x6b3343cf) salt 0x0dede3def700a6db819381be6e269dcbf9bd2ed9, labels "quicv2 key|iv|hp",
 *                Initial type 1
 * drafts (0xff0000NN): NN <= 22 salt 7fbcdb0e..., 23..28 salt c3eef712..., 29..32 salt afbfec28...,
 *                33..34 the v1 salt
 * mvfst (Facebook): 0xfaceb001 as draft 22; 0xfaceb002 and 0xfaceb00e as draft 27
 * reserved 0x?a?a?a?a (RFC 9000 15): as draft 29
 * Google T050 / T051 (0x54303530 / 0x54303531): TLS inside gQUIC framing, own salts, CRYPTO frame 0x08
 * </pre>
 *
 * The salts are the ones published in the drafts and used by Wireshark and nDPI.
 */
enum QuicVersion {
    V1(hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"), "quic ", 0, 0x06),
    V2(hex("0dede3def700a6db819381be6e269dcbf9bd2ed9"), "quicv2 ", 1, 0x06),
    DRAFT_29(hex("afbfec289993d24c9e9786f19c6111e04390a899"), "quic ", 0, 0x06),
    DRAFT_23(hex("c3eef712c72ebb5a11a7d2432bb46365bef9f502"), "quic ", 0, 0x06),
    DRAFT_22(hex("7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a"), "quic ", 0, 0x06),
    T050(hex("7ff579e5acd072915580304c43a2367c60488310"), "quic ", 0, 0x08),
    T051(hex("7a4edef4e7ccee5fa4506c19124fc8ccda6e033d"), "quic ", 0, 0x08);

    final byte[] salt;
    final int initialType;
    final int cryptoFrameType;
    // the HKDF-Expand-Label infos of the packet key, IV and header protection key
    final byte[] keyInfo;
    final byte[] ivInfo;
    final byte[] hpInfo;

    QuicVersion(byte[] salt, String labelPrefix, int initialType, int cryptoFrameType) {
        this.salt = salt;
        this.keyInfo = InitialKeys.labelInfo(labelPrefix + "key", 16);
        this.ivInfo = InitialKeys.labelInfo(labelPrefix + "iv", 12);
        this.hpInfo = InitialKeys.labelInfo(labelPrefix + "hp", 16);
        this.initialType = initialType;
        this.cryptoFrameType = cryptoFrameType;
    }

    /** The version for a wire version number, or {@code null} when Umbra cannot open its Initials. */
    static QuicVersion of(int wire) {
        switch (wire) {
            case 0x00000001:
                return V1;
            case 0x6b3343cf:
                return V2;
            case 0xfaceb001:
                return DRAFT_22;
            case 0xfaceb002:
            case 0xfaceb00e:
                return DRAFT_23;
            case 0x54303530:
                return T050;
            case 0x54303531:
                return T051;
            default:
                break;
        }
        if ((wire & 0x0f0f0f0f) == 0x0a0a0a0a) {
            // RFC 9000 15: reserved versions that force version negotiation; clients that send them
            // (quic-interop-runner's "V" test, quic-go) protect the Initial with their default keys,
            // the draft-29 ones in the corpus (tshark opens them the same way)
            return DRAFT_29;
        }
        if ((wire & 0xffffff00) == 0xff000000) {
            int draft = wire & 0xff;
            if (draft <= 22) {
                return DRAFT_22;
            }
            if (draft <= 28) {
                return DRAFT_23;
            }
            if (draft <= 32) {
                return DRAFT_29;
            }
            if (draft <= 34) {
                return V1;
            }
        }
        return null;
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}

package dev.umbra.sensor.kerberos;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds DER (X.690) encodings of Kerberos messages (RFC 4120 5) for tests. */
public final class Der {
    private Der() {
    }

    /** A tag, its length (short or long form), then the contents. */
    public static byte[] tlv(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] c : contents) {
            body.writeBytes(c);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = body.size();
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** An INTEGER in its shortest two's complement form. */
    public static byte[] integer(int v) {
        int bytes = 1;
        while (bytes < 4 && (v >> (8 * bytes - 1)) != 0 && (v >> (8 * bytes - 1)) != -1) {
            bytes++;
        }
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (v >> (8 * (bytes - 1 - i)));
        }
        return tlv(0x02, b);
    }

    /** A GeneralString (KerberosString). */
    public static byte[] string(String s) {
        return tlv(0x1b, s.getBytes(StandardCharsets.UTF_8));
    }

    /** PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString } */
    public static byte[] principal(int nameType, String... components) {
        byte[][] strings = new byte[components.length][];
        for (int i = 0; i < components.length; i++) {
            strings[i] = string(components[i]);
        }
        return tlv(0x30, tlv(0xa0, integer(nameType)), tlv(0xa1, tlv(0x30, strings)));
    }

    /**
     * An AS-REP (msgType 11) or TGS-REP (13): pvno 5, padata (PA-ETYPE-INFO2 with a salt) when asked, the
     * client's realm and name, a ticket for krbtgt and an encrypted part of opaque bytes.
     */
    public static byte[] kdcReply(int msgType, boolean padata, String realm, byte[] cname) {
        byte[] etypeInfo = tlv(0x30, tlv(0xa1, integer(19)), tlv(0xa2, tlv(0x04,
                tlv(0x30, tlv(0x30, tlv(0xa0, integer(18)), tlv(0xa1, string(realm + "alice")))))));
        byte[] ticket = tlv(0x61, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, string(realm)),
                tlv(0xa2, principal(2, "krbtgt", realm)),
                tlv(0xa3, tlv(0x30, tlv(0xa0, integer(18)), tlv(0xa1, integer(1)), tlv(0xa2, tlv(0x04, new byte[300]))))));
        byte[] encPart = tlv(0x30, tlv(0xa0, integer(18)), tlv(0xa1, integer(2)), tlv(0xa2, tlv(0x04, new byte[200])));
        byte[] body = padata
                ? tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(msgType)), tlv(0xa2, tlv(0x30, etypeInfo)),
                        tlv(0xa3, string(realm)), tlv(0xa4, cname), tlv(0xa5, ticket), tlv(0xa6, encPart))
                : tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(msgType)), tlv(0xa3, string(realm)),
                        tlv(0xa4, cname), tlv(0xa5, ticket), tlv(0xa6, encPart));
        return tlv(0x60 | msgType, body);
    }
}

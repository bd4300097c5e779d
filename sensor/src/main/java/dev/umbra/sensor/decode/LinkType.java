package dev.umbra.sensor.decode;

/** LINKTYPE_ values (https://www.tcpdump.org/linktypes.html) the decoder understands. */
public final class LinkType {
    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    public static final int PPP = 9;
    /** DLT_RAW on most systems. */
    public static final int RAW_DLT12 = 12;
    /** DLT_RAW on OpenBSD. */
    public static final int RAW_DLT14 = 14;
    public static final int PPP_HDLC = 50;
    public static final int PPP_ETHER = 51;
    public static final int RAW = 101;
    /** IEEE 802.11 without radio header. */
    public static final int IEEE802_11 = 105;
    public static final int LOOP = 108;
    public static final int LINUX_SLL = 113;
    public static final int ARCNET_LINUX = 129;
    /** DLT_USER2, which Darwin uses for PKTAP. */
    public static final int USER2 = 149;
    public static final int PPI = 192;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int NFLOG = 239;
    public static final int PKTAP = 258;
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }
}

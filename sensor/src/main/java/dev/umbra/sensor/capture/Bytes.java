package dev.umbra.sensor.capture;

/** Absolute-offset integer reads in either byte order. Callers check bounds. */
final class Bytes {
    private Bytes() {
    }

    static int u16(byte[] b, int i, boolean bigEndian) {
        return bigEndian
                ? ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)
                : ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
    }

    static long u32(byte[] b, int i, boolean bigEndian) {
        return i32(b, i, bigEndian) & 0xffffffffL;
    }

    static int i32(byte[] b, int i, boolean bigEndian) {
        return bigEndian
                ? ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff)
                : ((b[i + 3] & 0xff) << 24) | ((b[i + 2] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
    }
}

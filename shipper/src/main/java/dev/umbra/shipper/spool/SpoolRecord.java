package dev.umbra.shipper.spool;

/**
 * One record read back from the spool.
 *
 * @param seq its sequence number, increasing in append order, unique for the life of the spool
 * @param payload the bytes appended
 */
public record SpoolRecord(long seq, byte[] payload) {
}

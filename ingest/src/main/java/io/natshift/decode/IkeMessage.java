package io.natshift.decode;

import java.util.List;

/**
 * One decoded IKE message with the addressing it travelled under. Addresses are kept as bytes
 * ({@code ipVersion} says 4 or 16 of them) and rendered only when output needs text.
 * Arrays are owned by this record and never modified after decoding.
 *
 * @param ikeFragmentNumber fragment number when readable in cleartext, else -1
 * @param ikeFragmentTotal  total fragments when readable in cleartext, else -1
 */
public record IkeMessage(
        int ipVersion,
        byte[] srcAddr,
        int srcPort,
        byte[] dstAddr,
        int dstPort,
        boolean natT,
        long initiatorSpi,
        long responderSpi,
        int majorVersion,
        int minorVersion,
        int exchangeType,
        int flags,
        long messageId,
        int nextPayload,
        long length,
        boolean encrypted,
        int[] payloads,
        int[] notifyTypes,
        List<byte[]> vendorIds,
        boolean natDetection,
        boolean ipFragment,
        boolean ikeFragment,
        int ikeFragmentNumber,
        int ikeFragmentTotal,
        int frameLength) implements DecodeResult {

    public String srcAddrText() {
        return Addresses.format(srcAddr);
    }

    public String dstAddrText() {
        return Addresses.format(dstAddr);
    }
}

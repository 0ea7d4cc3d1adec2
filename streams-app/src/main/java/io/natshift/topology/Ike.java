package io.natshift.topology;

/**
 * The few IKE facts the tracker reasons with: exchange types, flags and payload numbers of
 * ISAKMP/IKEv1 (RFC 2408, RFC 2409) and IKEv2 (RFC 7296), and the names outputs print.
 */
final class Ike {
    static final int V1_MAIN = 2;
    static final int V1_AGGRESSIVE = 4;
    static final int V1_INFORMATIONAL = 5;
    static final int V1_QUICK = 32;
    static final int V2_IKE_SA_INIT = 34;
    static final int V2_IKE_AUTH = 35;
    static final int V2_CREATE_CHILD_SA = 36;
    static final int V2_INFORMATIONAL = 37;

    static final int V2_FLAG_INITIATOR = 0x08;
    static final int V2_FLAG_RESPONSE = 0x20;

    /** Security Association payload: the first payload of the first two phase 1 messages. */
    static final int PAYLOAD_SA = 1;

    static final int IKE_PORT = 500;
    static final int NAT_T_PORT = 4500;

    // phase bits (one int per view): IKEv1
    static final int MAIN_1 = 0;          // main-1..main-6: bits 0..5
    static final int AGGRESSIVE_1 = 6;    // aggressive-1..3: bits 6..8
    static final int QUICK_1 = 9;         // quick-1..3: bits 9..11
    static final int INFO_INITIATOR = 12;
    static final int INFO_RESPONDER = 13;
    // IKEv2: bit (exchange - 34) * 2 + (response ? 1 : 0), bits 0..7

    private Ike() {
    }

    static boolean isStandardPort(int port) {
        return port == IKE_PORT || port == NAT_T_PORT;
    }

    static String exchangeName(int version, int exchangeType) {
        if (version == 2) {
            return switch (exchangeType) {
                case V2_IKE_SA_INIT -> "IKE_SA_INIT";
                case V2_IKE_AUTH -> "IKE_AUTH";
                case V2_CREATE_CHILD_SA -> "CREATE_CHILD_SA";
                case V2_INFORMATIONAL -> "INFORMATIONAL";
                default -> "exchange-" + exchangeType;
            };
        }
        return switch (exchangeType) {
            case V1_MAIN -> "main";
            case V1_AGGRESSIVE -> "aggressive";
            case V1_INFORMATIONAL -> "informational";
            case V1_QUICK -> "quick";
            default -> "exchange-" + exchangeType;
        };
    }

    private static final String[] V2_PHASES = {
        "IKE_SA_INIT-request", "IKE_SA_INIT-response", "IKE_AUTH-request", "IKE_AUTH-response",
        "CREATE_CHILD_SA-request", "CREATE_CHILD_SA-response", "INFORMATIONAL-request", "INFORMATIONAL-response"};
    private static final String[] V1_PHASES = {
        "main-1", "main-2", "main-3", "main-4", "main-5", "main-6", "aggressive-1", "aggressive-2", "aggressive-3",
        "quick-1", "quick-2", "quick-3", "informational-initiator", "informational-responder"};

    static java.util.List<String> phaseNames(int version, int bits) {
        String[] names = version == 2 ? V2_PHASES : V1_PHASES;
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1 << i)) != 0) {
                out.add(names[i]);
            }
        }
        return out;
    }

    /** Error notifies: IKEv1 types 1..8191 (RFC 2408 3.14.1), IKEv2 types 1..16383 (RFC 7296 3.10.1). */
    static boolean isErrorNotify(int version, int type) {
        return type > 0 && type < (version == 2 ? 16384 : 8192);
    }

    static String notifyName(int version, int type) {
        String name = version == 2 ? v2Notify(type) : v1Notify(type);
        return name != null ? name : "NOTIFY-" + type;
    }

    private static String v2Notify(int type) {
        return switch (type) {
            case 1 -> "UNSUPPORTED_CRITICAL_PAYLOAD";
            case 4 -> "INVALID_IKE_SPI";
            case 5 -> "INVALID_MAJOR_VERSION";
            case 7 -> "INVALID_SYNTAX";
            case 9 -> "INVALID_MESSAGE_ID";
            case 11 -> "INVALID_SPI";
            case 14 -> "NO_PROPOSAL_CHOSEN";
            case 17 -> "INVALID_KE_PAYLOAD";
            case 24 -> "AUTHENTICATION_FAILED";
            case 34 -> "SINGLE_PAIR_REQUIRED";
            case 35 -> "NO_ADDITIONAL_SAS";
            case 36 -> "INTERNAL_ADDRESS_FAILURE";
            case 37 -> "FAILED_CP_REQUIRED";
            case 38 -> "TS_UNACCEPTABLE";
            case 39 -> "INVALID_SELECTORS";
            case 43 -> "TEMPORARY_FAILURE";
            case 44 -> "CHILD_SA_NOT_FOUND";
            default -> null;
        };
    }

    // RFC 2408 3.14.1, spelled with underscores like the IKEv2 names so one vocabulary serves both
    private static final String[] V1_ERRORS = {null,
        "INVALID_PAYLOAD_TYPE", "DOI_NOT_SUPPORTED", "SITUATION_NOT_SUPPORTED", "INVALID_COOKIE",
        "INVALID_MAJOR_VERSION", "INVALID_MINOR_VERSION", "INVALID_EXCHANGE_TYPE", "INVALID_FLAGS",
        "INVALID_MESSAGE_ID", "INVALID_PROTOCOL_ID", "INVALID_SPI", "INVALID_TRANSFORM_ID",
        "ATTRIBUTES_NOT_SUPPORTED", "NO_PROPOSAL_CHOSEN", "BAD_PROPOSAL_SYNTAX", "PAYLOAD_MALFORMED",
        "INVALID_KEY_INFORMATION", "INVALID_ID_INFORMATION", "INVALID_CERT_ENCODING", "INVALID_CERTIFICATE",
        "CERT_TYPE_UNSUPPORTED", "INVALID_CERT_AUTHORITY", "INVALID_HASH_INFORMATION", "AUTHENTICATION_FAILED",
        "INVALID_SIGNATURE", "ADDRESS_NOTIFICATION", "NOTIFY_SA_LIFETIME", "CERTIFICATE_UNAVAILABLE",
        "UNSUPPORTED_EXCHANGE_TYPE", "UNEQUAL_PAYLOAD_LENGTHS"};

    private static String v1Notify(int type) {
        return type > 0 && type < V1_ERRORS.length ? V1_ERRORS[type] : null;
    }

    /** ip:port, with IPv6 addresses in brackets (RFC 5952 6). */
    static String endpoint(String addr, int port) {
        return addr.indexOf(':') >= 0 ? "[" + addr + "]:" + port : addr + ":" + port;
    }
}

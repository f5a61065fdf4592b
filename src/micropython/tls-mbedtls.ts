// What a MicroPython program sees of TLS failures and cipher suites, in one place.
// MicroPython's TLS is mbedTLS: it raises OSError(-N, "MBEDTLS_ERR_…") for protocol
// failures, ValueError with mbedTLS's verification texts for a rejected certificate, and
// names cipher suites "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256". The bridge runs over
// OpenSSL, so every OpenSSL condition is translated here to the form mbedTLS gives for
// the same event; nothing else in the bridge knows mbedTLS's numbers or texts.
import type { OSError } from "../errors.js";

/** An mbedTLS error: its (negative) code and its name. */
export interface MbedError {
  readonly code: number;
  readonly name: string;
}

function mbed(code: number, name: string): MbedError {
  return { code: -code, name: `MBEDTLS_ERR_${name}` };
}

export const CONN_EOF = mbed(0x7280, "SSL_CONN_EOF");
export const FATAL_ALERT = mbed(0x7780, "SSL_FATAL_ALERT_MESSAGE");
export const NO_CLIENT_CERTIFICATE = mbed(0x7480, "SSL_NO_CLIENT_CERTIFICATE");
export const HELLO_VERIFY_REQUIRED = mbed(0x6a80, "SSL_HELLO_VERIFY_REQUIRED");
export const BAD_CONFIG = mbed(0x5e80, "SSL_BAD_CONFIG");
export const BAD_INPUT_DATA = mbed(0x7100, "SSL_BAD_INPUT_DATA");
export const HANDSHAKE_FAILURE = mbed(0x6e00, "SSL_HANDSHAKE_FAILURE");
export const INVALID_RECORD = mbed(0x7200, "SSL_INVALID_RECORD");
export const INVALID_MAC = mbed(0x7180, "SSL_INVALID_MAC");
export const UNKNOWN_IDENTITY = mbed(0x6c80, "SSL_UNKNOWN_IDENTITY");
export const CERT_VERIFY_FAILED = mbed(0x2700, "X509_CERT_VERIFY_FAILED");

/**
 * The OpenSSL security level of the bridge's contexts. mbedTLS, as MicroPython builds it,
 * puts no floor under a context's own key (MicroPython's tests load 1024-bit RSA keys) and
 * refuses what level 1 refuses anyway (finite-field groups under 1024 bits, MD5 and SHA-1
 * signatures in TLS 1.2). Node.js up to 22 runs OpenSSL at level 1; from 24 at OpenSSL's
 * own default, 2, which refuses such keys at load_cert_chain. usocket-node/ssl itself
 * keeps the running Node's default, as CPython keeps OpenSSL's.
 */
export const MBEDTLS_SECURITY_LEVEL = 1;

/** OpenSSL reasons (SSLError.reason, CPython's mnemonics) → the mbedTLS error for the same event. */
const REASONS = new Map<string, MbedError>([
  ["UNEXPECTED_EOF_WHILE_READING", CONN_EOF],
  ["HELLO_VERIFY_REQUIRED", HELLO_VERIFY_REQUIRED],
  ["PEER_DID_NOT_RETURN_A_CERTIFICATE", NO_CLIENT_CERTIFICATE],
  ["WRONG_VERSION_NUMBER", INVALID_RECORD],
  ["UNKNOWN_PROTOCOL", INVALID_RECORD],
  ["PACKET_LENGTH_TOO_LONG", INVALID_RECORD],
  ["RECORD_LAYER_FAILURE", INVALID_RECORD],
  ["HTTP_REQUEST", INVALID_RECORD],
  ["DECRYPTION_FAILED_OR_BAD_RECORD_MAC", INVALID_MAC],
  ["BAD_RECORD_MAC", INVALID_MAC],
  ["PSK_IDENTITY_NOT_FOUND", UNKNOWN_IDENTITY],
  ["NO_SHARED_CIPHER", HANDSHAKE_FAILURE],
  ["NO_CIPHERS_AVAILABLE", HANDSHAKE_FAILURE],
  ["NO_CIPHER_MATCH", BAD_CONFIG],
]);

/** OpenSSL's X509_V_ERR_* codes (stable numbers of its ABI) → mbedTLS's verify_info line. */
const VERIFY_TEXTS = new Map<number, string>([
  [9, "The certificate validity starts in the future"], // CERT_NOT_YET_VALID
  [10, "The certificate validity has expired"], // CERT_HAS_EXPIRED
  [2, "The certificate is not correctly signed by the trusted CA"], // UNABLE_TO_GET_ISSUER_CERT
  [7, "The certificate is not correctly signed by the trusted CA"], // CERT_SIGNATURE_FAILURE
  [18, "The certificate is not correctly signed by the trusted CA"], // DEPTH_ZERO_SELF_SIGNED_CERT
  [19, "The certificate is not correctly signed by the trusted CA"], // SELF_SIGNED_CERT_IN_CHAIN
  [20, "The certificate is not correctly signed by the trusted CA"], // UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  [21, "The certificate is not correctly signed by the trusted CA"], // UNABLE_TO_VERIFY_LEAF_SIGNATURE
  [23, "The certificate has been revoked (is on a CRL)"], // CERT_REVOKED
  [24, "The certificate is not correctly signed by the trusted CA"], // INVALID_CA
  [26, "Usage does not match the keyUsage extension"], // INVALID_PURPOSE
  [50, "Other reason (can be used by verify callback)"], // APPLICATION_VERIFICATION
  [62, "The certificate Common Name (CN) does not match with the expected CN"], // HOSTNAME_MISMATCH
  [64, "The certificate Common Name (CN) does not match with the expected CN"], // IP_ADDRESS_MISMATCH
  [66, "The certificate is signed with an unacceptable key (eg bad curve, RSA too short)."], // EE_KEY_TOO_SMALL
  [67, "The certificate is signed with an unacceptable key (eg bad curve, RSA too short)."], // CA_KEY_TOO_SMALL
  [68, "The certificate is signed with an unacceptable hash."], // CA_MD_TOO_WEAK
]);

/** What the bridge raises for a failure of the TLS layer. */
export type BridgeTlsError = { kind: "os"; code: number; message: string } | { kind: "value"; message: string };

interface SslLike {
  reason?: unknown;
  verify_code?: unknown;
}

/** The mbedTLS form of a TLS failure (an SSLError of usocket-node/ssl, or any OSError). */
export function mbedtlsForm(error: OSError & SslLike, handshaking: boolean): BridgeTlsError {
  if (typeof error.verify_code === "number") {
    // mbedtls_x509_crt_verify_info(buf, size, "\n", flags): each reason on a line of its own.
    const text = VERIFY_TEXTS.get(error.verify_code) ?? "Other reason (can be used by verify callback)";
    return { kind: "value", message: `\n${text}\n` };
  }
  if (typeof error.reason === "string") {
    const reason = error.reason;
    let found = REASONS.get(reason);
    // A fatal alert from the peer: "SSLV3_ALERT_BAD_CERTIFICATE", "TLSV1_ALERT_UNKNOWN_CA", …
    if (found === undefined && /ALERT/.test(reason)) found = FATAL_ALERT;
    if (found === undefined) found = handshaking ? HANDSHAKE_FAILURE : INVALID_RECORD;
    return { kind: "os", code: found.code, message: found.name };
  }
  return { kind: "os", code: error.errno, message: error.message };
}

/** mbedTLS's name of a cipher suite from its IANA name (TLS_ECDHE_… → TLS-ECDHE-…). */
export function mbedtlsCipherName(iana: string): string {
  return iana.replace(/_/g, "-");
}

/** The IANA name of a cipher suite named as mbedTLS names it. */
export function ianaCipherName(mbedtls: string): string {
  return mbedtls.replace(/-/g, "_");
}

/** The TLS 1.2 suites a bridge context offers, in mbedTLS's order of preference (key
 * exchange, then AES-256 before AES-128, AEAD before CBC), as OpenSSL names them. */
export const MBEDTLS_CIPHER_ORDER = [
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "DHE-RSA-CHACHA20-POLY1305",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-AES256-SHA384",
  "ECDHE-ECDSA-AES256-SHA",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES128-SHA256",
  "ECDHE-ECDSA-AES128-SHA",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-SHA384",
  "ECDHE-RSA-AES256-SHA",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-SHA256",
  "ECDHE-RSA-AES128-SHA",
  "DHE-RSA-AES256-GCM-SHA384",
  "DHE-RSA-AES256-SHA256",
  "DHE-RSA-AES256-SHA",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES128-SHA256",
  "DHE-RSA-AES128-SHA",
  "AES256-GCM-SHA384",
  "AES256-SHA256",
  "AES256-SHA",
  "AES128-GCM-SHA256",
  "AES128-SHA256",
  "AES128-SHA",
].join(":");

/** mbedTLS's longest pre-shared key (MBEDTLS_PSK_MAX_LEN in MicroPython's builds). */
export const PSK_MAX_LEN = 48;

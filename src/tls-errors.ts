// The TLS errors and their classification: the addon reports OpenSSL's codes and error
// queue, this file decides what the program sees (docs/behaviour.md §11).
import { OSError } from "./errors.js";
import { tls, type OpenSSLError } from "./tls-native.js";

const T = tls.constants;
export const SSL_ERROR_SSL = T["SSL_ERROR_SSL"]!;
export const SSL_ERROR_WANT_READ = T["SSL_ERROR_WANT_READ"]!;
export const SSL_ERROR_WANT_WRITE = T["SSL_ERROR_WANT_WRITE"]!;
export const SSL_ERROR_SYSCALL = T["SSL_ERROR_SYSCALL"]!;
export const SSL_ERROR_ZERO_RETURN = T["SSL_ERROR_ZERO_RETURN"]!;
const X509_V_OK = T["X509_V_OK"]!;

/** Libraries as CPython names them in "[SSL: …]" (OpenSSL's ERR_LIB_* numbers). */
const LIBRARIES = new Map<number, string>([
  [T["ERR_LIB_SSL"]!, "SSL"],
  [T["ERR_LIB_X509"]!, "X509"],
  [T["ERR_LIB_PEM"]!, "PEM"],
  [T["ERR_LIB_ASN1"]!, "ASN1"],
  [T["ERR_LIB_EVP"]!, "EVP"],
  [T["ERR_LIB_SYS"]!, "SYS"],
]);

/** OpenSSL's reason text as CPython's mnemonic: "certificate verify failed" → CERTIFICATE_VERIFY_FAILED. */
function mnemonic(text: string | null, code: number): string {
  if (text === null || text === "") return `REASON_${code}`;
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/** An error of the TLS layer; `errno` is OpenSSL's SSL_ERROR_* code, as in CPython. */
export class SSLError extends OSError {
  /** OpenSSL's reason as a mnemonic: "CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER", … */
  readonly reason: string;
  /** The OpenSSL library that reported it: "SSL", "X509", "PEM", … */
  readonly library: string;

  constructor(sslCode: number, syscall: string, reason: string, library: string, text: string) {
    super(sslCode, syscall, { message: text });
    this.name = "SSLError";
    this.reason = reason;
    this.library = library;
    this.message = `[${library}: ${reason}] ${text} (${syscall})`;
    Object.defineProperty(this, "code", { value: reason, enumerable: true });
  }
}

/** The peer's certificate did not verify (CPython's SSLCertVerificationError). */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's X509_V_ERR_* code. */
  readonly verify_code: number;
  /** OpenSSL's text for it: "hostname mismatch", "certificate has expired", … */
  readonly verify_message: string;

  constructor(syscall: string, verifyCode: number, text: string) {
    const message = tls.verifyText(verifyCode);
    super(SSL_ERROR_SSL, syscall, "CERTIFICATE_VERIFY_FAILED", "SSL", `${text}: ${message}`);
    this.name = "SSLCertVerificationError";
    this.verify_code = verifyCode;
    this.verify_message = message;
  }
}

/** The SSLError for an OpenSSL error entry (taken off the queue by the caller). */
export function sslErrorFrom(
  entry: OpenSSLError | null,
  sslCode: number,
  syscall: string,
  verifyResult = X509_V_OK,
): SSLError {
  if (entry === null) {
    // No queued reason: the peer's transport ended in the middle of the protocol.
    const reason = sslCode === SSL_ERROR_SYSCALL ? "UNEXPECTED_EOF_WHILE_READING" : `SSL_ERROR_${sslCode}`;
    return new SSLError(
      sslCode,
      syscall,
      reason,
      "SSL",
      reason === "UNEXPECTED_EOF_WHILE_READING"
        ? "EOF occurred in violation of protocol"
        : "TLS failure without a reason from OpenSSL",
    );
  }
  const [lib, code, , reasonText] = entry;
  const reason = mnemonic(reasonText, code);
  if (reason === "CERTIFICATE_VERIFY_FAILED" && verifyResult !== X509_V_OK) {
    return new SSLCertVerificationError(syscall, verifyResult, reasonText ?? "certificate verify failed");
  }
  return new SSLError(sslCode, syscall, reason, LIBRARIES.get(lib) ?? `LIB_${lib}`, reasonText ?? entry[4]);
}

/** The SSLError for what is on OpenSSL's queue now (a failed context call). */
export function takeSSLError(syscall: string, fallback: string): SSLError {
  const entry = tls.takeError();
  if (entry === null) return new SSLError(SSL_ERROR_SSL, syscall, "UNKNOWN", "SSL", fallback);
  return sslErrorFrom(entry, SSL_ERROR_SSL, syscall);
}

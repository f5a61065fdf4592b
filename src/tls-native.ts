// The TLS addon (native/tls/), loaded on the first import of usocket-node/ssl: it runs
// over the OpenSSL the running node exports, so it is a file of its own and the socket
// core loads without it. Every function returns OpenSSL's result codes; none applies
// policy (src/tls-errors.ts classifies).
import { loadAddon } from "./addon.js";

/** Opaque reference to an SSL_CTX and its callbacks. */
export interface TlsContextHandle {
  readonly __tlsContext: unique symbol;
}

/** Opaque reference to an SSL and its memory BIOs. */
export interface TlsConnectionHandle {
  readonly __tlsConnection: unique symbol;
}

/** [library number, reason number, library text, reason text, full text]. */
export type OpenSSLError = [number, number, string | null, string | null, string];

export interface TlsCore {
  readonly version: string;
  readonly constants: Readonly<Record<string, number>>;
  /** The most recent error on this thread's OpenSSL queue (the queue is cleared). */
  takeError(): OpenSSLError | null;
  verifyText(code: number): string;
  /** [file, dir, file env name, dir env name] as this OpenSSL was built. */
  defaultPaths(): [string, string, string, string];

  /** kind: 0 TLS client, 1 TLS server, 2 DTLS client, 3 DTLS server; null: see takeError. */
  contextNew(kind: number): TlsContextHandle | null;
  /** `callback(der, depth, preverifyOk, errorCode)` → the error code that stands (0 = accepted). */
  contextSetVerify(
    ctx: TlsContextHandle,
    mode: number,
    callback: ((der: Buffer, depth: number, ok: boolean, error: number) => number) | null,
  ): number;
  contextUseCertificate(ctx: TlsContextHandle, cert: Uint8Array, key: Uint8Array): number;
  contextAddCA(ctx: TlsContextHandle, data: Uint8Array): number;
  contextLoadLocations(ctx: TlsContextHandle, file: string | null, dir: string | null): number;
  contextSetCiphers(ctx: TlsContextHandle, list: string | null, suites: string | null): number;
  contextGetCiphers(ctx: TlsContextHandle): string[];
  cipherName(iana: string): string | null;
  contextSetPskClient(ctx: TlsContextHandle, identity: Uint8Array, key: Uint8Array): number;
  /** `lookup(identity)` → the key, or anything not a byte array for an unknown identity. */
  contextSetPskServer(ctx: TlsContextHandle, lookup: (identity: Buffer) => unknown): number;
  contextSetVersions(ctx: TlsContextHandle, min: number, max: number): number;
  contextSetOptions(ctx: TlsContextHandle, set: number, clear: number): number;
  /** Sets the security level (0 to 5) unless `level` is negative; the level in force. */
  contextSecurityLevel(ctx: TlsContextHandle, level: number): number;

  connectionNew(
    ctx: TlsContextHandle,
    server: boolean,
    sni: string | null,
    host: string | null,
    ip: string | null,
    clientId: Uint8Array | null,
  ): TlsConnectionHandle | null;
  connectionAttach(conn: TlsConnectionHandle, fd: number, datagram: boolean): number;
  /** 1 when done, else -SSL_get_error(). */
  connectionHandshake(conn: TlsConnectionHandle): number;
  connectionRead(conn: TlsConnectionHandle, buf: Uint8Array, offset: number, length: number, peek: boolean): number;
  connectionWrite(conn: TlsConnectionHandle, data: ArrayBufferView, offset: number, length: number): number;
  connectionShutdown(conn: TlsConnectionHandle): number;
  connectionFeed(conn: TlsConnectionHandle, data: Uint8Array, offset: number, length: number): number;
  connectionFeedEof(conn: TlsConnectionHandle): number;
  connectionDrain(conn: TlsConnectionHandle, out: Uint8Array, offset: number, length: number): number;
  /** [decrypted bytes ready, ciphertext in, ciphertext out]. */
  connectionBuffered(conn: TlsConnectionHandle): [number, number, number];
  connectionRecvFd(conn: TlsConnectionHandle, fd: number, flags: number): number;
  connectionSendFd(conn: TlsConnectionHandle, fd: number, flags: number): number;
  connectionCipher(conn: TlsConnectionHandle): [string, string, number] | null;
  connectionPeerCertificate(conn: TlsConnectionHandle): Buffer | null;
  /** [handshake done, verify result, cookie sent, cookie accepted, shutdown flags]. */
  connectionState(conn: TlsConnectionHandle): [number, number, number, number, number];
  connectionDtlsTimer(conn: TlsConnectionHandle, handle: boolean): number;
  /** DTLSv1_listen over the next datagram: 1 = a hello with a valid cookie, 0 = a cookie sent
   * back (or no usable hello), -errno from recv, -1000 fatal. */
  connectionDtlsListen(conn: TlsConnectionHandle, fd: number, flags: number): number;
  connectionFree(conn: TlsConnectionHandle): number;
}

function load(): TlsCore {
  if (!process.versions["openssl"]) {
    throw new Error("usocket-node/ssl needs a Node.js built with OpenSSL; this runtime has none");
  }
  try {
    return loadAddon<TlsCore>("usocket_tls");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `usocket-node/ssl could not load its TLS addon over this runtime's OpenSSL ` +
        `(Node.js ${process.version}, OpenSSL ${process.versions["openssl"]}): ${reason}`,
      { cause: error },
    );
  }
}

export const tls = load();

// SSLContext: the settings TLS connections are made with (docs/behaviour.md §11), over one
// OpenSSL SSL_CTX. Files are read here, so the addon only ever sees bytes.
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { E, OSError } from "./errors.js";
import type { AsyncOptions } from "./options.js";
import type { Address } from "./addresses.js";
import { Socket, type SocketMode } from "./socket.js";
import { SSLError, SSL_ERROR_SSL, takeSSLError } from "./tls-errors.js";
import { tls, type TlsContextHandle } from "./tls-native.js";
import { SSLSocket, type SSLSocketInternals } from "./tls-socket.js";
import { describeType, integer } from "./validate.js";

/** MicroPython's protocol numbers. */
export const PROTOCOL_TLS_CLIENT = 0;
export const PROTOCOL_TLS_SERVER = 1;
export const PROTOCOL_DTLS_CLIENT = 2;
export const PROTOCOL_DTLS_SERVER = 3;
export const CERT_NONE = 0;
export const CERT_OPTIONAL = 1;
export const CERT_REQUIRED = 2;
/** The OpenSSL in use (the running node's), as its version text. */
export const OPENSSL_VERSION: string = tls.version;

const T = tls.constants;
const VERIFY_FLAGS = [
  T["SSL_VERIFY_NONE"]!,
  T["SSL_VERIFY_PEER"]!,
  T["SSL_VERIFY_PEER"]! | T["SSL_VERIFY_FAIL_IF_NO_PEER_CERT"]!,
];
const X509_V_OK = T["X509_V_OK"]!;
const X509_V_ERR_APPLICATION_VERIFICATION = T["X509_V_ERR_APPLICATION_VERIFICATION"]!;
/** TLS 1.3 suites are set apart from the list of earlier versions' ciphers. */
const TLS13_SUITE = /^TLS_(AES_|CHACHA20_)/;

/** Bytes, or a string: a file path, or (with `textIsData`) the data itself. */
export type CertInput = string | Uint8Array;

/** Protocol versions for SSLContext.minimum_version and maximum_version, with CPython's
 * values: MINIMUM_SUPPORTED and MAXIMUM_SUPPORTED leave that end to OpenSSL. */
export const TLSVersion = Object.freeze({
  MINIMUM_SUPPORTED: -2,
  MAXIMUM_SUPPORTED: -1,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
});
const TLS_VERSIONS: ReadonlySet<number> = new Set(Object.values(TLSVersion));

/** The password of an encrypted private key (CPython's `password`): text, bytes, or a
 * function returning either, called only when the key is encrypted. */
export type KeyPassword = string | Uint8Array | (() => string | Uint8Array);

/** The first encrypted PEM private key block in `data` (PKCS#8 "ENCRYPTED PRIVATE KEY", or a
 * traditional key with "Proc-Type: 4,ENCRYPTED"), or null. */
function encryptedKey(data: Buffer): string | null {
  const text = data.toString("latin1");
  if (!text.includes("ENCRYPTED")) return null;
  const block = /-----BEGIN ((?:ENCRYPTED |RSA |EC |DSA )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/.exec(text);
  if (block === null) return null;
  return block[1] === "ENCRYPTED PRIVATE KEY" || block[0].includes("Proc-Type: 4,ENCRYPTED") ? block[0] : null;
}

function passwordBytes(value: unknown): Buffer {
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`load_cert_chain: password must be a string or bytes, not ${describeType(value)}`);
}

/** The key decrypted here, with Node's crypto, as unencrypted PKCS#8 PEM: OpenSSL's own
 * decryption would prompt on the terminal for a missing password and wait there. */
function decryptedKey(pem: string, password: KeyPassword | null | undefined): Buffer {
  if (password === undefined || password === null) {
    throw new SSLError(
      SSL_ERROR_SSL,
      "load_cert_chain",
      "BAD_PASSWORD_READ",
      "PEM",
      "the key is encrypted: give a password",
    );
  }
  const passphrase = passwordBytes(typeof password === "function" ? password() : password);
  try {
    return Buffer.from(
      createPrivateKey({ key: pem, format: "pem", passphrase }).export({ format: "pem", type: "pkcs8" }) as string,
    );
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new SSLError(
      SSL_ERROR_SSL,
      "load_cert_chain",
      "BAD_DECRYPT",
      "PEM",
      `the key could not be decrypted: ${text}`,
    );
  }
}

/** Options of SSLContext.wrap_socket. */
export interface WrapOptions {
  /** Act as the TLS server (default false). */
  server_side?: boolean;
  /** Do the handshake before wrap_socket returns (default true). */
  do_handshake_on_connect?: boolean;
  /** The name to send as SNI and, with check_hostname, to check the certificate against. */
  server_hostname?: string | null;
  /** DTLS server: the client's identity its Hello-Verify cookie is bound to. */
  client_id?: Uint8Array | null;
}

/** A PSK server's keys: anything with get(identity). */
export interface PskKeys {
  get(identity: string): Uint8Array | string | null | undefined;
}

function bytesOf(value: CertInput, name: string, textIsPath: boolean): Buffer {
  if (typeof value === "string") {
    if (!textIsPath) return Buffer.from(value, "utf8");
    try {
      return readFileSync(value);
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).errno;
      throw new OSError(typeof errno === "number" ? -errno : E.ENOENT, name, { address: value });
    }
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (ArrayBuffer.isView(value)) {
    const view = value as ArrayBufferView;
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }
  throw new TypeError(`${name} must be a path (string) or bytes, not ${describeType(value)}`);
}

function keyBytes(value: unknown, name: string): Buffer {
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${name} must be bytes or a string, not ${describeType(value)}`);
}

export class SSLContext {
  /** The protocol it was made for (PROTOCOL_*). */
  readonly protocol: number;
  #ctx: TlsContextHandle;
  #verifyMode: number;
  #checkHostname: boolean;
  #minimumVersion: number = TLSVersion.MINIMUM_SUPPORTED;
  #maximumVersion: number = TLSVersion.MAXIMUM_SUPPORTED;
  /** The limits set_ciphers' list implies ([min, max], 0 = none). */
  #cipherVersions: [number, number] = [0, 0];
  #verifyCallback: ((cert: Buffer, depth: number) => number) | null = null;
  #pskIdentity: Buffer | null = null;
  #pskKey: Buffer | null = null;
  #pskKeys: PskKeys | null = null;
  #pskApplied = false;

  /** new SSLContext(protocol): PROTOCOL_TLS_CLIENT, _SERVER, PROTOCOL_DTLS_CLIENT or _SERVER. */
  constructor(protocol: number) {
    this.protocol = integer(protocol, "protocol", PROTOCOL_TLS_CLIENT, PROTOCOL_DTLS_SERVER);
    const ctx = tls.contextNew(this.protocol);
    if (ctx === null) throw takeSSLError("SSLContext", "could not create an SSL context");
    this.#ctx = ctx;
    const client = !this.isServer;
    this.#verifyMode = client ? CERT_REQUIRED : CERT_NONE;
    this.#checkHostname = client;
    this.#applyVerify();
  }

  /** @internal */
  get isServer(): boolean {
    return (this.protocol & 1) === 1;
  }

  /** @internal */
  get isDatagram(): boolean {
    return this.protocol >= PROTOCOL_DTLS_CLIENT;
  }

  /** The lowest protocol version offered or accepted ({@link TLSVersion}; TLS contexts only). */
  get minimum_version(): number {
    return this.#minimumVersion;
  }

  set minimum_version(version: number) {
    this.#minimumVersion = this.#version(version, "minimum_version");
    this.#applyVersions("minimum_version");
  }

  /** The highest protocol version offered or accepted ({@link TLSVersion}; TLS contexts only). */
  get maximum_version(): number {
    return this.#maximumVersion;
  }

  set maximum_version(version: number) {
    this.#maximumVersion = this.#version(version, "maximum_version");
    this.#applyVersions("maximum_version");
  }

  #version(version: unknown, name: string): number {
    if (typeof version !== "number")
      throw new TypeError(`${name} must be a TLSVersion number, not ${describeType(version)}`);
    if (this.isDatagram) throw new RangeError(`${name} is for TLS contexts (DTLS speaks DTLS 1.2)`);
    if (!TLS_VERSIONS.has(version)) throw new RangeError(`${name} must be a TLSVersion value, not ${version}`);
    return version;
  }

  /** OpenSSL's limits: the program's versions narrowed by what set_ciphers left offered. */
  #applyVersions(syscall: string): void {
    // OpenSSL's 0 is "no limit", what MINIMUM_SUPPORTED and MAXIMUM_SUPPORTED (negative) mean.
    const userMin = Math.max(this.#minimumVersion, 0);
    const userMax = Math.max(this.#maximumVersion, 0);
    const [cipherMin, cipherMax] = this.#cipherVersions;
    const min = Math.max(userMin, cipherMin);
    const max = userMax === 0 ? cipherMax : cipherMax === 0 ? userMax : Math.min(userMax, cipherMax);
    if (tls.contextSetVersions(this.#ctx, min, max) !== 1) {
      throw takeSSLError(syscall, "could not limit the protocol versions");
    }
  }

  /** CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED. */
  get verify_mode(): number {
    return this.#verifyMode;
  }

  set verify_mode(mode: number) {
    this.#verifyMode = integer(mode, "verify_mode", CERT_NONE, CERT_REQUIRED);
    this.#applyVerify();
  }

  /** Whether a client checks the server's name (server_hostname) against its certificate. */
  get check_hostname(): boolean {
    return this.#checkHostname;
  }

  set check_hostname(on: boolean) {
    if (typeof on !== "boolean") throw new TypeError(`check_hostname must be a boolean, not ${describeType(on)}`);
    this.#checkHostname = on;
  }

  /** OpenSSL's security level in force (CPython's read-only `security_level`): the
   * library's default as the running Node.js builds it (1 up to Node.js 22, 2 from 24),
   * or the one an `@SECLEVEL=n` in set_ciphers chose. Keys, groups and signatures weaker
   * than the level are refused, both one's own and the peer's. */
  get security_level(): number {
    return tls.contextSecurityLevel(this.#ctx, -1);
  }

  /** @internal Sets the security level (the bridge's contexts take mbedTLS's, not OpenSSL's). */
  _setSecurityLevel(level: number): void {
    tls.contextSecurityLevel(this.#ctx, level);
  }

  /** Called for each certificate of the peer's chain, top first, with (cert_der, depth);
   * a non-zero return fails the handshake (MicroPython's verify_callback). */
  get verify_callback(): ((cert: Buffer, depth: number) => number) | null {
    return this.#verifyCallback;
  }

  set verify_callback(fn: ((cert: Buffer, depth: number) => number) | null) {
    if (fn !== null && typeof fn !== "function") {
      throw new TypeError(`verify_callback must be a function or null, not ${describeType(fn)}`);
    }
    this.#verifyCallback = fn;
    this.#applyVerify();
  }

  #applyVerify(): void {
    const user = this.#verifyCallback;
    // The user's verdict replaces OpenSSL's (as mbedTLS's flags in MicroPython): it is
    // asked once per certificate, on OpenSSL's final pass over it.
    const callback =
      user === null
        ? null
        : (der: Buffer, depth: number, ok: boolean, _error: number): number => {
            if (!ok) return X509_V_OK; // the final pass over this certificate comes after its errors
            const verdict: unknown = user(der, depth);
            return verdict === 0 || verdict === undefined || verdict === null || verdict === false
              ? X509_V_OK
              : X509_V_ERR_APPLICATION_VERIFICATION;
          };
    tls.contextSetVerify(this.#ctx, VERIFY_FLAGS[this.#verifyMode]!, callback);
  }

  /** load_cert_chain(certfile, keyfile?, password?): paths, or the data (PEM, or DER for a
   * single certificate or key); the key defaults to the certificate file. An encrypted PEM key
   * needs `password` (text, bytes, or a function returning either, as CPython's); without it,
   * or with a wrong one, it is an SSLError (never a prompt on the terminal). A key that does
   * not match the certificate is an SSLError. */
  load_cert_chain(certfile: CertInput, keyfile?: CertInput | null, password?: KeyPassword | null): void {
    const cert = bytesOf(certfile, "certfile", true);
    let key = keyfile === undefined || keyfile === null ? cert : bytesOf(keyfile, "keyfile", true);
    if (password !== undefined && password !== null && typeof password !== "function") passwordBytes(password);
    const encrypted = encryptedKey(key);
    if (encrypted !== null) key = decryptedKey(encrypted, password);
    if (tls.contextUseCertificate(this.#ctx, cert, key) !== 1) {
      throw takeSSLError("load_cert_chain", "the certificate or key could not be used");
    }
  }

  /** load_verify_locations(cafile?, cadata?): CA certificates, PEM (one or more) or one DER;
   * a Uint8Array as the first argument is data (MicroPython). */
  load_verify_locations(cafile?: CertInput | null, cadata?: CertInput | null): void {
    if ((cafile === undefined || cafile === null) && (cadata === undefined || cadata === null)) {
      throw new TypeError("load_verify_locations: cafile or cadata is required");
    }
    for (const [value, isPath] of [
      [cafile, true],
      [cadata, false],
    ] as const) {
      if (value === undefined || value === null) continue;
      const data = bytesOf(value, isPath ? "cafile" : "cadata", isPath);
      if (tls.contextAddCA(this.#ctx, data) < 1) {
        throw takeSSLError("load_verify_locations", "no certificate could be read");
      }
    }
  }

  /** load_default_certs(): the system's trust store, SSL_CERT_FILE/SSL_CERT_DIR first. */
  load_default_certs(): void {
    const [file, dir, fileEnv, dirEnv] = tls.defaultPaths();
    const files = [
      process.env[fileEnv],
      file,
      "/etc/ssl/certs/ca-certificates.crt",
      "/etc/pki/tls/certs/ca-bundle.crt",
      "/etc/ssl/cert.pem",
    ];
    const dirs = [process.env[dirEnv], dir, "/etc/ssl/certs"];
    let loaded = false;
    for (const f of files) {
      if (!f || loaded) continue;
      loaded = tls.contextLoadLocations(this.#ctx, f, null) === 1;
      tls.takeError();
    }
    for (const d of dirs) {
      if (!d) continue;
      if (tls.contextLoadLocations(this.#ctx, null, d) === 1) break;
      tls.takeError();
    }
  }

  /** The IANA names of the cipher suites offered, in preference order. */
  get_ciphers(): string[] {
    return tls.contextGetCiphers(this.#ctx);
  }

  /** set_ciphers(list | string): the suites to offer, IANA or OpenSSL names (a string is
   * OpenSSL's colon-separated list). The list is complete: TLS 1.3 suites in it replace
   * the TLS 1.3 set, and a list without any leaves TLS 1.3 out (CPython leaves TLS 1.3
   * alone). An unknown name is an SSLError. */
  set_ciphers(ciphers: string | readonly string[]): void {
    let names: string[];
    if (typeof ciphers === "string") names = ciphers.split(":").filter((n) => n !== "");
    else if (Array.isArray(ciphers) && ciphers.every((n) => typeof n === "string")) names = [...ciphers];
    else
      throw new TypeError(`set_ciphers: ciphers must be a string or a list of strings, not ${describeType(ciphers)}`);
    if (names.length === 0) throw new RangeError("set_ciphers: no cipher named");
    const suites: string[] = [];
    const list: string[] = [];
    for (const name of names) {
      if (TLS13_SUITE.test(name)) suites.push(name);
      else list.push(name.startsWith("TLS_") || name.startsWith("SSL_") ? (tls.cipherName(name) ?? name) : name);
    }
    if (tls.contextSetCiphers(this.#ctx, list.length > 0 ? list.join(":") : null, suites.join(":")) !== 1) {
      throw takeSSLError("set_ciphers", "No cipher can be selected");
    }
    // Without a TLS 1.3 suite TLS 1.3 is not offered; with only TLS 1.3 suites, nothing older.
    this.#cipherVersions = [
      list.length === 0 ? T["TLS1_3_VERSION"]! : 0,
      suites.length === 0 ? T["TLS1_2_VERSION"]! : 0,
    ];
    this.#applyVersions("set_ciphers");
  }

  /** The client's PSK identity (with psk_key, the client offers only PSK suites). */
  get psk_identity(): string | Uint8Array | null {
    return this.#pskIdentity;
  }

  set psk_identity(identity: string | Uint8Array | null) {
    this.#pskIdentity = identity === null ? null : keyBytes(identity, "psk_identity");
    this.#pskApplied = false;
  }

  /** The client's pre-shared key. */
  get psk_key(): string | Uint8Array | null {
    return this.#pskKey;
  }

  set psk_key(key: string | Uint8Array | null) {
    this.#pskKey = key === null ? null : keyBytes(key, "psk_key");
    this.#pskApplied = false;
  }

  /** The server's keys: get(identity) → key, or null/undefined for an unknown identity. */
  get server_psk_keys(): PskKeys | null {
    return this.#pskKeys;
  }

  set server_psk_keys(keys: PskKeys | null) {
    if (keys !== null && (typeof keys !== "object" || typeof (keys as PskKeys).get !== "function")) {
      throw new TypeError(`server_psk_keys must be an object with get(identity), not ${describeType(keys)}`);
    }
    this.#pskKeys = keys;
    this.#pskApplied = false;
  }

  /** Hands the PSK settings to OpenSSL once before a connection is made. PSK runs over
   * TLS 1.2 with PSK suites only, as MicroPython's. */
  #applyPsk(): void {
    if (this.#pskApplied) return;
    this.#pskApplied = true;
    let psk = false;
    if (!this.isServer && this.#pskIdentity !== null && this.#pskKey !== null) {
      tls.contextSetPskClient(this.#ctx, this.#pskIdentity, this.#pskKey);
      psk = true;
    }
    const keys = this.#pskKeys;
    if (this.isServer && keys !== null) {
      tls.contextSetPskServer(this.#ctx, (identity: Buffer): unknown => {
        const key = keys.get(identity.toString("latin1"));
        return typeof key === "string" ? Buffer.from(key, "utf8") : key;
      });
      psk = true;
    }
    if (psk) {
      if (!this.isDatagram) tls.contextSetVersions(this.#ctx, 0, T["TLS1_2_VERSION"]!);
      if (tls.contextSetCiphers(this.#ctx, "PSK", null) !== 1) throw takeSSLError("SSLContext", "no PSK cipher");
    }
  }

  /** @internal The native context, PSK settings applied. */
  _handle(): TlsContextHandle {
    this.#applyPsk();
    return this.#ctx;
  }

  /** @internal What the checks of a new connection are: SNI name, host name, IP address. */
  _names(hostname: string | null): [string | null, string | null, string | null] {
    if (hostname === null) return [null, null, null];
    const ip = isIP(hostname) !== 0;
    const check = this.#checkHostname && this.#verifyMode !== CERT_NONE;
    return [ip ? null : hostname, check && !ip ? hostname : null, check && ip ? hostname : null];
  }

  /** wrap_socket(sock, options): an SSLSocket over a connected socket (SOCK_STREAM for
   * TLS, a connected SOCK_DGRAM for DTLS); the handshake runs now unless
   * do_handshake_on_connect is false. A TLS client socket not connected yet (CPython's
   * wrap-then-connect) makes its handshake in the SSLSocket's connect(). */
  wrap_socket<A extends Address, Mode extends SocketMode>(
    sock: Socket<A, Mode>,
    options?: WrapOptions,
  ): SSLSocket<A, Mode> {
    const s = this.#wrap<A, Mode>(sock, options, "wrap_socket");
    if (s._internals.handshakeOnConnect && s._connected()) s._handshakeOnConnect();
    return s;
  }

  /** wrap_socket(sock, options) without blocking the event loop: resolves after the
   * handshake (unless do_handshake_on_connect is false). */
  async wrap_socketAsync<A extends Address, Mode extends SocketMode>(
    sock: Socket<A, Mode>,
    options?: WrapOptions & AsyncOptions,
  ): Promise<SSLSocket<A, Mode>> {
    const s = this.#wrap<A, Mode>(sock, options, "wrap_socket");
    if (s._internals.handshakeOnConnect && s._connected()) {
      try {
        await s.do_handshakeAsync(options?.signal === undefined ? undefined : { signal: options.signal });
      } catch (error) {
        s._free();
        throw error;
      }
    }
    return s;
  }

  #wrap<A extends Address, Mode extends SocketMode>(
    sock: Socket<A, Mode>,
    options: WrapOptions | undefined,
    syscall: string,
  ): SSLSocket<A, Mode> {
    if (!(sock instanceof Socket))
      throw new TypeError(`${syscall}: sock must be a usocket Socket, not ${describeType(sock)}`);
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw new TypeError(`${syscall}: options must be an object, not ${describeType(options)}`);
    }
    const o = options ?? {};
    const serverSide = o.server_side ?? this.isServer;
    if (typeof serverSide !== "boolean") throw new TypeError(`${syscall}: server_side must be a boolean`);
    const handshake = o.do_handshake_on_connect ?? true;
    if (typeof handshake !== "boolean") throw new TypeError(`${syscall}: do_handshake_on_connect must be a boolean`);
    const hostname = o.server_hostname ?? null;
    if (hostname !== null && typeof hostname !== "string") {
      throw new TypeError(`${syscall}: server_hostname must be a string, not ${describeType(hostname)}`);
    }
    if (hostname !== null && serverSide) throw new RangeError(`${syscall}: server_hostname is for the client side`);
    const clientId = o.client_id ?? null;
    if (clientId !== null && !ArrayBuffer.isView(clientId)) {
      throw new TypeError(`${syscall}: client_id must be bytes, not ${describeType(clientId)}`);
    }
    sock.fdFor(syscall);
    const dgram = this.isDatagram;
    const internals: SSLSocketInternals = {
      context: this,
      sock,
      serverSide,
      hostname,
      handshakeOnConnect: handshake,
      clientId: clientId === null ? null : new Uint8Array(clientId.buffer, clientId.byteOffset, clientId.byteLength),
      datagram: dgram,
    };
    return new SSLSocket<A, Mode>(internals);
  }
}

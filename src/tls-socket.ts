// SSLSocket: a socket's stream and socket methods over TLS (docs/behaviour.md §11). The
// reading and writing calls are the operations of operations.ts run on a TlsChannel, by
// the wrapped socket's own drivers: its synchronous _run (poll(2) under its timeout) and
// the Promise layer's runAsync, so every socket rule holds here unchanged.
import { X509Certificate } from "node:crypto";
import { E, OSError } from "./errors.js";
import * as op from "./operations.js";
import { READ, WRITE, twin } from "./promises.js";
import type { AsyncOptions } from "./options.js";
import {
  discard,
  readintoArguments,
  readlineLimit,
  readSize,
  type AnySocket,
  type Socket,
  type SocketMode,
  type StreamResult,
} from "./socket.js";
import type { Address, AddressInput } from "./addresses.js";
import type { SSLContext } from "./tls-context.js";
import { TlsChannel, TlsEngine } from "./tls-engine.js";
import { SSLError, SSL_ERROR_SSL, takeSSLError } from "./tls-errors.js";
import { tls } from "./tls-native.js";
import { bytesToFill, bytesToSend, describeType, integer, INT32_MAX, size } from "./validate.js";
import { MSG_DONTWAIT, SOCK_DGRAM, SOCK_STREAM } from "./constants.js";
import { native } from "./native.js";

const MAKEFILE_MODES = new Set(["rb", "wb", "rwb", "r", "w", "rw"]);

/** @internal What SSLContext.wrap_socket hands to a new SSLSocket. */
export interface SSLSocketInternals {
  context: SSLContext;
  sock: AnySocket;
  serverSide: boolean;
  hostname: string | null;
  handshakeOnConnect: boolean;
  clientId: Uint8Array | null;
  datagram: boolean;
  /** OpenSSL on the descriptor itself instead of memory BIOs (always for DTLS). */
  attached?: boolean;
}

/** CPython's short attribute names in getpeercert()'s subject and issuer. */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  CN: "commonName",
  O: "organizationName",
  OU: "organizationalUnitName",
  C: "countryName",
  ST: "stateOrProvinceName",
  L: "localityName",
  emailAddress: "emailAddress",
  DC: "domainComponent",
  serialNumber: "serialNumber",
};

/** A certificate name in CPython's form (getpeercert()'s subject and issuer): one group
 * per relative distinguished name, each a single [attribute, value] pair, e.g.
 * `[[["commonName", "localhost"]]]`. */
export type NameForm = Array<Array<[string, string]>>;

/** getpeercert()'s dictionary (CPython's form, with arrays for tuples). */
export interface PeerCertificate {
  subject: NameForm;
  issuer: NameForm;
  version: number;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  subjectAltName?: Array<[string, string]>;
}

function nameForm(text: string): NameForm {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((line) => {
      const eq = line.indexOf("=");
      const key = line.slice(0, eq);
      return [[ATTRIBUTE_NAMES[key] ?? key, line.slice(eq + 1)]];
    });
}

/** The X.509 version from the DER: tbsCertificate's optional [0] version field. */
function x509Version(der: Buffer): number {
  let i = 0;
  const skipHeader = (): void => {
    i++; // tag
    const first = der[i++]!;
    if (first & 0x80) i += first & 0x7f;
  };
  skipHeader(); // Certificate
  skipHeader(); // tbsCertificate
  if (der[i] !== 0xa0) return 1;
  skipHeader(); // [0]
  skipHeader(); // INTEGER
  return (der[i] ?? 0) + 1;
}

function certificateDict(der: Buffer): PeerCertificate {
  const x = new X509Certificate(der);
  const dict: PeerCertificate = {
    subject: nameForm(x.subject),
    issuer: nameForm(x.issuer),
    version: x509Version(der),
    serialNumber: x.serialNumber.toUpperCase(),
    notBefore: x.validFrom,
    notAfter: x.validTo,
  };
  if (x.subjectAltName !== undefined) {
    dict.subjectAltName = x.subjectAltName.split(", ").map((entry) => {
      const colon = entry.indexOf(":");
      return [entry.slice(0, colon), entry.slice(colon + 1)] as [string, string];
    });
  }
  return dict;
}

/**
 * A TLS (or DTLS) session over a socket, made by {@link SSLContext.wrap_socket}. It has the
 * socket's stream methods with the same rules, typed the same way: `A` is the wrapped
 * socket's address form and `Mode` the modes its stream methods are typed for (see
 * {@link StreamResult}), both taken from the socket given to wrap_socket. So wrapping a
 * `Socket` gives an SSLSocket whose `read`, `readinto`, `readline` and `write` never return
 * null, and wrapping a `NonBlockingSocket` gives one whose stream methods include null.
 * @typeParam A - the address form of the wrapped socket (getsockname, getpeername)
 * @typeParam Mode - "blocking" (the default), or {@link SocketMode} for a socket that may be non-blocking
 * @example const tls = ctx.wrap_socket(create_connection(["localhost", 8443]), { server_hostname: "localhost" });
 */
export class SSLSocket<A extends Address = Address, Mode extends SocketMode = "blocking"> {
  /** The context it was made with. */
  readonly context: SSLContext;
  /** Whether this end is the TLS server. */
  readonly server_side: boolean;
  /** The name given to wrap_socket (SNI and the name checked), or null. */
  readonly server_hostname: string | null;
  #sock: AnySocket;
  #engine: TlsEngine;
  #kept = new op.KeptBytes();
  #sync: TlsChannel;
  /** For a blocking socket: every step without waiting, the waits in #run. */
  #blocking: TlsChannel;
  #async: TlsChannel | null = null;
  #closed = false;
  /** A DTLS server with a client_id until a hello with a valid cookie came. */
  #listening: boolean;
  readonly #internals: SSLSocketInternals;
  readonly #check: (syscall: string) => void;

  /** @internal Made by SSLContext.wrap_socket. */
  constructor(internals: SSLSocketInternals) {
    this.#internals = internals;
    this.context = internals.context;
    this.server_side = internals.serverSide;
    this.server_hostname = internals.hostname;
    const sock = internals.sock;
    this.#sock = sock;
    const wanted = internals.datagram ? SOCK_DGRAM : SOCK_STREAM;
    if (sock.type !== wanted) {
      throw new OSError(E["EPROTOTYPE"] ?? E.EINVAL, "wrap_socket", {
        message: internals.datagram ? "DTLS needs a connected SOCK_DGRAM socket" : "TLS needs a SOCK_STREAM socket",
      });
    }
    const ctx = internals.context._handle();
    const [sni, host, ip] = internals.context._names(internals.hostname);
    const conn = tls.connectionNew(ctx, internals.serverSide, sni, host, ip, internals.clientId);
    if (conn === null) throw takeSSLError("wrap_socket", "could not create the TLS connection");
    const attached = internals.datagram || internals.attached === true;
    if (attached && tls.connectionAttach(conn, sock.fdFor("wrap_socket"), internals.datagram) !== 1) {
      tls.connectionFree(conn);
      throw takeSSLError("wrap_socket", "could not attach TLS to the socket");
    }
    this.#engine = new TlsEngine(conn, attached);
    // Bytes a failed read kept back are the start of the stream (a hello read while
    // sniffing the protocol): the TLS layer reads them first.
    if (!attached && sock._hasKept) {
      const chunk = Buffer.allocUnsafe(16384);
      while (sock._hasKept) {
        const n = sock.takeKept(chunk, 0, chunk.length, false);
        tls.connectionFeed(conn, chunk, 0, n);
      }
    }
    this.#listening = internals.datagram && internals.serverSide && internals.clientId !== null;
    this.#check = (syscall: string): void => {
      if (this.#closed) throw new OSError(E.EBADF, syscall);
    };
    this.#sync = new TlsChannel(this.#engine, sock, this.#kept, sock.type, this.#check);
    this.#blocking = new TlsChannel(this.#engine, sock, this.#kept, sock.type, this.#check, MSG_DONTWAIT);
  }

  /** The synchronous driver: the socket's own (poll(2) under its timeout), except on a
   * blocking socket over memory BIOs, where the steps are made without blocking and the
   * waits are the core's wait(), so that a signal ends a blocking TLS call as it ends a
   * socket's (docs/behaviour.md §4). */
  #run<T>(make: (ch: TlsChannel) => op.Operation<T>, syscall: string): T {
    if (this.#sock.gettimeout() !== null || this.#engine.attached) return this.#sock._run(make(this.#sync), syscall);
    const operation = make(this.#blocking);
    let step = operation.next(true);
    while (!step.done) {
      const rc = native.wait(this.#fd(syscall), step.value, -1);
      step = rc < 0 ? operation.throw(new OSError(-rc, syscall)) : operation.next(true);
    }
    return step.value;
  }

  /** @internal */
  get _internals(): SSLSocketInternals {
    return this.#internals;
  }

  /** The TLS channel over the socket's Promise-layer channel (the one twin() hands out). */
  #over(lower: op.Channel): TlsChannel {
    if (this.#async === null || this.#async.lower !== lower) {
      this.#async = new TlsChannel(this.#engine, lower, this.#kept, this.#sock.type, this.#check);
    }
    return this.#async;
  }

  #fd(syscall: string): number {
    this.#check(syscall);
    return this.#sock.fdFor(syscall);
  }

  /** @internal Whether a read would find bytes without the descriptor (select, Poll). */
  get _hasKept(): boolean {
    return !this.#closed && (this.#kept.waiting || this.#engine.readable());
  }

  /** @internal The events Poll waits for on the descriptor when `requested` is asked: the
   * direction the last read or write waits for when it is the other one (select, Poll). */
  _pollMask(requested: number): number {
    return this.#closed ? requested : this.#engine.pollMask(requested);
  }

  // ---- the handshake ----

  #handshakeOperation(ch: TlsChannel): op.Operation<void> {
    this.#fd("do_handshake");
    return this.#handshakeSteps(ch);
  }

  *#handshakeSteps(ch: TlsChannel): op.Operation<void> {
    yield* op.untilDone(
      () => (this.#listening ? this.#cookieStep(ch) : this.#engine.handshake(ch.wire, ch.extraFlags, "do_handshake")),
      "do_handshake",
    );
  }

  /** A DTLS server's first step with a client_id (MicroPython's Hello-Verify flow), with
   * OpenSSL's stateless DTLSv1_listen: a client hello without the cookie is answered with
   * one and this connection ends there with HELLO_VERIFY_REQUIRED (the client's second
   * hello is for the next wrap_socket); a hello with a valid cookie starts the handshake. */
  #cookieStep(ch: TlsChannel): number {
    const conn = this.#engine.handle("do_handshake");
    const rc = tls.connectionDtlsListen(conn, ch.fdFor("do_handshake"), ch.dontwait);
    if (rc === -1000) throw takeSSLError("do_handshake", "DTLS listen failed");
    if (rc === 1) {
      this.#listening = false;
      return this.#engine.handshake(ch.wire, ch.extraFlags, "do_handshake");
    }
    if (rc < 0) return rc === -E.EAGAIN ? op.waitFor(op.POLLIN) : rc;
    tls.takeError();
    if (tls.connectionState(conn)[2] === 1) {
      throw new SSLError(
        SSL_ERROR_SSL,
        "do_handshake",
        "HELLO_VERIFY_REQUIRED",
        "SSL",
        "the client must send its hello again, with the cookie",
      );
    }
    return op.waitFor(op.POLLIN); // not a client hello: dropped, as DTLS servers do
  }

  /** do_handshake(): runs the TLS handshake under the socket's timeout. */
  do_handshake(): void {
    this.#run((ch) => this.#handshakeOperation(ch), "do_handshake");
  }

  /** do_handshake() without blocking the event loop. */
  do_handshakeAsync(options?: AsyncOptions): Promise<void> {
    return twin(
      this.#sock,
      WRITE,
      "do_handshake",
      [options],
      (ch) => this.#handshakeOperation(this.#over(ch)),
      this.#engine.attached,
    );
  }

  /** @internal wrap_socket's handshake: on a non-blocking socket it is left to the first
   * read or write when it cannot finish at once (MicroPython). */
  _handshakeOnConnect(): void {
    try {
      if (this.#sock.gettimeout() === 0) {
        const step = this.#handshakeOperation(this.#sync);
        let r = step.next(true);
        while (!r.done) r = step.next(false);
      } else {
        this.do_handshake();
      }
    } catch (error) {
      if (error instanceof OSError && error.errno === E.EAGAIN && !(error instanceof SSLError)) return;
      this._free();
      throw error;
    }
  }

  /** @internal The MicroPython bridge's rule: a transport ending without close_notify after
   * the handshake is the end of the stream, as mbedTLS reads it. */
  _truncationEnds(): void {
    this.#engine.truncationEnds = true;
  }

  /** @internal Whether wrap_socket can make the handshake now: false for a TLS client whose
   * socket is not connected yet (CPython's wrap-then-connect; connect() makes it, or the
   * first read or write of a connection still in progress). */
  _connected(): boolean {
    if (this.#internals.datagram || this.server_side) return true;
    try {
      this.#sock.getpeername();
      return true;
    } catch (error) {
      if (error instanceof OSError && error.errno === E["ENOTCONN"]) return false;
      throw error;
    }
  }

  /**
   * CPython's connect(address) for an SSLSocket wrapped before its socket was connected:
   * connects the socket (its timeout, its errors), then makes the handshake unless
   * do_handshake_on_connect was false; a failed handshake closes the SSLSocket and its socket.
   * @example const t = ctx.wrap_socket(socket(), { server_hostname: "localhost" }); t.connect(["127.0.0.1", 8443]);
   */
  connect(address: AddressInput): void {
    this.#check("connect");
    this.#sock.connect(address);
    if (!this.#internals.handshakeOnConnect) return;
    try {
      this._handshakeOnConnect();
    } catch (error) {
      // The SSLSocket is the program's only handle on the socket: a failed handshake closes both.
      this.#sock.close();
      throw error;
    }
  }

  /** @internal Releases the TLS state after a failed wrap (the socket stays the caller's). */
  _free(): void {
    this.#closed = true;
    this.#kept.clear();
    this.#engine.free();
  }

  // ---- reading ----

  /** read(size?): `size` bytes unless the session ends first; all until the end without size. */
  read(size?: number | null): StreamResult<Mode, Buffer> {
    return this.#run((ch) => this.#readOperation(ch, size), "read") as StreamResult<Mode, Buffer>;
  }

  /** read(size?) without blocking the event loop. */
  readAsync(size?: number | null | AsyncOptions, options?: AsyncOptions): Promise<Buffer> {
    return twin<Buffer>(
      this.#sock,
      READ,
      "read",
      [size, options],
      (ch, [n]) => this.#readOperation(this.#over(ch), n) as op.Operation<Buffer>,
      this.#engine.attached,
    );
  }

  #readOperation(ch: TlsChannel, size: unknown): op.Operation<Buffer | null> {
    this.#fd("read");
    return op.read(ch, readSize(size), "read");
  }

  /** readinto(buffer, nbytes?): fills the buffer unless the session ends first. */
  readinto(buffer: ArrayBufferView, nbytes?: number): StreamResult<Mode, number> {
    return this.#run((ch) => this.#readintoOperation(ch, buffer, nbytes), "readinto") as StreamResult<Mode, number>;
  }

  /** readinto(buffer, nbytes?) without blocking the event loop. */
  readintoAsync(buffer: ArrayBufferView, nbytes?: number | AsyncOptions, options?: AsyncOptions): Promise<number> {
    return twin<number>(
      this.#sock,
      READ,
      "readinto",
      [nbytes, options],
      (ch, [n]) => this.#readintoOperation(this.#over(ch), buffer, n) as op.Operation<number>,
      this.#engine.attached,
    );
  }

  #readintoOperation(ch: TlsChannel, buffer: unknown, nbytes: unknown): op.Operation<number | null> {
    this.#fd("readinto");
    const [buf, n] = readintoArguments(buffer, nbytes);
    return op.readInto(ch, buf, n, "readinto");
  }

  /** readline(limit?): up to and including "\n". */
  readline(limit?: number | null): StreamResult<Mode, Buffer> {
    return this.#run((ch) => this.#readlineOperation(ch, limit), "readline") as StreamResult<Mode, Buffer>;
  }

  /** readline(limit?) without blocking the event loop. */
  readlineAsync(limit?: number | null | AsyncOptions, options?: AsyncOptions): Promise<Buffer> {
    return twin<Buffer>(
      this.#sock,
      READ,
      "readline",
      [limit, options],
      (ch, [n]) => this.#readlineOperation(this.#over(ch), n) as op.Operation<Buffer>,
      this.#engine.attached,
    );
  }

  #readlineOperation(ch: TlsChannel, limit: unknown): op.Operation<Buffer | null> {
    this.#fd("readline");
    return op.readline(ch, readlineLimit(limit), "readline");
  }

  /** recv(bufsize): the bytes of one read, at most bufsize; empty at the end of the session. */
  recv(bufsize: number): Buffer {
    return this.#run((ch) => this.#recvOperation(ch, bufsize), "recv");
  }

  /** recv(bufsize) without blocking the event loop. */
  recvAsync(bufsize: number, options?: AsyncOptions): Promise<Buffer> {
    return twin(
      this.#sock,
      READ,
      "recv",
      [options],
      (ch) => this.#recvOperation(this.#over(ch), bufsize),
      this.#engine.attached,
    );
  }

  #recvOperation(ch: TlsChannel, bufsize: unknown): op.Operation<Buffer> {
    this.#fd("recv");
    const wanted = size(bufsize, "bufsize");
    // A buffer per attempt (op.recvFresh): a waiting recvAsync holds none (issue 11).
    if (wanted > 0) return op.recvFresh(ch, Math.min(wanted, op.RECV_CHUNK), 0, "recv");
    return op.recvBytes(ch, Buffer.allocUnsafe(0), 0, "recv");
  }

  /** recv_into(buffer, nbytes = 0): bytes of one read into the buffer. */
  recv_into(buffer: ArrayBufferView, nbytes = 0): number {
    return this.#run((ch) => this.#recvIntoOperation(ch, buffer, nbytes), "recv_into");
  }

  /** recv_into(buffer, nbytes?) without blocking the event loop. */
  recv_intoAsync(buffer: ArrayBufferView, nbytes?: number | AsyncOptions, options?: AsyncOptions): Promise<number> {
    return twin(
      this.#sock,
      READ,
      "recv_into",
      [nbytes, options],
      (ch, [n]) => this.#recvIntoOperation(this.#over(ch), buffer, n ?? 0),
      this.#engine.attached,
    );
  }

  #recvIntoOperation(ch: TlsChannel, buffer: unknown, nbytes: unknown): op.Operation<number> {
    this.#fd("recv_into");
    const buf = bytesToFill(buffer);
    const n = size(nbytes, "nbytes");
    if (n > buf.length) throw new RangeError(`recv_into: nbytes (${n}) is larger than the buffer (${buf.length})`);
    return op.transferOnce(op.recvSome(ch, buf, 0, n === 0 ? buf.length : n, 0, "recv_into"), "recv_into");
  }

  // ---- writing ----

  /** write(data): every byte (blocking), or as many as could go (non-blocking; null for none). */
  write(data: Uint8Array | ArrayBufferView | string): StreamResult<Mode, number> {
    return this.#run((ch) => this.#sendAllOperation(ch, data, "write", true), "write") as StreamResult<Mode, number>;
  }

  /** write(data) without blocking the event loop. */
  writeAsync(data: Uint8Array | ArrayBufferView | string, options?: AsyncOptions): Promise<number> {
    return twin<number>(
      this.#sock,
      WRITE,
      "write",
      [options],
      (ch) => this.#sendAllOperation(this.#over(ch), data, "write", true) as op.Operation<number>,
      this.#engine.attached,
    );
  }

  /** sendall(data): every byte, or an OSError carrying `written`. */
  sendall(data: Uint8Array | ArrayBufferView | string): void {
    this.#run((ch) => this.#sendAllOperation(ch, data, "sendall", false), "sendall");
  }

  /** sendall(data) without blocking the event loop. */
  sendallAsync(data: Uint8Array | ArrayBufferView | string, options?: AsyncOptions): Promise<void> {
    return twin(
      this.#sock,
      WRITE,
      "sendall",
      [options],
      (ch) => discard(this.#sendAllOperation(this.#over(ch), data, "sendall", false)),
      this.#engine.attached,
    );
  }

  #sendAllOperation(ch: TlsChannel, data: unknown, syscall: string, partialOk: boolean): op.Operation<number | null> {
    this.#fd(syscall);
    return op.sendAll(ch, bytesToSend(data), 0, syscall, partialOk);
  }

  /** send(data): the bytes taken by one TLS write. */
  send(data: Uint8Array | ArrayBufferView | string): number {
    return this.#run((ch) => this.#sendOperation(ch, data), "send");
  }

  /** send(data) without blocking the event loop. */
  sendAsync(data: Uint8Array | ArrayBufferView | string, options?: AsyncOptions): Promise<number> {
    return twin(
      this.#sock,
      WRITE,
      "send",
      [options],
      (ch) => this.#sendOperation(this.#over(ch), data),
      this.#engine.attached,
    );
  }

  #sendOperation(ch: TlsChannel, data: unknown): op.Operation<number> {
    this.#fd("send");
    const view = bytesToSend(data);
    return op.transferOnce(op.sendSome(ch, view, 0, view.byteLength, 0, "send"), "send");
  }

  // ---- the session ----

  /** The peer's certificate: DER bytes with binary_form, else CPython's dictionary (empty
   * when it was not verified); null before the handshake or when the peer sent none. */
  getpeercert(binary_form: true): Buffer | null;
  getpeercert(binary_form?: false): PeerCertificate | Record<string, never> | null;
  getpeercert(binary_form?: boolean): Buffer | PeerCertificate | Record<string, never> | null;
  getpeercert(binary_form = false): Buffer | PeerCertificate | Record<string, never> | null {
    this.#fd("getpeercert");
    if (typeof binary_form !== "boolean")
      throw new TypeError(`getpeercert: binary_form must be a boolean, not ${describeType(binary_form)}`);
    if (!this.#engine.established) return null;
    const der = tls.connectionPeerCertificate(this.#engine.handle("getpeercert"));
    if (der === null) return null;
    if (binary_form) return der;
    if (this.context.verify_mode === 0) return {};
    return certificateDict(der);
  }

  /** [cipher name, protocol version, secret bits], or null before the handshake. */
  cipher(): [string, string, number] | null {
    this.#fd("cipher");
    return this.#engine.established ? tls.connectionCipher(this.#engine.handle("cipher")) : null;
  }

  /** The protocol version negotiated ("TLSv1.3", …), or null before the handshake. */
  version(): string | null {
    return this.cipher()?.[1] ?? null;
  }

  /** Decrypted bytes waiting to be read. */
  pending(): number {
    this.#fd("pending");
    return tls.connectionBuffered(this.#engine.handle("pending"))[0];
  }

  // ---- the socket underneath ----

  /** The descriptor of the wrapped socket (-1 once closed). */
  fileno(): number {
    return this.#closed ? -1 : this.#sock.fileno();
  }

  /** The wrapped socket's timeout: null blocks, 0 is non-blocking, else seconds per call. */
  settimeout(timeout: number | null): void {
    this.#check("settimeout");
    this.#sock.settimeout(timeout);
  }

  /** The wrapped socket's timeout. */
  gettimeout(): number | null {
    return this.#sock.gettimeout();
  }

  /** The wrapped socket's getblocking(): false only when it is non-blocking (timeout 0). */
  getblocking(): boolean {
    return this.#sock.getblocking();
  }

  /** setblocking(false) is settimeout(0), setblocking(true) settimeout(null). */
  setblocking(flag: boolean): void {
    this.#check("setblocking");
    this.#sock.setblocking(flag);
  }

  /** The wrapped socket's own address. */
  getsockname(): A {
    this.#check("getsockname");
    return this.#sock.getsockname() as A;
  }

  /** The address of the peer. */
  getpeername(): A {
    this.#check("getpeername");
    return this.#sock.getpeername() as A;
  }

  /** makefile(mode = "rb"): the SSLSocket itself (it has the stream methods). */
  makefile(mode = "rb", buffering = 0): this {
    this.#check("makefile");
    if (typeof mode !== "string") throw new TypeError(`makefile: mode must be a string, not ${describeType(mode)}`);
    if (!MAKEFILE_MODES.has(mode))
      throw new RangeError(`makefile: mode must be "rb", "wb" or "rwb", not ${JSON.stringify(mode)}`);
    integer(buffering, "buffering", -1, INT32_MAX);
    return this;
  }

  /** unwrap(): ends the TLS session (close_notify both ways) and returns the plain socket. */
  unwrap(): Socket<A, Mode> {
    this.#fd("unwrap");
    this.#run(
      (ch) => op.untilDone(() => this.#engine.shutdown(ch.wire, true, ch.extraFlags, "unwrap"), "unwrap"),
      "unwrap",
    );
    this._free();
    return this.#sock as Socket<A, Mode>;
  }

  /** close(): sends close_notify (without waiting for the peer's), then closes the socket.
   * A second close does nothing. */
  close(): void {
    if (this.#closed) return;
    if (!this.#engine.freed && this.#sock.fileno() >= 0 && this.#engine.established) {
      try {
        // One non-waiting try: close() must not block on a peer that does not read.
        this.#engine.shutdown(this.#sync.wire, false, MSG_DONTWAIT, "close");
      } catch {
        // The session is failed already; closing goes on.
      }
      tls.takeError();
    }
    this._free();
    this.#sock.close();
  }

  /** close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** A short description for logs. */
  toString(): string {
    return `<SSLSocket fd=${this.fileno()}, server_side=${this.server_side}>`;
  }
}

// The TLS transport: an OpenSSL connection whose records pass through memory BIOs, fed
// from and drained to the socket underneath (or to any byte stream: feed/drain are the
// seam the MicroPython bridge uses for stream objects that are not sockets). It is the
// Transport of operations.ts for an SSLSocket, so read/readline/timeouts/kept-back bytes
// and the Promise twins are the socket's own rules, not a second copy. Each step moves
// bytes once without waiting; when OpenSSL needs the other direction first (a handshake,
// ciphertext still to be sent), the step asks to wait for that direction instead.
import { E, OSError } from "./errors.js";
import { MSG_DONTWAIT, MSG_PEEK } from "./constants.js";
import * as op from "./operations.js";
import { tls, type TlsConnectionHandle } from "./tls-native.js";
import {
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSLError,
  sslErrorFrom,
} from "./tls-errors.js";

const POLLIN = op.POLLIN;
const POLLOUT = op.POLLOUT;
const EAGAIN = E.EAGAIN;
/** Most plaintext given to one SSL_write: bounds the ciphertext waiting in memory. */
const WRITE_CHUNK = 256 * 1024;
/** "Call OpenSSL again": the step fed it input. */
const RETRY = 1;

/**
 * Where an engine's ciphertext comes from and goes to: the socket under an SSLSocket
 * (socketCiphertext), or any byte stream, through tls.connectionFeed and tls.connectionDrain
 * (the MicroPython bridge's stream objects).
 */
export interface Ciphertext {
  /** Moves what the peer sent into the connection: bytes, 0 at the end of the stream (the
   * engine then marks the end with connectionFeedEof), or -errno (-EAGAIN: nothing yet). */
  receive(conn: TlsConnectionHandle, flags: number, syscall: string): number;
  /** Sends the connection's waiting ciphertext: how much still waits (0: all went), or -errno. */
  send(conn: TlsConnectionHandle, flags: number, syscall: string): number;
}

/** The ciphertext of a socket's channel: one recv or send in the addon, straight into or
 * out of the memory BIOs (no JavaScript call per record). */
export function socketCiphertext(lower: op.Channel): Ciphertext {
  return {
    receive: (conn, flags, syscall) => tls.connectionRecvFd(conn, lower.fdFor(syscall), flags | lower.dontwait),
    send: (conn, flags, syscall) => tls.connectionSendFd(conn, lower.fdFor(syscall), flags | lower.dontwait),
  };
}

/** Whether an error is OpenSSL's report of a transport that ended without close_notify. */
export function isTruncation(error: unknown): boolean {
  return error instanceof SSLError && error.reason === "UNEXPECTED_EOF_WHILE_READING";
}

export class TlsEngine {
  #conn: TlsConnectionHandle | null;
  /** OpenSSL reads and writes the descriptor itself (DTLS; the measured alternative). */
  readonly attached: boolean;
  /** Plaintext SSL_write took whose ciphertext could not all be sent yet: reported as
   * written once it is (OpenSSL's rule: a write that must wait is retried with the same
   * bytes). */
  #unreported = 0;
  /** The peer's transport ending without close_notify once the handshake is done reads as
   * the end of the stream (mbedTLS's mbedtls_ssl_read, and so MicroPython, returns 0 there);
   * set by the MicroPython bridge. Otherwise it is CPython's SSLEOFError. */
  truncationEnds = false;
  /** The end read so: every later read is the end too. */
  #truncated = false;
  /** The handshake has been seen finished (then no step checks for a flight any more). */
  #finished = false;
  /** The direction the last read or write waits for when it is not its own (a write whose
   * handshake waits for the peer's flight: POLLIN; a read waiting to send: POLLOUT), else
   * 0. Polling the descriptor for the call's own direction would report it ready at once
   * while the call still cannot progress: a busy loop (MicroPython's ssl poll_mask). */
  #opposite = 0;

  constructor(conn: TlsConnectionHandle, attached: boolean) {
    this.#conn = conn;
    this.attached = attached;
  }

  /** @internal The native connection; EBADF once freed. */
  handle(syscall: string): TlsConnectionHandle {
    if (this.#conn === null) throw new OSError(E.EBADF, syscall);
    return this.#conn;
  }

  get freed(): boolean {
    return this.#conn === null;
  }

  free(): void {
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null) tls.connectionFree(conn);
  }

  /** The failure behind an SSL_get_error code, as an exception. */
  #fail(code: number, syscall: string, wire?: Ciphertext): never {
    const entry = tls.takeError();
    const conn = this.#conn;
    const verify = conn === null ? 0 : tls.connectionState(conn)[1];
    // What OpenSSL wrote before it failed (the alert telling the peer why) goes out first,
    // without waiting: a peer left without it waits for a flight that never comes.
    if (conn !== null && wire !== undefined && !this.attached) {
      try {
        wire.send(conn, MSG_DONTWAIT, syscall);
      } catch {
        // the socket is gone: the alert cannot go out
      }
    }
    throw sslErrorFrom(entry, code, syscall, verify);
  }

  /** Sends the ciphertext waiting: 0 when all went, waitFor(POLLOUT) otherwise, or -errno. */
  flush(wire: Ciphertext, flags: number, syscall: string): number {
    if (this.attached) return 0;
    const left = wire.send(this.handle(syscall), flags, syscall);
    return left > 0 ? op.waitFor(POLLOUT) : left;
  }

  /** What to do after OpenSSL returned -code: RETRY (input was fed), a result for the
   * operation (0 = end of stream, waitFor(events), -errno), or an exception. */
  #next(code: number, wire: Ciphertext, flags: number, syscall: string): number {
    if (code === SSL_ERROR_WANT_READ) {
      if (this.attached) return this.#dtlsTimer(syscall) ? RETRY : op.waitFor(POLLIN);
      const conn = this.handle(syscall);
      // A handshake step that has just sent a flight waits for the reply instead of reading
      // at once (mbedTLS's read there finds nothing: the peer has not seen the flight). On
      // loopback the send wakes the peer, which can answer before this process runs again,
      // and the step would then carry the handshake further, into failures that belong to
      // the next call (a non-blocking write would meet a verification error that
      // MicroPython meets in drain()). The wait is one poll either way.
      const flight = this.#sendsFlight(conn);
      // What OpenSSL wrote before it needed input (a handshake flight) goes out first.
      const left = wire.send(conn, flags, syscall);
      if (left < 0) return left;
      if (flight) return op.waitFor(left > 0 ? POLLIN | POLLOUT : POLLIN);
      const n = wire.receive(conn, flags, syscall);
      if (n > 0) return RETRY;
      if (n === 0) {
        // The peer's end of stream: OpenSSL reports a truncation, or the close_notify before it.
        tls.connectionFeedEof(conn);
        return RETRY;
      }
      if (n !== -EAGAIN) return n;
      return op.waitFor(left > 0 ? POLLIN | POLLOUT : POLLIN);
    }
    if (code === SSL_ERROR_WANT_WRITE) return op.waitFor(POLLOUT);
    if (code === SSL_ERROR_ZERO_RETURN) return 0;
    return this.#fail(code, syscall, wire);
  }

  /** Whether the handshake is under way and has ciphertext of its own to send now. */
  #sendsFlight(conn: TlsConnectionHandle): boolean {
    if (this.#finished) return false;
    if (tls.connectionState(conn)[0] === 1) {
      this.#finished = true;
      return false;
    }
    return tls.connectionBuffered(conn)[2] > 0;
  }

  /** Whether DTLS's retransmission timer ran out (a blocking descriptor's receive ends
   * when it does): the lost flight was sent again and OpenSSL is to be called again. */
  #dtlsTimer(syscall: string): boolean {
    const conn = this.handle(syscall);
    if (tls.connectionDtlsTimer(conn, false) !== 0) return false;
    tls.connectionDtlsTimer(conn, true);
    return true;
  }

  /** The events a poll for `requested` is to wait for: the direction the last read or
   * write waits for instead of its own, or `requested` itself. */
  pollMask(requested: number): number {
    if (this.#opposite === 0 || (requested & (POLLIN | POLLOUT)) === 0) return requested;
    return (requested & ~(POLLIN | POLLOUT)) | this.#opposite;
  }

  /** Records whether an operation's result waits for the `opposite` direction only. */
  #waits(rc: number, opposite: number): number {
    this.#opposite = rc === op.waitFor(opposite) ? opposite : 0;
    return rc;
  }

  /** The Transport's receive: decrypted bytes (0 = close_notify), -errno or waitFor. */
  recvInto(wire: Ciphertext, buf: Uint8Array, offset: number, length: number, flags: number, syscall: string): number {
    this.#opposite = 0;
    const peek = (flags & MSG_PEEK) !== 0;
    const io = flags & MSG_DONTWAIT;
    for (;;) {
      if (this.#truncated) return 0;
      // (OpenSSL leaves the finished state when it reports the truncation: asked before)
      const ends = this.truncationEnds && this.established;
      const rc = tls.connectionRead(this.handle(syscall), buf, offset, length, peek);
      if (rc >= 0) return rc;
      let next: number;
      try {
        next = this.#next(-rc, wire, io, syscall);
      } catch (error) {
        if (ends && isTruncation(error)) {
          this.#truncated = true;
          return 0;
        }
        throw error;
      }
      if (next !== RETRY) return this.#waits(next, POLLOUT);
    }
  }

  /** The Transport's send: plaintext bytes taken (their ciphertext sent), -errno or waitFor. */
  sendFrom(
    wire: Ciphertext,
    data: ArrayBufferView,
    offset: number,
    length: number,
    flags: number,
    syscall: string,
  ): number {
    this.#opposite = 0;
    const io = flags & MSG_DONTWAIT;
    const flushed = this.flush(wire, io, syscall);
    if (flushed !== 0) return flushed;
    if (this.#unreported > 0) {
      const n = Math.min(this.#unreported, length);
      this.#unreported = 0;
      return n;
    }
    for (;;) {
      const rc = tls.connectionWrite(this.handle(syscall), data, offset, Math.min(length, WRITE_CHUNK));
      if (rc > 0) {
        const left = this.flush(wire, io, syscall);
        if (left === op.waitFor(POLLOUT)) this.#unreported = rc;
        return left === 0 ? rc : left;
      }
      const next = this.#next(-rc, wire, io, syscall);
      if (next === 0) return -E.EPIPE; // the peer closed the TLS session: nothing can be sent
      if (next !== RETRY) return this.#waits(next, POLLIN);
    }
  }

  /** One try at the handshake: 1 when done (and its last flight sent), -errno or waitFor. */
  handshake(wire: Ciphertext, flags: number, syscall: string): number {
    this.#opposite = 0;
    for (;;) {
      const rc = tls.connectionHandshake(this.handle(syscall));
      if (rc === 1) {
        const left = this.flush(wire, flags, syscall);
        return left === 0 ? 1 : left;
      }
      const next = this.#next(-rc, wire, flags, syscall);
      if (next === 0) this.#fail(SSL_ERROR_SYSCALL, syscall);
      if (next !== RETRY) return next;
    }
  }

  /** One try at closing the TLS session: sends close_notify; with `mutual`, also waits for
   * the peer's. 0 when done, -errno or waitFor. */
  shutdown(wire: Ciphertext, mutual: boolean, flags: number, syscall: string): number {
    this.#opposite = 0;
    let sentNow = false;
    for (;;) {
      const rc = tls.connectionShutdown(this.handle(syscall));
      if (rc >= 0) {
        const left = this.flush(wire, flags, syscall);
        if (left !== 0 || rc === 1 || !mutual) return left;
        // The peer's close_notify may already be in the input BIO, taken from the socket
        // with the last data: OpenSSL looks there on a second call, before any wait.
        if (!sentNow) {
          sentNow = true;
          continue;
        }
      }
      const code = rc >= 0 ? SSL_ERROR_WANT_READ : -rc;
      const next = this.#next(code, wire, flags, syscall);
      if (next === 0) return 0; // the peer ended the stream instead: nothing more to wait for
      if (next !== RETRY) return next;
    }
  }

  /** Whether the handshake has finished. */
  get established(): boolean {
    return this.#conn !== null && tls.connectionState(this.#conn)[0] === 1;
  }

  /** Whether a read would return at once without the descriptor: decrypted bytes wait, or
   * a whole record (or the end of the session) waits in the input BIO. */
  readable(): boolean {
    const conn = this.#conn;
    if (conn === null) return false;
    const [ready, input] = tls.connectionBuffered(conn);
    if (ready > 0) return true;
    if (input === 0 || this.attached || tls.connectionState(conn)[0] !== 1) return false;
    const probe = Buffer.allocUnsafe(1);
    const rc = tls.connectionRead(conn, probe, 0, 1, true);
    tls.takeError();
    return rc !== -SSL_ERROR_WANT_READ;
  }
}

/** The channel of operations.ts for an SSLSocket: the TLS engine over the wrapped
 * socket's own channel (the socket itself, or its Promise-layer channel). */
export class TlsChannel implements op.Channel {
  constructor(
    readonly engine: TlsEngine,
    readonly lower: op.Channel,
    readonly kept: op.KeptBytes,
    readonly type: number,
    readonly check: (syscall: string) => void,
    /** MSG_DONTWAIT for a blocking socket whose waits its SSLSocket makes itself. */
    readonly extraFlags = 0,
  ) {
    this.wire = socketCiphertext(lower);
  }

  /** The ciphertext of the socket underneath. */
  readonly wire: Ciphertext;

  get dontwait(): number {
    return this.lower.dontwait | this.extraFlags;
  }

  fdFor(syscall: string): number {
    this.check(syscall);
    return this.lower.fdFor(syscall);
  }

  takeKept(into: Uint8Array, offset: number, length: number, peek: boolean): number {
    return this.kept.take(into, offset, length, peek);
  }

  keepBack(bytes: Uint8Array): void {
    this.kept.keepBack(bytes);
  }

  recvInto(buf: Uint8Array, offset: number, length: number, flags: number, syscall: string): number {
    this.check(syscall);
    return this.engine.recvInto(this.wire, buf, offset, length, flags | this.extraFlags, syscall);
  }

  sendFrom(data: ArrayBufferView, offset: number, length: number, flags: number, syscall: string): number {
    this.check(syscall);
    return this.engine.sendFrom(this.wire, data, offset, length, flags | this.extraFlags, syscall);
  }
}

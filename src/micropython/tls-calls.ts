// The JavaScript side of the bridge's `tls` and `ssl` (py/tls.py): contexts and TLS
// connections of usocket-node/ssl, under the rules of calls.ts (nothing throws; numbers
// and strings cross; bytes move through the interpreter's memory). Two kinds of
// connection: over a socket of the bridge, the SSLSocket of usocket-node/ssl does the
// socket I/O itself (timeouts, non-blocking steps, the poll rule are its own); over any
// other MicroPython stream, Python moves the ciphertext between the stream and the
// engine's memory BIOs (stream_*), as mbedTLS's send/recv callbacks do on a board.
// Every failure leaves here in mbedTLS's form (tls-mbedtls.ts).
import { createRequire } from "node:module";
import { OSError } from "../errors.js";
import { native } from "../native.js";
import type { Socket } from "../socket.js";
import type * as SslModule from "../ssl.js";
import type * as ContextModule from "../tls-context.js";
import type * as NativeModule from "../tls-native.js";
import type * as ErrorsModule from "../tls-errors.js";
import type { Heap } from "./heap.js";
import {
  BAD_CONFIG,
  BAD_INPUT_DATA,
  CONN_EOF,
  ianaCipherName,
  MBEDTLS_CIPHER_ORDER,
  MBEDTLS_SECURITY_LEVEL,
  mbedtlsCipherName,
  mbedtlsForm,
  PSK_MAX_LEN,
  type MbedError,
} from "./tls-mbedtls.js";
import { createPrivateKey, X509Certificate } from "node:crypto";

/** What calls.ts lends the TLS calls. */
export interface BridgeCore {
  socket(id: number): Socket;
  /** The result code for an exception (calls.ts's rules). */
  fail(error: unknown): number;
  /** Sets the details of an OTHER result: "kind\x01errno\x01message". */
  setError(text: string): void;
  /** Holds bytes for take(); their length. */
  hold(bytes: Uint8Array): number;
  readonly OTHER: number;
  readonly STALE: number;
  readonly NONE: number;
}

/** Keys of select's poll registrations that name a TLS connection (above any socket id). */
export const TLS_KEY_BASE = 0x20000000;
/** stream_step: OpenSSL needs ciphertext from the stream first. */
const WANT_READ = -0x3fff0010;

const FIELD = "\x01";
const EBADF = native.errno["EBADF"]!;

interface Loaded {
  ssl: typeof SslModule;
  context: typeof ContextModule;
  native: typeof NativeModule;
  errors: typeof ErrorsModule;
}

let loaded: Loaded | null = null;

/** usocket-node/ssl, loaded on the first TLS call (the bridge runs without it otherwise). */
function lib(): Loaded {
  if (loaded === null) {
    const require = createRequire(import.meta.url);
    loaded = {
      ssl: require("../ssl.js") as typeof SslModule,
      context: require("../tls-context.js") as typeof ContextModule,
      native: require("../tls-native.js") as typeof NativeModule,
      errors: require("../tls-errors.js") as typeof ErrorsModule,
    };
  }
  return loaded;
}

/** An mbedTLS error raised by the bridge itself (a check mbedTLS makes that OpenSSL does not). */
class MbedtlsFailure extends Error {
  constructor(readonly mbed: MbedError) {
    super(mbed.name);
  }
}

function raiseMbed(error: MbedError): never {
  throw new MbedtlsFailure(error);
}

/** A TLS connection over a MicroPython stream that is not a bridge socket. */
interface StreamConnection {
  kind: "stream";
  ctx: SslModule.SSLContext;
  conn: NativeModule.TlsConnectionHandle;
  freed: boolean;
  /** The stream ended without close_notify after the handshake: reads return the end. */
  ended?: boolean;
}

interface SocketConnection {
  kind: "socket";
  ctx: SslModule.SSLContext;
  ssl: SslModule.SSLSocket;
  /** Decrypted bytes read while the heap was moving, for the retried call. */
  carry: Buffer | null;
}

type Connection = StreamConnection | SocketConnection;

/** Python's function for the callbacks OpenSSL makes during a handshake:
 * ("psk", context id, identity hex) → key hex or "", ("verify", id, der hex, depth) → "0" or a code. */
type Dispatcher = (kind: string, ctx: number, data: string, depth: number) => unknown;

/** The TLS calls of one interpreter, and how select's poll finds a connection by its key. */
export interface TlsCalls {
  calls: Record<string, (...args: never[]) => number | string>;
  /** The SSLSocket behind poll key TLS_KEY_BASE + id (its `_hasKept` is the poll rule). */
  pollable(key: number): TlsPollable;
}

export function createTlsCalls(heap: Heap, core: BridgeCore): TlsCalls {
  const contexts = new Map<number, SslModule.SSLContext>();
  const connections = new Map<number, Connection>();
  let nextContext = 1;
  let nextConnection = 1;
  let dispatcher: Dispatcher | null = null;
  let scratch = Buffer.alloc(16384);

  /** calls.ts's fail, with TLS failures in mbedTLS's form. */
  function fail(error: unknown, handshaking = true): number {
    if (error instanceof MbedtlsFailure) {
      core.setError(`O${FIELD}${error.mbed.code}${FIELD}${error.mbed.name}`);
      return core.OTHER;
    }
    if (error instanceof OSError && "reason" in error) {
      const form = mbedtlsForm(error as OSError & { reason?: unknown }, handshaking);
      core.setError(
        form.kind === "value" ? `V${FIELD}0${FIELD}${form.message}` : `O${FIELD}${form.code}${FIELD}${form.message}`,
      );
      return core.OTHER;
    }
    return core.fail(error);
  }

  function context(id: number): SslModule.SSLContext {
    const c = contexts.get(id);
    if (c === undefined) throw new OSError(EBADF, "SSLContext");
    return c;
  }

  function connection(id: number): Connection {
    const c = connections.get(id);
    if (c === undefined) throw new OSError(EBADF, "SSLSocket");
    return c;
  }

  function onSocket(id: number): SocketConnection {
    const c = connection(id);
    if (c.kind !== "socket") throw new OSError(EBADF, "SSLSocket");
    return c;
  }

  function onStream(id: number): StreamConnection {
    const c = connection(id);
    if (c.kind !== "stream" || c.freed) throw new OSError(EBADF, "SSLSocket");
    return c;
  }

  /** A copy of Python's bytes (the heap may move while OpenSSL calls back into Python). */
  function copy(addr: number, length: number): Buffer | null {
    const bytes = heap.bytes();
    if (bytes === null) return null;
    return Buffer.from(bytes.subarray(addr >>> 0, (addr >>> 0) + length));
  }

  function room(n: number): Buffer {
    if (scratch.length < n) scratch = Buffer.alloc(Math.max(n, scratch.length * 2));
    return scratch;
  }

  /** Copies decrypted bytes into Python's buffer; keeps them for the retry if the heap moved. */
  function deliver(c: SocketConnection | null, data: Uint8Array, addr: number): number {
    const bytes = heap.bytes();
    if (bytes === null) {
      if (c !== null) c.carry = Buffer.from(data);
      return core.STALE;
    }
    bytes.set(data, addr >>> 0);
    return data.length;
  }

  function established(c: Connection): boolean {
    if (c.kind === "socket") return c.ssl.fileno() >= 0 && c.ssl.cipher() !== null;
    return !c.freed && lib().native.tls.connectionState(c.conn)[0] === 1;
  }

  function callback(kind: string, ctx: number, data: string, depth: number): string {
    if (dispatcher === null) return "";
    const r = dispatcher(kind, ctx, data, depth);
    return typeof r === "string" ? r : "";
  }

  const calls = {
    /** Python's dispatcher for OpenSSL's callbacks (set once per interpreter). */
    tls_callbacks(fn: Dispatcher): number {
      dispatcher = typeof fn === "function" ? fn : null;
      return 0;
    },
    tls_version(): number | string {
      try {
        return lib().ssl.OPENSSL_VERSION;
      } catch (error) {
        return core.fail(error);
      }
    },

    // ---- SSLContext ----
    tls_ctx_new(protocol: number): number {
      try {
        const { ssl } = lib();
        const ctx = new ssl.SSLContext(protocol);
        ctx._setSecurityLevel(MBEDTLS_SECURITY_LEVEL);
        // MicroPython's TLS is 1.2 with mbedTLS's suites in mbedTLS's order (a list
        // without TLS 1.3 suites also caps the version at 1.2); DTLS is 1.2 already.
        if (protocol < ssl.PROTOCOL_DTLS_CLIENT) ctx.set_ciphers(MBEDTLS_CIPHER_ORDER);
        const id = nextContext++;
        contexts.set(id, ctx);
        return id;
      } catch (error) {
        return fail(error);
      }
    },
    tls_ctx_free(id: number): number {
      contexts.delete(id);
      return 0;
    },
    tls_ctx_verify_mode(id: number, mode: number): number {
      try {
        context(id).verify_mode = mode;
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    /** load_cert_chain(cert, key) with the data itself: key checked first, as mbedTLS does. */
    tls_ctx_load_cert_chain(id: number, certAddr: number, certLen: number, keyAddr: number, keyLen: number): number {
      try {
        const ctx = context(id);
        const cert = certLen < 0 ? Buffer.alloc(0) : copy(certAddr, certLen);
        const key = copy(keyAddr, keyLen);
        if (cert === null || key === null) return core.STALE;
        if (!parsesAsKey(key)) throw new RangeError("invalid key");
        if (certLen < 0) throw new TypeError("cert must be bytes or str");
        if (!parsesAsCertificate(cert)) throw new RangeError("invalid cert");
        try {
          ctx.load_cert_chain(cert, key);
        } catch (error) {
          if (error instanceof OSError) throw new RangeError("invalid key: it does not match the certificate");
          throw error;
        }
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    tls_ctx_load_verify(id: number, addr: number, length: number): number {
      try {
        const ctx = context(id);
        const data = copy(addr, length);
        if (data === null) return core.STALE;
        if (!parsesAsCertificate(data)) throw new RangeError("invalid cert");
        try {
          ctx.load_verify_locations(null, data);
        } catch (error) {
          if (error instanceof OSError) throw new RangeError("invalid cert");
          throw error;
        }
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    tls_ctx_get_ciphers(id: number): number | string {
      try {
        return context(id).get_ciphers().map(mbedtlsCipherName).join(FIELD);
      } catch (error) {
        return fail(error);
      }
    },
    tls_ctx_set_ciphers(id: number, names: string): number {
      try {
        const ctx = context(id);
        const list = names === "" ? [] : names.split(FIELD);
        if (list.length === 0) raiseMbed(BAD_CONFIG);
        const { native: n } = lib();
        for (const name of list) {
          if (!name.startsWith("TLS-") || n.tls.cipherName(ianaCipherName(name)) === null) raiseMbed(BAD_CONFIG);
        }
        try {
          ctx.set_ciphers(list.map(ianaCipherName));
        } catch (error) {
          if (error instanceof OSError) raiseMbed(BAD_CONFIG);
          throw error;
        }
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    tls_ctx_psk_client(id: number, identAddr: number, identLen: number, keyAddr: number, keyLen: number): number {
      try {
        const ctx = context(id);
        if (keyLen > PSK_MAX_LEN || keyLen === 0 || identLen === 0) raiseMbed(BAD_INPUT_DATA);
        const identity = copy(identAddr, identLen);
        const key = copy(keyAddr, keyLen);
        if (identity === null || key === null) return core.STALE;
        ctx.psk_identity = identity;
        ctx.psk_key = key;
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    /** The server's keys are looked up in Python (server_psk_keys.get) during the handshake. */
    tls_ctx_psk_server(id: number, on: number): number {
      try {
        const ctx = context(id);
        ctx.server_psk_keys =
          on === 0
            ? null
            : {
                get(identity: string): Uint8Array | null {
                  const hex = callback("psk", id, Buffer.from(identity, "latin1").toString("hex"), 0);
                  const key = hex === "" ? null : Buffer.from(hex, "hex");
                  return key !== null && key.length > 0 && key.length <= PSK_MAX_LEN ? key : null;
                },
              };
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    tls_ctx_verify_callback(id: number, on: number): number {
      try {
        context(id).verify_callback =
          on === 0
            ? null
            : (der: Buffer, depth: number): number => Number(callback("verify", id, der.toString("hex"), depth) || "0");
        return 0;
      } catch (error) {
        return fail(error);
      }
    },

    // ---- connections ----
    /** wrap_socket over a bridge socket: the SSLSocket of usocket-node/ssl. */
    tls_wrap(
      ctxId: number,
      sockId: number,
      server: number,
      hostname: string | null,
      cidAddr: number,
      cidLen: number,
      handshake: number,
    ): number {
      try {
        const ctx = context(ctxId);
        const sock = core.socket(sockId);
        if (ctx.protocol === lib().ssl.PROTOCOL_DTLS_SERVER && cidLen < 0) raiseMbed(BAD_INPUT_DATA);
        let clientId: Buffer | null = null;
        if (cidLen >= 0) {
          clientId = copy(cidAddr, cidLen);
          if (clientId === null) return core.STALE;
        }
        const s = ctx.wrap_socket(sock, {
          server_side: server !== 0,
          server_hostname: hostname,
          client_id: clientId,
          do_handshake_on_connect: handshake !== 0,
        });
        s._truncationEnds();
        const id = nextConnection++;
        connections.set(id, { kind: "socket", ctx, ssl: s, carry: null });
        return id;
      } catch (error) {
        return fail(error);
      }
    },
    /** wrap_socket over any other stream: an engine whose ciphertext Python carries. */
    tls_wrap_stream(ctxId: number, server: number, hostname: string | null, cidAddr: number, cidLen: number): number {
      try {
        const ctx = context(ctxId);
        const { native: n } = lib();
        if (ctx.protocol === lib().ssl.PROTOCOL_DTLS_SERVER && cidLen < 0) raiseMbed(BAD_INPUT_DATA);
        let clientId: Buffer | null = null;
        if (cidLen >= 0) {
          clientId = copy(cidAddr, cidLen);
          if (clientId === null) return core.STALE;
        }
        const [sni, host, ip] = ctx._names(hostname);
        const conn = n.tls.connectionNew(ctx._handle(), server !== 0, sni, host, ip, clientId);
        if (conn === null) throw lib().errors.takeSSLError("wrap_socket", "could not create the TLS connection");
        const id = nextConnection++;
        connections.set(id, { kind: "stream", ctx, conn, freed: false });
        return id;
      } catch (error) {
        return fail(error);
      }
    },
    tls_close(id: number): number {
      const c = connections.get(id);
      connections.delete(id);
      try {
        if (c?.kind === "socket") c.ssl.close();
        else if (c !== undefined && !c.freed) {
          c.freed = true;
          lib().native.tls.connectionFree(c.conn);
        }
        return 0;
      } catch (error) {
        return fail(error, false);
      }
    },
    /** Whether the handshake is over (1) or not (0). */
    tls_established(id: number): number {
      try {
        return established(connection(id)) ? 1 : 0;
      } catch (error) {
        return fail(error);
      }
    },
    /** Decrypted bytes waiting in the TLS layer (1 also when a whole record waits undecrypted). */
    tls_pending(id: number): number {
      try {
        const c = connection(id);
        if (c.kind === "socket") return c.carry !== null || c.ssl._hasKept ? 1 : 0;
        return lib().native.tls.connectionBuffered(c.conn)[0] > 0 ? 1 : 0;
      } catch (error) {
        return fail(error);
      }
    },
    /** "name\x01version" in mbedTLS's names, or "" before the handshake. */
    tls_cipher(id: number): number | string {
      try {
        const c = connection(id);
        const cipher =
          c.kind === "socket" ? c.ssl.cipher() : c.freed ? null : lib().native.tls.connectionCipher(c.conn);
        if (cipher === null) return "";
        return `${mbedtlsCipherName(ianaOf(c.ctx, cipher[0]))}${FIELD}${cipher[1]}`;
      } catch (error) {
        return fail(error, false);
      }
    },
    /** The peer's certificate (DER) for take(), or NONE. */
    tls_peercert(id: number): number {
      try {
        const c = connection(id);
        const der =
          c.kind === "socket"
            ? (c.ssl.getpeercert(true) as Buffer | null)
            : c.freed
              ? null
              : lib().native.tls.connectionPeerCertificate(c.conn);
        return der === null ? core.NONE : core.hold(der);
      } catch (error) {
        return fail(error, false);
      }
    },

    // ---- over a bridge socket ----
    /** readinto (one = 0: fill, as the stream rules) or recv_into (one = 1: one read); NONE
     * when a non-blocking socket had nothing. */
    tls_readinto(id: number, addr: number, length: number, one: number): number {
      let c: SocketConnection | null = null;
      let handshaking = false;
      try {
        c = onSocket(id);
        if (c.carry !== null) {
          const carry = c.carry;
          const n = Math.min(carry.length, length);
          if (heap.bytes() === null) return core.STALE;
          c.carry = n < carry.length ? carry.subarray(n) : null;
          return deliver(null, carry.subarray(0, n), addr);
        }
        handshaking = !established(c);
        const buf = room(length).subarray(0, length);
        const n = one !== 0 ? c.ssl.recv_into(buf, length) : c.ssl.readinto(buf, length);
        if (n === null) return core.NONE;
        return deliver(c, buf.subarray(0, n), addr);
      } catch (error) {
        return fail(error, handshaking);
      }
    },
    tls_readline(id: number, limit: number): number {
      let handshaking = false;
      try {
        const c = onSocket(id);
        handshaking = !established(c);
        const line = c.ssl.readline(limit < 0 ? undefined : limit);
        return line === null ? core.NONE : core.hold(line);
      } catch (error) {
        return fail(error, handshaking);
      }
    },
    /** write (one = 0: all of it, as the stream rules) or send (one = 1: one TLS write). */
    tls_write(id: number, addr: number, length: number, one: number): number {
      let handshaking = false;
      try {
        const c = onSocket(id);
        const data = copy(addr, length);
        if (data === null) return core.STALE;
        handshaking = !established(c);
        const n = one !== 0 ? c.ssl.send(data) : c.ssl.write(data);
        return n === null ? core.NONE : n;
      } catch (error) {
        return fail(error, handshaking);
      }
    },
    /** The key select's poll registers this connection under. */
    tls_fileno(id: number): number {
      const c = connections.get(id);
      return c?.kind === "socket" ? c.ssl.fileno() : -1;
    },

    // ---- over another stream: Python carries the ciphertext ----
    /** One step: op 0 handshake (1 when done), 1 read into addr, 2 write from addr, 3 close_notify.
     * WANT_READ when OpenSSL needs ciphertext from the stream first (what it wrote first
     * waits in stream_out). */
    stream_step(id: number, op: number, addr: number, length: number): number {
      let handshaking = true;
      try {
        const c = onStream(id);
        const { native: n, errors } = lib();
        const tls = n.tls;
        handshaking = tls.connectionState(c.conn)[0] !== 1;
        let rc: number;
        let buf: Buffer | null = null;
        if (op === 0) rc = tls.connectionHandshake(c.conn);
        else if (op === 1 && c.ended === true) return 0;
        else if (op === 1) {
          buf = room(length);
          rc = length === 0 ? 0 : tls.connectionRead(c.conn, buf, 0, length, false);
        } else if (op === 2) {
          const data = copy(addr, length);
          if (data === null) return core.STALE;
          rc = length === 0 ? 0 : tls.connectionWrite(c.conn, data, 0, length);
        } else {
          rc = tls.connectionShutdown(c.conn);
          return Math.max(rc, 0);
        }
        if (rc >= 0) {
          if (op === 1 && buf !== null && rc > 0) return deliver(null, buf.subarray(0, rc), addr);
          return rc;
        }
        const code = -rc;
        if (code === errors.SSL_ERROR_WANT_READ || code === errors.SSL_ERROR_WANT_WRITE) return WANT_READ;
        if (code === errors.SSL_ERROR_ZERO_RETURN) return 0;
        const entry = tls.takeError();
        const failure = errors.sslErrorFrom(entry, code, "stream", tls.connectionState(c.conn)[1]);
        // After the handshake the stream ending without close_notify is the end of the data,
        // as mbedtls_ssl_read returns 0 there; during it, mbedTLS's CONN_EOF.
        if (failure.reason === "UNEXPECTED_EOF_WHILE_READING") {
          if (op === 1 && !handshaking) {
            c.ended = true;
            return 0;
          }
          raiseMbed(CONN_EOF);
        }
        throw failure;
      } catch (error) {
        return fail(error, handshaking);
      }
    },
    /** Moves ciphertext the engine wrote into Python's buffer: how many bytes. */
    stream_out(id: number, addr: number, capacity: number): number {
      try {
        const c = onStream(id);
        const bytes = heap.bytes();
        if (bytes === null) return core.STALE;
        return Math.max(0, lib().native.tls.connectionDrain(c.conn, bytes, addr >>> 0, capacity));
      } catch (error) {
        return fail(error, false);
      }
    },
    /** Hands ciphertext read from the stream to the engine (length 0: the stream ended). */
    stream_in(id: number, addr: number, length: number): number {
      try {
        const c = onStream(id);
        const tls = lib().native.tls;
        if (length === 0) return tls.connectionFeedEof(c.conn) < 0 ? 0 : 0;
        const bytes = heap.bytes();
        if (bytes === null) return core.STALE;
        return tls.connectionFeed(c.conn, bytes, addr >>> 0, length);
      } catch (error) {
        return fail(error, false);
      }
    },
    /** Whether ciphertext waits to go to the stream (1) or not (0). */
    stream_waiting(id: number): number {
      try {
        return lib().native.tls.connectionBuffered(onStream(id).conn)[2] > 0 ? 1 : 0;
      } catch (error) {
        return fail(error, false);
      }
    },
    tls_codes(): string {
      return `${WANT_READ},${TLS_KEY_BASE}`;
    },
  };

  function pollable(key: number): TlsPollable {
    return onSocket(key - TLS_KEY_BASE).ssl;
  }

  return { calls, pollable };
}

/** OpenSSL's own name of a negotiated suite → its IANA name (found in the context's list). */
function ianaOf(ctx: SslModule.SSLContext, openssl: string): string {
  const tls = lib().native.tls;
  if (openssl.startsWith("TLS_")) return openssl;
  for (const iana of ctx.get_ciphers()) if (tls.cipherName(iana) === openssl) return iana;
  return openssl;
}

function parsesAsKey(data: Buffer): boolean {
  const pem = data.includes("-----BEGIN ");
  const attempts: Parameters<typeof createPrivateKey>[0][] = pem
    ? [{ key: data, format: "pem" }]
    : [
        { key: data, format: "der", type: "pkcs8" },
        { key: data, format: "der", type: "pkcs1" },
        { key: data, format: "der", type: "sec1" },
      ];
  for (const attempt of attempts) {
    try {
      createPrivateKey(attempt);
      return true;
    } catch {
      // the next form
    }
  }
  return false;
}

function parsesAsCertificate(data: Buffer): boolean {
  try {
    new X509Certificate(data);
    return true;
  } catch {
    return false;
  }
}

/** The SSLSocket behind a poll key of TLS_KEY_BASE + id, for select's Poll. */
export type TlsPollable = { fileno(): number; readonly _hasKept: boolean };

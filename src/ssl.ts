// usocket-node/ssl: MicroPython's ssl/tls module over the running node's OpenSSL
// (docs/behaviour.md §11). Importing it loads the TLS addon; the socket module does not.
import type { Address } from "./addresses.js";
import type { Socket, SocketMode } from "./socket.js";
import { CERT_NONE, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext, type CertInput } from "./tls-context.js";
import type { SSLSocket } from "./tls-socket.js";
import { describeType } from "./validate.js";

export {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  OPENSSL_VERSION,
  PROTOCOL_DTLS_CLIENT,
  PROTOCOL_DTLS_SERVER,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  TLSVersion,
} from "./tls-context.js";
export type { CertInput, KeyPassword, PskKeys, WrapOptions } from "./tls-context.js";
export { SSLSocket } from "./tls-socket.js";
export type { NameForm, PeerCertificate } from "./tls-socket.js";
export { SSLError, SSLCertVerificationError } from "./tls-errors.js";

/** Options of the module-level wrap_socket (MicroPython's). */
export interface ModuleWrapOptions {
  server_side?: boolean;
  /** The private key (bytes: PEM or DER data; string: a path). */
  key?: CertInput | null;
  /** The certificate (bytes: PEM or DER data; string: a path). */
  cert?: CertInput | null;
  /** CERT_NONE (default), CERT_OPTIONAL or CERT_REQUIRED. */
  cert_reqs?: number;
  /** CA certificates to verify the peer with (PEM or DER data). */
  cadata?: CertInput | null;
  server_hostname?: string | null;
  /** Do the handshake now (default true). */
  do_handshake?: boolean;
}

/** wrap_socket(sock, options): MicroPython's module function, a context made from the
 * options and its wrap_socket. */
export function wrap_socket<A extends Address, Mode extends SocketMode>(
  sock: Socket<A, Mode>,
  options: ModuleWrapOptions = {},
): SSLSocket<A, Mode> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`wrap_socket: options must be an object, not ${describeType(options)}`);
  }
  const server = options.server_side ?? false;
  const context = new SSLContext(server === true ? PROTOCOL_TLS_SERVER : PROTOCOL_TLS_CLIENT);
  context.verify_mode = options.cert_reqs ?? CERT_NONE;
  if (options.cert !== undefined && options.cert !== null) {
    context.load_cert_chain(options.cert, options.key ?? undefined);
  } else if (options.key !== undefined && options.key !== null) {
    throw new TypeError("wrap_socket: key needs cert");
  }
  if (options.cadata !== undefined && options.cadata !== null) {
    context.load_verify_locations(
      undefined,
      typeof options.cadata === "string" ? Buffer.from(options.cadata) : options.cadata,
    );
  }
  return context.wrap_socket(sock, {
    server_side: server,
    server_hostname: options.server_hostname ?? null,
    do_handshake_on_connect: options.do_handshake ?? true,
  });
}

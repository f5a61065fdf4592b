// Compiled (not run) by `npm run typecheck`: an SSLSocket takes its address form and its
// stream methods' mode from the socket it wraps, as Socket<A, Mode> does. The lines marked as
// expected errors must fail to compile, so these checks can fail both ways.
import * as socket from "../../dist/index.js";
import { poll, select, POLLIN } from "../../dist/select.js";
import {
  PROTOCOL_TLS_CLIENT,
  SSLContext,
  wrap_socket,
  type NameForm,
  type PeerCertificate,
  type SSLSocket,
} from "../../dist/ssl.js";

const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);

// A blocking-typed socket gives a blocking-typed SSLSocket: no null from the stream methods.
const tls = ctx.wrap_socket(socket.create_connection(["localhost", 443]), { server_hostname: "localhost" });
const line: string = tls.readline().toString();
const body: Buffer = tls.read();
const filled: number = tls.readinto(new Uint8Array(4));
const wrote: number = tls.write("x");
const plain: socket.Socket<socket.IPv4Address | socket.IPv6Address> = tls.unwrap();

// A NonBlockingSocket can be wrapped, and its SSLSocket's stream methods include null.
const nb: socket.NonBlockingSocket<socket.IPv4Address> = socket.socket();
nb.setblocking(false);
const nbTls: SSLSocket<socket.IPv4Address, socket.SocketMode> = ctx.wrap_socket(nb, { do_handshake_on_connect: false });
const maybe: Buffer | null = nbTls.read(10);
// @ts-expect-error a non-blocking TLS read may return null
const certain: Buffer = nbTls.readline();
// @ts-expect-error a non-blocking TLS write may return null
const sent: number = nbTls.write("x");
// @ts-expect-error an SSLSocket typed for either mode is not a blocking one
const blockingTls: SSLSocket = nbTls;

// The address form follows the wrapped socket's family.
const v6 = ctx.wrap_socket(socket.socket(socket.AF_INET6));
const [host6, port6, flowinfo, scopeid]: [string, number, number, number] = v6.getpeername();
// @ts-expect-error an AF_INET SSLSocket's address has no scope id
const noScope: number = nbTls.getsockname()[3];

// The module function (MicroPython's) types the same way.
const module: SSLSocket<socket.IPv4Address> = wrap_socket(socket.socket(), { server_hostname: "localhost" });
const moduleLine: Buffer = module.readline();

// The Promise twins never resolve null, whatever the SSLSocket is typed for.
async function twins(): Promise<void> {
  const a: Buffer = await nbTls.readlineAsync();
  const b: number = await nbTls.writeAsync("x");
  const c: number = await nbTls.readintoAsync(new Uint8Array(4));
  const d: Buffer = await nbTls.readAsync();
  const wrapped: SSLSocket<socket.IPv4Address, socket.SocketMode> = await ctx.wrap_socketAsync(nb);
  void [a, b, c, d, wrapped];
}

// getpeercert's result follows binary_form: DER bytes, or the dictionary (empty when the
// certificate was not verified), null before the handshake.
const der: Buffer | null = tls.getpeercert(true);
const cert = tls.getpeercert();
if (cert !== null && "subject" in cert) {
  const subject: NameForm = cert.subject;
  const notAfter: string = cert.notAfter;
  const names: PeerCertificate["subjectAltName"] = cert.subjectAltName;
  void [subject, notAfter, names];
}
// @ts-expect-error the dictionary form is not bytes
const notBytes: Buffer | null = tls.getpeercert(false);
const either = tls.getpeercert(Math.random() > 0.5);
void [der, notBytes, either];

// SSLSockets of either mode can be polled and selected.
const p = poll();
p.register(nbTls, POLLIN);
p.register(tls, POLLIN);
const ready = select([nbTls, tls], [], []);

void [
  line,
  body,
  filled,
  wrote,
  plain,
  maybe,
  certain,
  sent,
  blockingTls,
  host6,
  port6,
  flowinfo,
  scopeid,
  noScope,
  moduleLine,
  twins,
  ready,
];

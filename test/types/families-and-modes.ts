// Compiled (not run) by `npm run typecheck`: the address type follows the family constant,
// and the stream methods' null follows the mode a socket is typed for. The lines marked as
// expected errors must fail to compile, so these checks can fail both ways.
import * as socket from "../../dist/index.js";
import { poll, select, POLLIN } from "../../dist/select.js";

// Families: the default and AF_INET give [host, port], AF_INET6 the 4-tuple, AF_UNIX a path
// (a string, or a Buffer for a name that is not UTF-8).
const v4 = socket.socket();
const port: number = v4.getsockname()[1];
const [conn, peer]: [socket.Socket<socket.IPv4Address>, socket.IPv4Address] = v4.accept();
const [dgram, from]: [Buffer, [string, number]] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM).recvfrom(100);
const v6 = socket.socket(socket.AF_INET6);
const [host6, port6, flowinfo, scopeid]: [string, number, number, number] = v6.getpeername();
const unix = socket.socket(socket.AF_UNIX);
const path: string | Buffer = unix.getsockname();
const [left, right] = socket.socketpair();
const pairPath: socket.UnixAddress = left.getpeername();
const created: socket.IPv4Address | socket.IPv6Address = socket.create_connection(["localhost", 80]).getsockname();
const resolved: socket.IPv6Address = socket.getaddrinfo("::1", 80, socket.AF_INET6)[0]![4];
// @ts-expect-error an AF_INET socket's address has no scope id
const noScope: number = v4.getsockname()[3];
// A family given as a plain number gives the union: the port may be a character of a path.
const plain = socket.socket(10 as number);
const either: socket.Address = plain.getsockname();
// @ts-expect-error the union's [1] is string | number
const notKnown: number = plain.getsockname()[1];
const anyAnswer: socket.Address = socket.getaddrinfo("localhost", 80)[0]![4];

// Modes: a blocking-typed socket's stream methods never return null; a NonBlockingSocket's may.
const text: string = v4.readline().toString();
const filled: number = v4.readinto(new Uint8Array(4));
const wrote: number = v4.write("x");
const nb: socket.NonBlockingSocket<socket.IPv4Address> = socket.socket();
nb.setblocking(false);
const maybe: Buffer | null = nb.read(10);
// @ts-expect-error a non-blocking read may return null
const certain: Buffer = nb.readline();
// @ts-expect-error a socket typed for either mode is not a blocking one
const blocking: socket.Socket = nb;
async function twins(): Promise<void> {
  // The Promise twins never resolve null, whatever the socket is typed for.
  const line: Buffer = await nb.readlineAsync();
  const n: number = await nb.writeAsync("x");
  const got: number = await nb.readintoAsync(new Uint8Array(4));
  const all: Buffer = await nb.readAsync();
  void [line, n, got, all];
}

// Every typing of a socket can be polled and selected.
const p = poll();
p.register(nb, POLLIN);
p.register(v6, POLLIN);
const ready: [socket.AnySocket[], socket.AnySocket[], socket.AnySocket[]] = select<socket.AnySocket>(
  [nb, v4, unix],
  [],
  [],
);

void [
  port,
  conn,
  peer,
  dgram,
  from,
  host6,
  port6,
  flowinfo,
  scopeid,
  path,
  right,
  pairPath,
  created,
  resolved,
  noScope,
  either,
  notKnown,
  anyAnswer,
  text,
  filled,
  wrote,
  maybe,
  certain,
  blocking,
  twins,
  ready,
];

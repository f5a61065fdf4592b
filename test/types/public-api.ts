// Compiled (not run) by `npm run typecheck`: the public declarations are usable as a
// TypeScript user would use them, with no `any` leaking out.
import * as socket from "../../dist/index.js";
import { ETIMEDOUT, errorcode } from "../../dist/errno.js";

const s: socket.Socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
const info: socket.AddrInfo[] = socket.getaddrinfo("127.0.0.1", 80, 0, socket.SOCK_STREAM);
const addr: socket.Address = info[0]![4];
s.settimeout(0.5);
const t: number | null = s.gettimeout();
try {
  s.connect(addr);
} catch (error) {
  if (error instanceof socket.OSError && error.errno === ETIMEDOUT) {
    const name: string = errorcode[error.args[0]] ?? error.code;
    void name;
  }
}
const data: Buffer = s.recv(10);
const line: Buffer | null = s.readline();
const n: number | null = s.readinto(new Uint8Array(4));
const [peer, from]: [socket.Socket, socket.Address] = s.accept();
const opt: number = s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE);
const raw: Buffer = s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8);
// buflen 0 is the integer form (CPython's), so it is typed as one.
const zero: number = s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0);
// @ts-expect-error a non-zero buflen gives bytes
const notInt: number = s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8);
void [zero, notInt];
{
  using scoped = socket.socket();
  void scoped;
}
void [t, data, line, n, peer, from, opt, raw];

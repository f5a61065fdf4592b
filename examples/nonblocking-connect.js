// Non-blocking connect with a deadline: connect() on a non-blocking socket raises
// OSError(EINPROGRESS) at once; poll(2) for POLLOUT tells when the attempt is over, and
// getsockopt(SOL_SOCKET, SO_ERROR) tells how it ended. Three attempts on loopback: one that
// succeeds, one refused (nobody listens on the port), and one that the deadline cuts short
// (the listener's accept queue is full, so the kernel drops the handshake's first packet
// and the attempt would otherwise go on for minutes).
//
//   node examples/nonblocking-connect.js
import * as socket from "usocket-node";
import { errorcode } from "usocket-node/errno";
import { poll, POLLOUT } from "usocket-node/select";

/** Connects `s` to `address` within `ms` milliseconds; returns "connected" or why not. */
function connectWithin(s, address, ms) {
  const deadline = performance.now() + ms;
  s.setblocking(false);
  try {
    s.connect(address);
    return "connected";
  } catch (error) {
    if (error.code !== "EINPROGRESS") return `refused at once: ${error.code}`;
  }
  const p = poll();
  p.register(s, POLLOUT);
  for (;;) {
    const left = Math.max(0, Math.ceil(deadline - performance.now()));
    if (p.poll(left).length > 0) {
      const status = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
      return status === 0 ? "connected" : `failed: ${errorcode[status]}`;
    }
    if (left === 0) return `no answer within ${ms} ms: gave up`;
  }
}

const open = [];
const track = (s) => {
  open.push(s);
  return s;
};
try {
  const listener = track(socket.socket());
  listener.bind(["127.0.0.1", 0]);
  listener.listen(0);
  const address = listener.getsockname();

  const first = track(socket.socket());
  const outcome = connectWithin(first, address, 2000);
  console.log(`to ${address.join(":")} (listening): ${outcome}`);

  const gone = track(socket.socket());
  gone.bind(["127.0.0.1", 0]);
  const closedAddress = gone.getsockname();
  gone.close();
  const refused = connectWithin(track(socket.socket()), closedAddress, 2000);
  console.log(`to ${closedAddress.join(":")} (nobody listening): ${refused}`);

  // listen(0) leaves room for one or two finished handshakes that nobody accepts; fill
  // them, and the next attempt gets no answer at all.
  let cut = "";
  for (let i = 0; i < 8 && !cut.startsWith("no answer"); i++) cut = connectWithin(track(socket.socket()), address, 300);
  console.log(`to ${address.join(":")} (accept queue full): ${cut}`);

  if (outcome !== "connected" || !refused.includes("ECONNREFUSED") || !cut.startsWith("no answer")) {
    throw new Error("an attempt ended in an unexpected way");
  }
} finally {
  for (const s of open) s.close();
}

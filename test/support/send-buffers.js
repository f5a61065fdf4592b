// Connections whose buffers are small or full, and reading them out: loopback pairs with
// small buffers, a send direction filled until EAGAIN, draining, and sending until the
// bytes have arrived.
import assert from "node:assert/strict";
import * as socket from "../../dist/index.js";
import { EAGAIN } from "../../dist/errno.js";
import { listener } from "./peers.js";
import { sleepSync } from "./blocking.js";

/**
 * A connected loopback TCP pair [sender, receiver] with small buffers (4 KiB asked for
 * SO_SNDBUF on the sender, SO_RCVBUF on the receiver) and nothing sent yet.
 */
export function smallPair() {
  const [srv, addr] = listener();
  try {
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096);
    const sender = socket.socket();
    sender.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    sender.connect(addr);
    const [receiver] = srv.accept();
    return [sender, receiver];
  } finally {
    srv.close();
  }
}

/**
 * A smallPair whose sender has been filled with a non-blocking send loop until EAGAIN:
 * nothing more can be sent until the receiver reads. The sender is left blocking with no
 * timeout. Returns [sender, receiver, bytes queued].
 */
export function fullPair() {
  const [sender, receiver] = smallPair();
  return [sender, receiver, fill(sender)];
}

/**
 * Calls `call` right after filling `sender`'s send buffer and returns the error it raised.
 * TCP may open the window a little at any moment (acknowledgements, zero-window probes),
 * so a call that found room and returned is a correct outcome: refill and try again, a
 * bounded number of times. `call` may change the socket's mode (fill leaves it blocking).
 */
export function errorWhenFull(sender, call, tries = 6) {
  for (let i = 0; i < tries; i++) {
    fill(sender);
    try {
      call();
    } catch (error) {
      return error;
    }
  }
  assert.fail(`the send buffer never stayed full for one call (${tries} tries)`);
}

/**
 * Reads, non-blocking, everything that arrives: until `expected` bytes came and then a
 * little longer (to see that nothing more does), or EOF, bounded in count and time.
 * Returns the number of bytes read.
 */
export function drain(receiver, expected) {
  receiver.setblocking(false);
  let got = 0;
  let idle = 0;
  for (let i = 0; i < 1000 && idle < 10; i++) {
    try {
      const n = receiver.recv(65536).length;
      if (n === 0) break;
      got += n;
      idle = got >= expected ? idle + 1 : 0;
    } catch (error) {
      if (error.errno !== EAGAIN) throw error;
      idle = got >= expected ? idle + 1 : idle;
      sleepSync(5);
    }
  }
  return got;
}

/** Sends with non-blocking calls until EAGAIN (bounded); leaves the socket blocking. */
export function fill(sender) {
  const chunk = Buffer.alloc(16384, 0x61);
  let queued = 0;
  sender.setblocking(false);
  try {
    for (let i = 0; i < 4096; i++) {
      try {
        queued += sender.send(chunk);
      } catch (error) {
        if (error.errno !== EAGAIN) throw error;
        // The window can open once more as the receiver acknowledges: confirm twice.
        sleepSync(20);
        try {
          queued += sender.send(chunk);
        } catch (again) {
          if (again.errno === EAGAIN) return queued;
          throw again;
        }
      }
    }
    throw new Error("the send buffer never filled");
  } finally {
    sender.setblocking(true);
  }
}

/**
 * Sends `data` on `sender` and waits (bounded, without consuming anything) until
 * `receiver` can peek all of it, so a non-blocking read that follows finds it there even
 * if the kernel delivered it a little late.
 */
export function sendAndWait(sender, receiver, data) {
  const bytes = Buffer.from(data);
  sender.sendall(bytes);
  for (let i = 0; i < 400; i++) {
    try {
      if (receiver.recv(65536, socket.MSG_PEEK | socket.MSG_DONTWAIT).length >= bytes.length) return;
    } catch (error) {
      if (error.errno !== EAGAIN) throw error;
    }
    sleepSync(5);
  }
  throw new Error(`${bytes.length} bytes sent on loopback did not arrive within 2 s`);
}

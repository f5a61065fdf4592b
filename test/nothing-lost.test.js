// docs/behaviour.md §4, "Nothing is lost", and section 10: bytes a read-type call received
// before it failed are kept back and served first by the next read-type call; MSG_PEEK
// shows them without dropping them; a failed sendall/write reports what went out.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { EAGAIN, ETIMEDOUT } from "../dist/errno.js";
import { tcpPair } from "./support/peers.js";
import { expectOSError } from "./support/assertions.js";
import { watchdog } from "./support/blocking.js";
import { drain, smallPair } from "./support/send-buffers.js";

// A blocking call that never returns would hang the run: end it instead.
watchdog(60);

// Short: the timeouts here only cut calls part-way (timeouts.test.js measures them).
const T = 0.1;

/**
 * A pair whose receiver has had `text` arrive and then a read-type call (`failing`)
 * time out part-way: [sender, receiver].
 */
function afterPartialTimeout(text, failing) {
  const [a, b] = tcpPair();
  a.sendall(text);
  b.settimeout(T);
  expectOSError(() => failing(b), ETIMEDOUT);
  return [a, b];
}

const FAILING = {
  "read(n)": (s) => s.read(100),
  "read()": (s) => s.read(),
  readinto: (s) => s.readinto(new Uint8Array(100)),
  readline: (s) => s.readline(),
};

const NEXT = {
  recv: (s) => s.recv(100).toString(),
  "read(n)": (s) => s.read(3).toString(),
  recv_into: (s) => {
    const buf = new Uint8Array(100);
    const n = s.recv_into(buf);
    return Buffer.from(buf.subarray(0, n)).toString();
  },
  readinto: (s) => {
    const buf = new Uint8Array(3);
    const n = s.readinto(buf);
    return Buffer.from(buf.subarray(0, n)).toString();
  },
  readline: (s, peer) => {
    peer.sendall("\n");
    return s.readline().toString().replace("\n", "");
  },
  recvfrom: (s) => s.recvfrom(100)[0].toString(),
};

for (const [failName, failing] of Object.entries(FAILING)) {
  test(`${failName} timing out part-way keeps its bytes for every next read-type call`, () => {
    for (const [nextName, next] of Object.entries(NEXT)) {
      const [a, b] = afterPartialTimeout("abc", failing);
      try {
        assert.equal(next(b, a), "abc", `${failName} then ${nextName}`);
        // And nothing else is pending: the kept-back bytes were served once.
        b.settimeout(0);
        expectOSError(() => b.recv(10), EAGAIN);
      } finally {
        a.close();
        b.close();
      }
    }
  });
}

test("kept-back bytes come before bytes that arrive later, in order", () => {
  const [a, b] = afterPartialTimeout("abc", FAILING["read(n)"]);
  try {
    a.sendall("def");
    assert.equal(b.read(6).toString(), "abcdef");
  } finally {
    a.close();
    b.close();
  }
});

test("two partial timeouts in a row keep all the bytes, in order", () => {
  const [a, b] = afterPartialTimeout("abc", FAILING["read(n)"]);
  try {
    a.sendall("de");
    expectOSError(() => b.read(100), ETIMEDOUT);
    a.sendall("f\n");
    expectOSError(() => b.read(100), ETIMEDOUT);
    assert.equal(b.readline().toString(), "abcdef\n");
  } finally {
    a.close();
    b.close();
  }
});

test("readline() after a timeout completes the line from kept-back and new bytes", () => {
  const [a, b] = afterPartialTimeout("abc", FAILING.readline);
  try {
    a.sendall("d\nnext");
    assert.equal(b.readline().toString(), "abcd\n");
    assert.equal(b.recv(10).toString(), "next");
  } finally {
    a.close();
    b.close();
  }
});

test("kept-back bytes with a newline in them are served by readline up to the newline only", () => {
  const [a, b] = afterPartialTimeout("ab\ncd", FAILING["read(n)"]);
  try {
    assert.equal(b.readline().toString(), "ab\n");
    assert.equal(b.recv(10).toString(), "cd");
  } finally {
    a.close();
    b.close();
  }
});

test("a failed readinto() keeps back the bytes it had put in the buffer", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("xyz");
    b.settimeout(T);
    const buf = new Uint8Array(10);
    expectOSError(() => b.readinto(buf), ETIMEDOUT);
    // The bytes are in buf, and they are also served again by the next read.
    assert.equal(Buffer.from(buf.subarray(0, 3)).toString(), "xyz");
    buf.fill(0);
    assert.equal(b.recv(10).toString(), "xyz");
  } finally {
    a.close();
    b.close();
  }
});

test("MSG_PEEK returns kept-back bytes without dropping them", () => {
  const [a, b] = afterPartialTimeout("peek", FAILING["read(n)"]);
  try {
    assert.equal(b.recv(10, socket.MSG_PEEK).toString(), "peek");
    assert.equal(b.recv(2, socket.MSG_PEEK).toString(), "pe");
    const buf = new Uint8Array(10);
    assert.equal(b.recv_into(buf, 0, socket.MSG_PEEK), 4);
    assert.equal(Buffer.from(buf.subarray(0, 4)).toString(), "peek");
    assert.equal(b.recvfrom(10, socket.MSG_PEEK)[0].toString(), "peek");
    assert.equal(b.recv(10).toString(), "peek");
    b.settimeout(0);
    expectOSError(() => b.recv(10, socket.MSG_PEEK), EAGAIN);
  } finally {
    a.close();
    b.close();
  }
});

test("recvfrom() serving kept-back bytes reports the peer's address", () => {
  const [a, b] = afterPartialTimeout("from", FAILING["read()"]);
  try {
    const [data, address] = b.recvfrom(10);
    assert.equal(data.toString(), "from");
    assert.deepEqual(address, a.getsockname());
  } finally {
    a.close();
    b.close();
  }
});

test("kept-back bytes survive a switch to non-blocking mode", () => {
  const [a, b] = afterPartialTimeout("nb", FAILING.readline);
  try {
    b.setblocking(false);
    assert.equal(b.read(10).toString(), "nb");
    assert.equal(b.read(10), null);
  } finally {
    a.close();
    b.close();
  }
});

for (const method of ["sendall", "write"]) {
  test(`${method}() timing out part-way carries \`written\`, the bytes that did go out`, () => {
    const [sender, receiver] = smallPair();
    try {
      const total = 4 << 20;
      sender.settimeout(T);
      const [error] = expectOSError(() => sender[method](Buffer.alloc(total, 7)), ETIMEDOUT);
      assert.equal(error.syscall, method);
      assert.ok(Number.isInteger(error.written), `written is ${error.written}`);
      assert.ok(error.written > 0 && error.written < total, `written ${error.written}`);
      assert.equal(drain(receiver, error.written), error.written);
    } finally {
      sender.close();
      receiver.close();
    }
  });
}

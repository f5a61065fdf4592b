// Arguments reach the system as given (sendto's flags, getsockopt's buflen), and sockets
// from socketpair() start with the default timeout like any other.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { EOPNOTSUPP } from "../dist/errno.js";

// docs/behaviour.md §4: sendto(data, flags, addr) hands `flags` to the system. MSG_OOB is refused by UDP
// (EOPNOTSUPP), which shows the flags arrived; without flags the same datagram goes out.
test("sendto(data, flags, addr) and sendtoAsync pass flags to the system", async () => {
  const receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    receiver.bind(["127.0.0.1", 0]);
    const to = receiver.getsockname();
    assert.throws(() => sender.sendto("oob", socket.MSG_OOB, to), { name: "OSError", errno: EOPNOTSUPP });
    await assert.rejects(sender.sendtoAsync("oob", socket.MSG_OOB, to), { name: "OSError", errno: EOPNOTSUPP });
    assert.equal(sender.sendto("plain", 0, to), 5);
    assert.equal(await sender.sendtoAsync("async", 0, to, {}), 5);
    receiver.settimeout(5);
    assert.equal(receiver.recv(100).toString(), "plain");
    assert.equal(receiver.recv(100).toString(), "async");
  } finally {
    sender.close();
    receiver.close();
  }
});

// docs/behaviour.md §10: "getsockopt(level, opt, buflen) returns at most buflen bytes: as many as the
// system returned" — also when buflen is smaller than the option.
test("getsockopt with a buflen smaller than the option returns buflen bytes, no more", () => {
  const s = socket.socket();
  try {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536);
    const whole = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4);
    for (const buflen of [1, 2, 3]) {
      const part = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buflen);
      assert.ok(Buffer.isBuffer(part));
      assert.ok(part.length <= buflen, `buflen ${buflen}: ${part.length} bytes`);
      assert.deepEqual(part, whole.subarray(0, part.length));
    }
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024).length, 4);
    assert.throws(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1025), RangeError);
    assert.throws(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, -1), RangeError);
    assert.throws(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, "4"), TypeError);
  } finally {
    s.close();
  }
});

// docs/behaviour.md §10 (Defaults): sockets from socketpair() start with getdefaulttimeout() too — in
// their behaviour, not only in what gettimeout() says.
test("socketpair() sockets start with the default timeout, and behave by it", () => {
  const before = socket.getdefaulttimeout();
  try {
    socket.setdefaulttimeout(0);
    let [a, b] = socket.socketpair();
    assert.equal(a.gettimeout(), 0);
    assert.throws(() => a.recv(1), { code: "EAGAIN" });
    a.close();
    b.close();
    socket.setdefaulttimeout(0.3);
    [a, b] = socket.socketpair();
    assert.equal(b.gettimeout(), 0.3);
    const start = performance.now();
    assert.throws(() => b.recv(1), { code: "ETIMEDOUT" });
    const elapsed = (performance.now() - start) / 1000;
    assert.ok(elapsed >= 0.25 && elapsed <= 3, `${elapsed} s`);
    a.close();
    b.close();
  } finally {
    socket.setdefaulttimeout(before);
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import { tcpPair } from "./support/peers.js";

test("a TCP pair on loopback carries bytes both ways", () => {
  const [a, b] = tcpPair();
  a.sendall("ping");
  assert.equal(b.recv(10).toString(), "ping");
  b.sendall(new Uint8Array([1, 2, 3]));
  assert.deepEqual([...a.recv(10)], [1, 2, 3]);
  a.close();
  b.close();
  assert.equal(a.fileno(), -1);
  assert.throws(() => a.recv(1), { code: "EBADF" });
  assert.equal(socket.AF_INET > 0, true);
});

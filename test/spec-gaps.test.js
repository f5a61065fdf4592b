// Rules of SPEC sections 1–7 and 10 that no other suite pinned down, found by the
// conformance audit. Each test names the rule it proves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as socket from "../dist/index.js";
import { scriptedPeer, watchdog } from "./support/tests-a.js";

/** Whether the descriptor has O_NONBLOCK (Linux: /proc/self/fdinfo). */
function descriptorNonblocking(s) {
  const flags = /flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${s.fileno()}`, "utf8"))[1];
  return (parseInt(flags, 8) & 0o4000) !== 0;
}

// SPEC 4 ("A new socket is blocking with no timeout") and 7 ("Sync and async calls may be
// mixed on one socket"): a Promise twin that had to wait leaves a blocking socket blocking.
// libuv's uv_poll_init sets O_NONBLOCK on the descriptor it watches; left so, the next
// synchronous recv() of a socket with timeout null raised EAGAIN instead of waiting.
test("a blocking socket stays blocking after a Promise twin waited on it", async (t) => {
  if (process.platform !== "linux") {
    t.skip("reads the descriptor's flags from /proc/self/fdinfo");
    return;
  }
  const dog = watchdog(30);
  const { conn, done } = await scriptedPeer([{ wait: 150 }, { send: "first" }, { wait: 300 }, { send: "second" }]);
  try {
    assert.equal(conn.gettimeout(), null);
    assert.equal(descriptorNonblocking(conn), false);
    // Nothing has arrived yet: the call waits on the socket's readiness watcher.
    assert.equal((await conn.recvAsync(5)).toString(), "first");
    assert.equal(descriptorNonblocking(conn), false);
    // "second" comes 0.3 s later: a blocking recv() waits for it.
    assert.equal(conn.recv(6).toString(), "second");
    // The same for the write direction: sendAsync, then the sync calls still block.
    assert.equal(await conn.sendAsync("x"), 1);
    assert.equal(descriptorNonblocking(conn), false);
  } finally {
    conn.close();
    await done;
    dog.terminate();
  }
});

// Ctrl-C and SIGTERM reach a program blocked in a synchronous call (issue 11). Node's libuv
// installs its handlers with SA_RESTART, so without help a blocked call restarts after the
// handler and the program's listener never runs. Each program here runs in a child that
// blocks, and this process sends it the signal once it says it is about to.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { startPeer } from "./support/peers.js";
import { watchdog } from "./support/blocking.js";

watchdog(90);

/** Runs `body` (ES module text with `socket` and `select` imported) in a child; when the child
 * prints its first line, sends it `signal` (after `delayMs`); resolves to its outcome. */
async function signalled(body, signal = "SIGINT", delayMs = 150) {
  const peer = startPeer(
    "node",
    `
    const socket = await import(process.env.USOCKET);
    const select = await import(process.env.USOCKET_DIST + "/select.js");
    ${body}
  `,
    { limitMs: 15000 },
  );
  await peer.ready;
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  peer.child.kill(signal);
  const result = await peer.done;
  return { ...result, signal: peer.child.signalCode };
}

const REPORT = `(e) => console.log("caught " + e.constructor.name + " " + e.code + " " + e.signal + " | " + e.message)`;

describe("with a listener, the blocked call ends with OSError(EINTR) and the listener runs", () => {
  test("SIGINT during a blocking accept()", async () => {
    const { code, stdout, stderr } = await signalled(`
      const srv = socket.socket(); srv.bind(["127.0.0.1", 0]); srv.listen();
      process.on("SIGINT", () => console.log("listener ran"));
      console.log("ready");
      try { srv.accept(); console.log("accept returned"); } catch (e) { (${REPORT})(e); }
      srv.close();`);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /caught OSError EINTR SIGINT \| .*a signal arrived \(SIGINT\).*accept/);
    assert.match(stdout, /listener ran/);
  });

  test("SIGTERM during a recv() on a blocking descriptor", async () => {
    const { code, stdout, stderr } = await signalled(
      `
      const [a, b] = socket.socketpair();
      process.on("SIGTERM", () => console.log("listener ran"));
      console.log("ready");
      try { a.recv(10); } catch (e) { (${REPORT})(e); }
      b.sendall("after");
      console.log("then " + a.recv(10));`,
      "SIGTERM",
    );
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /caught OSError EINTR SIGTERM/);
    assert.match(stdout, /then after\n(.|\n)*listener ran|listener ran(.|\n)*then after/);
  });

  test("SIGINT during a recv() with a timeout, and during Poll.poll() and select()", async () => {
    const { code, stdout, stderr } = await signalled(`
      const { spawn } = await import("node:child_process");
      const [a, b] = socket.socketpair();
      a.settimeout(30);
      let heard = 0;
      // The next signal comes from another process: this one's timers wait for the loop.
      const again = () => spawn("sh", ["-c", "sleep 0.3; kill -INT " + process.pid], { stdio: "ignore" });
      process.on("SIGINT", () => { heard++; next(); });
      console.log("ready");
      try { a.recv(10); } catch (e) { (${REPORT})(e); }
      function next() {
        if (heard === 1) {
          again();
          const p = select.poll(); p.register(a, select.POLLIN);
          try { p.poll(-1); } catch (e) { (${REPORT})(e); }
        } else if (heard === 2) {
          again();
          try { select.select([a], [], []); } catch (e) { (${REPORT})(e); }
        } else {
          a.close(); b.close();
        }
      }`);
    assert.equal(code, 0, stdout + stderr);
    const caught = stdout.split("\n").filter((line) => line.startsWith("caught OSError EINTR SIGINT"));
    assert.equal(caught.length, 3, stdout);
    assert.match(caught[0], /recv/);
    assert.match(caught[1], /poll/);
  });

  test("a signal the event loop already delivered interrupts no later call", async () => {
    const { code, stdout, stderr } = await signalled(`
      const [a, b] = socket.socketpair();
      const alive = setTimeout(() => {}, 10000);
      process.on("SIGINT", () => {
        console.log("listener ran");
        setTimeout(() => {
          a.settimeout(0.3);
          try { a.recv(1); } catch (e) { console.log("later " + e.code); }
          a.close(); b.close();
          clearTimeout(alive);
        }, 50);
      });
      console.log("ready");`);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /listener ran\nlater ETIMEDOUT/);
  });

  test("a listener added again after all were removed still ends the call", async () => {
    const { code, stdout, stderr } = await signalled(`
      const srv = socket.socket(); srv.bind(["127.0.0.1", 0]); srv.listen();
      const first = () => {};
      process.on("SIGINT", first);
      process.off("SIGINT", first);
      process.on("SIGINT", () => console.log("listener ran"));
      console.log("ready");
      try { srv.accept(); } catch (e) { (${REPORT})(e); }
      srv.close();`);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /caught OSError EINTR SIGINT/);
    assert.match(stdout, /listener ran/);
  });
});

describe("without a listener, Node's default applies", () => {
  test("SIGINT during a blocking accept() ends the process by the signal", async () => {
    const { signal, stdout } = await signalled(`
      const srv = socket.socket(); srv.bind(["127.0.0.1", 0]); srv.listen();
      console.log("ready");
      srv.accept();
      console.log("accept returned");`);
    assert.equal(signal, "SIGINT");
    assert.doesNotMatch(stdout, /accept returned/);
  });

  test("SIGTERM during a blocking recv() ends the process by the signal", async () => {
    const { signal } = await signalled(
      `
      const [a, b] = socket.socketpair();
      console.log("ready");
      a.recv(1);`,
      "SIGTERM",
    );
    assert.equal(signal, "SIGTERM");
  });
});

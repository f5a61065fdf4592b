// DTLS 1.2 over connected UDP sockets with MicroPython's Hello-Verify flow: the server's
// first wrap_socket for a new client answers with a cookie and raises
// HELLO_VERIFY_REQUIRED; the client's second hello completes the handshake on the next.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import * as ssl from "../dist/ssl.js";
import { haveOpenssl, makeCertificates } from "./support/tls.js";
import { startPeer } from "./support/peers.js";

const skip = haveOpenssl() ? false : "the openssl command is not installed";
let certs;
before(() => {
  if (!skip) certs = makeCertificates();
});
after(() => certs?.cleanup());

// A blocking DTLS client in another process (its calls block that process only).
const CLIENT = `
const socket = await import(process.env.USOCKET);
const ssl = await import(process.env.USOCKET_DIST + "/ssl.js");
const [port, ca] = process.argv.slice(1);
const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
s.connect(["127.0.0.1", Number(port)]);
s.settimeout(10);
console.log("ready");
const ctx = new ssl.SSLContext(ssl.PROTOCOL_DTLS_CLIENT);
ctx.load_verify_locations(ca);
const t = ctx.wrap_socket(s, { server_hostname: "localhost" });
console.log(t.version());
for (let i = 0; i < 4; i++) {
  t.send("client to server " + i);
  console.log(String(t.recv(32)));
}
t.close();
`;

describe("DTLS", { skip, timeout: 600000 }, () => {
  test("a DTLS server with client_id: HELLO_VERIFY_REQUIRED first, then four datagrams each way", async () => {
    const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(["127.0.0.1", 0]);
    const port = s.getsockname()[1];
    const peer = startPeer("node", CLIENT, { args: [String(port), certs.ca] });
    await peer.ready;
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_DTLS_SERVER);
    ctx.load_cert_chain(certs.server.cert, certs.server.key);
    const seen = [];
    const raw = s;
    for (let attempt = 0; attempt < 2; attempt++) {
      const [, from] = await raw.recvfromAsync(1, socket.MSG_PEEK);
      raw.connect(from);
      let t;
      try {
        t = await ctx.wrap_socketAsync(raw, { server_side: true, client_id: Buffer.from(JSON.stringify(from)) });
      } catch (error) {
        assert.ok(error instanceof ssl.SSLError && error instanceof socket.OSError);
        assert.equal(error.reason, "HELLO_VERIFY_REQUIRED");
        seen.push("hello verify");
        continue;
      }
      assert.equal(t.version(), "DTLSv1.2");
      for (let i = 0; i < 4; i++) {
        seen.push(String(await t.recvAsync(32)));
        await t.sendAsync(`server to client ${i}`);
      }
      t.close();
    }
    assert.deepEqual(seen, [
      "hello verify",
      "client to server 0",
      "client to server 1",
      "client to server 2",
      "client to server 3",
    ]);
    const { stdout, stderr } = await peer.done;
    assert.equal(
      stdout,
      "ready\nDTLSv1.2\nserver to client 0\nserver to client 1\nserver to client 2\nserver to client 3\n",
      stderr,
    );
  });

  test("DTLS needs a datagram socket and TLS a stream socket", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_DTLS_CLIENT);
    const tcp = socket.socket();
    assert.throws(
      () => ctx.wrap_socket(tcp),
      (e) => e instanceof socket.OSError && e.code === "EPROTOTYPE",
    );
    tcp.close();
  });
});

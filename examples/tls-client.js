// An HTTPS GET with usocket-node/ssl's Promise API, against Node's own https server in
// this same thread: the Promise twins never block the event loop, so the server keeps
// answering while the client waits. The client verifies the certificate and the name.
//
//   node examples/tls-client.js
//
// The certificate is made at run time with the openssl command (examples/tls/certificate.js).
import * as https from "node:https";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { socket } from "usocket-node";
import { SSLContext, PROTOCOL_TLS_CLIENT } from "usocket-node/ssl";
import { makeCertificate } from "./tls/certificate.js";

const pair = makeCertificate();
if (pair === null) {
  console.log("the openssl command is not installed: no certificate to run with");
  console.log("skipped");
  process.exit(0);
}
const server = https.createServer({ cert: readFileSync(pair.cert), key: readFileSync(pair.key) }, (req, res) =>
  res.end(`hello over ${req.socket.getProtocol()}\n`),
);
server.listen(0, "127.0.0.1");
await once(server, "listening");
const { port } = server.address();
console.log(`https server on 127.0.0.1:${port}`);

const ctx = new SSLContext(PROTOCOL_TLS_CLIENT); // CERT_REQUIRED and check_hostname by default
ctx.load_verify_locations(pair.cert); // the self-signed certificate is its own CA
const raw = socket();
raw.settimeout(10); // the deadline of every call below
await raw.connectAsync(["127.0.0.1", port]);
const tls = await ctx.wrap_socketAsync(raw, { server_hostname: "localhost" });
console.log(
  `handshake done: ${tls.version()}, ${tls.cipher()[0]}, certificate for ${tls.getpeercert().subject[0][0][1]}`,
);
await tls.writeAsync("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
const response = String(await tls.readAsync()); // until the server ends the session
tls.close();
server.close();
pair.remove();
const [status] = response.split("\r\n");
const body = response.slice(response.indexOf("\r\n\r\n") + 4);
console.log(`status: ${status}`);
console.log(`body: ${body.trim()}`);
if (!/^HTTP\/1\.[01] 200 OK$/.test(status) || !body.startsWith("hello over TLSv1.3"))
  throw new Error("unexpected response");

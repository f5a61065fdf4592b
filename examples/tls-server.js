// A TLS echo server with usocket-node/ssl's blocking API: accept, wrap, echo each line until
// the client ends the session. Blocking calls hold this thread, so the client (Node's own
// tls) runs in a Worker (examples/tls/client-worker.js).
//
//   node examples/tls-server.js
//
// The certificate is made at run time with the openssl command (examples/tls/certificate.js).
import { Worker } from "node:worker_threads";
import { socket, SOL_SOCKET, SO_REUSEADDR } from "usocket-node";
import { SSLContext, PROTOCOL_TLS_SERVER } from "usocket-node/ssl";
import { makeCertificate } from "./tls/certificate.js";

const pair = makeCertificate();
if (pair === null) {
  console.log("the openssl command is not installed: no certificate to run with");
  console.log("skipped");
  process.exit(0);
}
const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
ctx.load_cert_chain(pair.cert, pair.key);

const listener = socket();
listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
listener.bind(["127.0.0.1", 0]);
listener.listen();
listener.settimeout(10); // accept gives up if no client comes
const [, port] = listener.getsockname();
console.log(`listening on 127.0.0.1:${port}`);

const client = new Worker(new URL("./tls/client-worker.js", import.meta.url), { workerData: { port, ca: pair.cert } });
const [conn] = listener.accept();
conn.settimeout(10);
const tls = ctx.wrap_socket(conn, { server_side: true });
console.log(`client connected: ${tls.version()}, ${tls.cipher()[0]}`);
let lines = 0;
for (let line = tls.readline(); line.length > 0; line = tls.readline()) {
  tls.write(line);
  lines++;
}
console.log(`echoed ${lines} lines; the client ended the session`);
tls.close();
listener.close();
client.on("message", (text) => console.log(`client saw: ${text}`));
client.on("exit", (code) => {
  pair.remove();
  if (code !== 0 || lines !== 3) process.exitCode = 1;
});

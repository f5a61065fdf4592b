// The client of examples/tls-server.js: Node's own tls, verifying the server against the
// certificate it was made with; sends three lines, checks the echo, ends the session.
import * as tls from "node:tls";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

const conn = tls.connect({
  host: "127.0.0.1",
  port: workerData.port,
  servername: "localhost",
  ca: readFileSync(workerData.ca),
});
await once(conn, "secureConnect");
const lines = ["hello\n", "over TLS\n", "bye\n"];
let echoed = "";
conn.setEncoding("utf8");
conn.on("data", (text) => (echoed += text));
for (const line of lines) conn.write(line);
while (echoed.length < lines.join("").length) await once(conn, "data");
conn.end();
await once(conn, "close");
if (echoed !== lines.join("")) throw new Error(`echo differs: ${JSON.stringify(echoed)}`);
parentPort.postMessage(`${lines.length} lines echoed back`);

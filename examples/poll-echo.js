// A poll-driven echo server and its clients, each one thread with non-blocking sockets and
// one select.Poll (examples/poll-echo/server.js and client.js; run them by hand to vary the
// load). This starts the server as a child process, reads its port from the first line,
// runs 5 clients of 64 KiB each against it, and prints what both reported.
//
//   node examples/poll-echo.js
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const folder = new URL("./poll-echo/", import.meta.url);
const clients = 5;

function start(file, args) {
  const child = spawn(process.execPath, [new URL(file, folder).pathname, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Every child stops by itself; this is the bound if one does not.
  const timer = setTimeout(() => child.kill(), 20000);
  child.once("exit", () => clearTimeout(timer));
  return child;
}

const server = start("server.js", [String(clients), "15", "--quiet"]);
const serverLines = createInterface({ input: server.stdout });
const [first] = await once(serverLines, "line");
const port = first.split(":").pop();
console.log(`server: ${first}`);

const client = start("client.js", [port, String(clients), "65536", "15", "--quiet"]);
let summary = "";
createInterface({ input: client.stdout }).on("line", (line) => (summary = line));
serverLines.on("line", (line) => console.log(line));
const [[clientStatus], [serverStatus]] = await Promise.all([once(client, "exit"), once(server, "exit")]);
const result = JSON.parse(summary);
console.log(`clients: ${result.ok} of ${result.clients} got their ${result.bytes / result.clients} bytes back intact`);
if (clientStatus !== 0 || serverStatus !== 0 || result.ok !== clients) {
  console.error(`failed: client exit ${clientStatus}, server exit ${serverStatus}`);
  process.exit(1);
}

// npm start: a server and a client talking through usocket's blocking API on loopback.
// The server runs in a worker thread (its accept/recv block that thread only); the
// client runs here. Both exit by themselves.
import { Worker } from "node:worker_threads";
import * as socket from "usocket-node";

const server = new Worker(new URL("./support/demo-server.js", import.meta.url));
const [port] = await new Promise((resolve, reject) => {
  server.once("message", resolve);
  server.once("error", reject);
});
console.log(`server: listening on 127.0.0.1:${port} (worker thread, blocking accept)`);

const addr = socket.getaddrinfo("127.0.0.1", port, 0, socket.SOCK_STREAM)[0][4];
const client = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
client.settimeout(5);
client.connect(addr);
console.log(`client: connected from ${client.getsockname().join(":")} to ${addr.join(":")}`);
for (const line of ["hello from usocket", "blocking calls, real BSD sockets", "bye"]) {
  client.write(`${line}\n`);
  const reply = client.readline();
  console.log(`client: sent ${JSON.stringify(line)}, got back ${JSON.stringify(reply.toString().trimEnd())}`);
}
client.shutdown(socket.SHUT_WR);
console.log(`client: server's closing words: ${JSON.stringify(client.read().toString())}`);
client.close();
try {
  client.recv(1);
} catch (error) {
  console.log(`client: after close, recv raises ${error.code} (errno ${error.args[0]})`);
}
await new Promise((resolve) => server.once("exit", resolve));
console.log("done.");

// HTTP/1.0 GET with blocking calls, as a MicroPython board would fetch a page: resolve,
// connect, send the request, read the status line and headers with readline(), then the
// body with read() until the server closes. The server is Node's own http module on
// loopback, in a worker thread: a blocking call here stops this thread only.
//
//   node examples/http-get.js
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import * as socket from "usocket-node";

if (!isMainThread) {
  const { createServer } = await import("node:http");
  const server = createServer((request, response) => {
    response.writeHead(200, { "Content-Type": "text/plain" });
    response.end(`hello from node:http, you asked for ${request.url}\n`);
    server.close();
  });
  server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
} else {
  const worker = new Worker(new URL(import.meta.url));
  const [port] = await new Promise((resolve, reject) => {
    worker.once("message", (value) => resolve([value]));
    worker.once("error", reject);
  });

  const [, , , , address] = socket.getaddrinfo("127.0.0.1", port, socket.AF_INET, socket.SOCK_STREAM)[0];
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.settimeout(5);
  try {
    s.connect(address);
    console.log(`connected to ${address.join(":")}`);
    s.write("GET /index.txt HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    const status = s.readline().toString().trimEnd();
    console.log(`status: ${status}`);
    const headers = [];
    for (let line = s.readline().toString(); line !== "\r\n" && line !== ""; line = s.readline().toString()) {
      headers.push(line.trimEnd());
    }
    console.log(`headers: ${headers.length} (${headers.find((h) => h.toLowerCase().startsWith("content-type"))})`);
    const body = s.read().toString();
    console.log(`body: ${JSON.stringify(body)}`);
    if (!/^HTTP\/1\.[01] 200 /.test(status) || !body.includes("/index.txt")) throw new Error("unexpected answer");
  } finally {
    s.close();
  }
}

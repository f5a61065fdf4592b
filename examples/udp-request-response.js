// UDP request and response on loopback: a server socket answers each datagram with its
// text upper-cased, to the address recvfrom() reported; a client sends three requests and
// waits for each answer with a timeout. Datagrams queue in the kernel, so both sides can
// take turns in one thread with blocking calls.
//
//   node examples/udp-request-response.js
import * as socket from "usocket-node";

const server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
server.bind(["127.0.0.1", 0]);
server.settimeout(5);
const serverAddress = server.getsockname();
console.log(`server: bound to ${serverAddress.join(":")}`);

const client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
client.settimeout(5);
try {
  for (const request of ["time?", "status?", "bye"]) {
    client.sendto(request, serverAddress);
    const [data, from] = server.recvfrom(1500);
    console.log(`server: ${JSON.stringify(data.toString())} from ${from.join(":")}`);
    server.sendto(data.toString().toUpperCase(), from);
    const [reply, replier] = client.recvfrom(1500);
    console.log(`client: answer ${JSON.stringify(reply.toString())} from ${replier.join(":")}`);
    if (reply.toString() !== request.toUpperCase()) throw new Error("wrong answer");
  }
  // Nothing more is coming: a blocking call with a timeout raises OSError(ETIMEDOUT).
  client.settimeout(0.2);
  try {
    client.recvfrom(1500);
    throw new Error("an answer nobody asked for arrived");
  } catch (error) {
    if (error.code !== "ETIMEDOUT") throw error;
    console.log(`client: no fourth answer within 0.2 s: ${error.code}`);
  }
} finally {
  client.close();
  server.close();
}

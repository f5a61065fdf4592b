// An echo server on the Promise API: acceptAsync, readlineAsync and writeAsync never block
// the event loop, so the server, its clients and a timer all run in this one thread. Each
// connection echoes lines until its client shuts down its sending side; the server stops
// after three clients, and an AbortSignal would stop it earlier.
//
//   node examples/async-echo-server.js
import * as socket from "usocket-node";

const CLIENTS = 3;

async function serve(listener, signal) {
  const sessions = [];
  for (let n = 0; n < CLIENTS; n++) {
    const [conn, peer] = await listener.acceptAsync({ signal });
    conn.settimeout(5);
    sessions.push(
      (async () => {
        let lines = 0;
        try {
          for (let line; (line = await conn.readlineAsync({ signal })).length > 0; lines++) {
            await conn.writeAsync(line, { signal });
          }
        } finally {
          conn.close();
        }
        console.log(`server: ${peer.join(":")} sent ${lines} line(s), all echoed`);
      })(),
    );
  }
  await Promise.all(sessions);
}

async function client(address, name) {
  const s = socket.socket();
  s.settimeout(5);
  try {
    await s.connectAsync(address);
    const replies = [];
    for (const word of ["alpha", "beta", "gamma"]) {
      await s.writeAsync(`${name} ${word}\n`);
      replies.push((await s.readlineAsync()).toString().trimEnd());
      if (replies.at(-1) !== `${name} ${word}`) throw new Error(`${name}: the echo differs`);
    }
    s.shutdown(socket.SHUT_WR);
    console.log(`${name}: ${JSON.stringify(replies)}`);
    return replies.length;
  } finally {
    s.close();
  }
}

const listener = socket.socket();
listener.bind(["127.0.0.1", 0]);
listener.listen();
const address = listener.getsockname();
console.log(`server: listening on ${address.join(":")}`);
const stop = AbortSignal.timeout(10000);
try {
  const [, ...answered] = await Promise.all([
    serve(listener, stop),
    ...Array.from({ length: CLIENTS }, (_, i) => client(address, `client ${i + 1}`)),
  ]);
  console.log(`${answered.reduce((a, b) => a + b, 0)} lines echoed to ${CLIENTS} clients, all in one thread`);
} finally {
  listener.close();
}

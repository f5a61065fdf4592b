// A TLS echo server with the synchronous API: it answers each line a client sends with the
// same line, one client at a time, until the client closes.
//
//   node examples/tls-server.js CERT KEY [clients=1] [seconds=30]
//
// It listens on 127.0.0.1 (port chosen by the system, printed on the first line) and exits
// after `clients` connections, or after `seconds` without one. Make a certificate and run the
// client beside it:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
//     -subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout key.pem -out cert.pem
//   node examples/tls-server.js cert.pem key.pem &
//   node examples/tls-client.js <port> cert.pem
import * as socket from "../dist/index.js";
import { SSLContext, PROTOCOL_TLS_SERVER, SSLError } from "../dist/ssl.js";

const [certfile, keyfile, clientsText = "1", secondsText = "30"] = process.argv.slice(2);
if (!certfile || !keyfile) {
  console.error("usage: node examples/tls-server.js CERT KEY [clients] [seconds]");
  process.exit(2);
}
const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
ctx.load_cert_chain(certfile, keyfile);

const listener = socket.socket();
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
listener.bind(["127.0.0.1", 0]);
listener.listen();
listener.settimeout(Number(secondsText));
console.log(`listening on ${listener.getsockname().join(":")}`);

for (let served = 0; served < Number(clientsText); served++) {
  const [conn, peer] = listener.accept();
  conn.settimeout(10);
  try {
    const tls = ctx.wrap_socket(conn, { server_side: true });
    console.log(`${peer.join(":")}: ${tls.version()} ${tls.cipher()[0]}`);
    for (let line = tls.readline(); line.length > 0; line = tls.readline()) tls.write(line);
    tls.close();
  } catch (error) {
    // A client that fails the handshake or vanishes ends its connection, not the server.
    if (!(error instanceof socket.OSError)) throw error;
    console.log(`${peer.join(":")}: ${error instanceof SSLError ? error.reason : error.code}`);
    conn.close();
  }
}
listener.close();

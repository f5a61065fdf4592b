// A TLS client with the Promise API: it verifies the server's certificate against a CA
// file, sends a few lines and prints what comes back, without blocking the event loop.
//
//   node examples/tls-client.js PORT CAFILE [host=localhost]
//
// Run examples/tls-server.js first; it prints the port. The host name is checked against
// the server's certificate (use the CN/subjectAltName it was made with).
import * as socket from "../dist/index.js";
import { SSLContext, PROTOCOL_TLS_CLIENT, SSLCertVerificationError } from "../dist/ssl.js";

const [portText, cafile, host = "localhost"] = process.argv.slice(2);
if (!portText || !cafile) {
  console.error("usage: node examples/tls-client.js PORT CAFILE [host]");
  process.exit(2);
}
const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
ctx.load_verify_locations(cafile);

const raw = socket.socket();
raw.settimeout(10);
await raw.connectAsync(["127.0.0.1", Number(portText)]);
try {
  const tls = await ctx.wrap_socketAsync(raw, { server_hostname: host });
  console.log(`connected: ${tls.version()}, ${tls.cipher()[0]}, server ${tls.getpeercert().subject[0][0][1]}`);
  for (const line of ["hello\n", "over TLS\n", "bye\n"]) {
    await tls.writeAsync(line);
    process.stdout.write(`echo: ${await tls.readlineAsync()}`);
  }
  tls.close();
} catch (error) {
  if (error instanceof SSLCertVerificationError) console.error(`not verified: ${error.verify_message}`);
  else throw error;
  raw.close();
  process.exitCode = 1;
}

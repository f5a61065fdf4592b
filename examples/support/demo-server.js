// The demo's server: accepts one client and echoes each line upper-cased, blocking.
import { parentPort } from "node:worker_threads";
import * as socket from "usocket-node";

const srv = socket.socket();
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
srv.bind(["127.0.0.1", 0]);
srv.listen(1);
srv.settimeout(10);
parentPort.postMessage([srv.getsockname()[1]]);
const [conn] = srv.accept();
conn.settimeout(10);
for (;;) {
  const line = conn.readline();
  if (line.length === 0) break;
  conn.write(line.toString().toUpperCase());
}
conn.write("goodbye\n");
conn.close();
srv.close();

// A Worker for the Promise API tests. workerData.mode:
//   "echo"    — serves `count` connections with acceptAsync and checks each checksummed echo;
//               posts { served }.
//   "pending" — leaves acceptAsync, recvAsync and sendallAsync pending, posts "pending" and
//               waits to be terminated (or, with exit: true, calls process.exit itself).
import { parentPort, workerData } from "node:worker_threads";
import { listener, tcpPair } from "./peers.js";
import { checksummedEcho } from "./async-echo.js";

if (workerData.mode === "echo") {
  parentPort.postMessage({
    served: await checksummedEcho(workerData.count, {
      bodySize: (i) => 500 + i * 317,
      fill: (i) => i + workerData.seed,
    }),
  });
} else {
  const [srv] = listener();
  const [a, b] = tcpPair();
  const calls = [srv.acceptAsync(), a.recvAsync(10), a.readAsync(100), b.sendallAsync(Buffer.alloc(32 * 1024 * 1024))];
  for (const call of calls) call.catch(() => {});
  parentPort.postMessage("pending");
  if (workerData.exit) setTimeout(() => process.exit(3), 50);
}

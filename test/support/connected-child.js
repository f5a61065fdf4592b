// A Node child connected over TCP loopback to a socket of this process: the peer of the
// tests in which the child must wait on its own event loop (a ping-pong, a timeout) while
// this side decides when its bytes come.
import * as socket from "../../dist/index.js";
import { startPeer } from "./peers.js";

/**
 * Starts a Node child whose socket `s` (usocket's) connects to a listener here, prints
 * "connected", then runs `body` (ES module text). Resolves once it is connected to
 * { conn, peer }: the accepted socket (the caller closes it) and startPeer's handle (its
 * `done` has the child's exit code and output).
 */
export async function connectedChild(body, { limitMs = 20000 } = {}) {
  const srv = socket.socket();
  try {
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const code = `
      const socket = await import(process.env.USOCKET);
      const s = socket.socket();
      s.connect(["127.0.0.1", ${srv.getsockname()[1]}]);
      console.log("connected");
      ${body}`;
    const peer = startPeer("node", code, { limitMs });
    const [conn] = await srv.acceptAsync();
    try {
      await peer.ready;
    } catch (error) {
      conn.close();
      throw error;
    }
    return { conn, peer };
  } finally {
    srv.close();
  }
}

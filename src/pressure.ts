// Forgotten sockets under descriptor pressure. CPython closes a socket the moment its last
// reference goes; here the garbage collector finds it later, and Node runs the finalizer
// that closes its descriptor only after a turn of the event loop. A synchronous loop that
// drops sockets without closing them would hit EMFILE near the descriptor limit. So when
// socket(), accept() or socketpair() report EMFILE or ENFILE, a collection is requested
// and the core closes the descriptors of the sockets it found unreachable
// (closeUnreachable); the call is then tried once more.
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { native } from "./native.js";
import { E } from "./errors.js";

const EMFILE = E["EMFILE"];
const ENFILE = E["ENFILE"];

let collect: (() => void) | null | undefined;

/** A full collection, requested the only ways a library can: `gc` when the program runs
 * with --expose-gc, else V8's flag set at run time and `gc` taken from a fresh context. */
function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === "function") return (collect = exposed as () => void);
  try {
    v8.setFlagsFromString("--expose-gc");
    const taken: unknown = vm.runInNewContext("gc");
    collect = typeof taken === "function" ? (taken as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Whether `rc` (a core result) is EMFILE/ENFILE and descriptors of forgotten sockets were
 * closed since, so that the call is worth one more try. */
export function recoveredFromPressure(rc: unknown): boolean {
  if (rc !== -EMFILE && rc !== -ENFILE) return false;
  const gc = collector();
  if (gc === null) return false;
  gc();
  return native.closeUnreachable() > 0;
}

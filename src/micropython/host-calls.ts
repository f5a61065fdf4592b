// The calls behind what MicroPython's unix port has and the WebAssembly port lacks, that
// network programs use: hashlib's sha1 and md5 (WebSocket handshakes, HMAC, digest
// authentication) and os.getenv/putenv/unsetenv/urandom (py/_usocket_host.py). Node's crypto
// and process.env do the work; bytes cross through the interpreter's memory as in calls.ts.
import { createHash, randomBytes, type Hash } from "node:crypto";
import { OSError } from "../errors.js";
import { native } from "../native.js";

/** What host-calls needs from calls.ts. */
export interface HostCallsCore {
  /** addr/length from Python as a view of the heap. */
  view(addr: number, length: number): Uint8Array;
  /** Bytes for Python to take(): their length now. */
  hold(bytes: Uint8Array | null): number;
}

const ALGORITHMS = new Set(["sha1", "md5"]);
/** os.urandom's bound: more than any program asks for at once, less than the heap. */
const URANDOM_MAX = 1 << 20;
const EBADF = native.errno["EBADF"]!;

export function createHostCalls(core: HostCallsCore): Record<string, (...args: never[]) => number | string> {
  const hashes = new Map<number, Hash>();
  let nextHash = 1;

  function hash(id: number): Hash {
    const h = hashes.get(id);
    if (h === undefined) throw new OSError(EBADF, "hash");
    return h;
  }

  return {
    hash_new(name: string): number {
      if (!ALGORITHMS.has(name)) throw new TypeError(`unknown hash ${name}`);
      const id = nextHash++;
      hashes.set(id, createHash(name));
      return id;
    },
    hash_update(id: number, addr: number, length: number): number {
      hash(id).update(core.view(addr, length));
      return 0;
    },
    /** The digest, held for take(); the hash is released (MicroPython's is final then). */
    hash_digest(id: number): number {
      const digest = hash(id).digest();
      hashes.delete(id);
      return core.hold(digest);
    },
    hash_free(id: number): number {
      hashes.delete(id);
      return 0;
    },
    /** The variable's value, or the number 0 when it is not set. */
    getenv: (name: string) => process.env[name] ?? 0,
    putenv(name: string, value: string): number {
      process.env[name] = value;
      return 0;
    },
    unsetenv(name: string): number {
      delete process.env[name];
      return 0;
    },
    urandom(n: number): number {
      if (n > URANDOM_MAX) throw new RangeError("urandom: too many bytes at once");
      return core.hold(randomBytes(n));
    },
  };
}

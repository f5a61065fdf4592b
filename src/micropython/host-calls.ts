// The calls behind what MicroPython's unix port has and the WebAssembly port lacks, that
// network programs use: hashlib's sha1 and md5 (WebSocket handshakes, HMAC, digest
// authentication) and os.getenv/putenv/unsetenv/urandom (py/_usocket_host.py). Node's crypto
// and process.env do the work; bytes cross through the interpreter's memory as in calls.ts.
// Also what select needs to know of standard input's bytes the command line holds, and
// localtime/gmtime/mktime in the host's time zone (the port's are UTC, with 8 fields).
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

/** Bytes of standard input already read from descriptor 0 and not yet given to the
 * interpreter: the command line reads it in blocks (cli.ts), so select must count them. */
let stdinHeld: () => number = () => 0;

/** Called by the command line with its count of standard input's buffered bytes. */
export function setStdinHeld(held: () => number): void {
  stdinHeld = held;
}

/** What runs before the program waits in a sleep or a poll: the command line writes out
 * the partial line it holds (`print('.', end='')` before `time.sleep`), as the unix port's
 * unbuffered output would have shown it. */
let waitHook: (() => void) | null = null;

/** Called by the command line with what to do before the program waits. */
export function setBeforeWait(hook: () => void): void {
  waitHook = hook;
}

/** Runs the hook of setBeforeWait, if any. */
export function beforeWait(): void {
  if (waitHook !== null) waitHook();
}

/** The zone's offset (minutes west of UTC, as getTimezoneOffset) outside summer time. */
function standardOffset(year: number): number {
  return Math.max(new Date(year, 0, 1).getTimezoneOffset(), new Date(year, 6, 1).getTimezoneOffset());
}

/** The zone's offset in summer time (the standard one where it has none). */
function summerOffset(year: number): number {
  return Math.min(new Date(year, 0, 1).getTimezoneOffset(), new Date(year, 6, 1).getTimezoneOffset());
}

/** The calls of this file, for calls.ts's table (its one error wrapper turns what they
 * throw into result codes). */
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
    stdin_held: () => stdinHeld(),
    /** localtime (local = 1, the host's zone, TZ included) or gmtime (0) of `seconds`, as
     * the unix port's 9 fields: "year month mday hour minute second weekday yearday isdst"
     * (weekday 0 is Monday, yearday from 1). */
    time_tuple(seconds: number, local: number): string {
      const d = new Date(Math.trunc(seconds) * 1000);
      if (Number.isNaN(d.getTime())) throw new RangeError("timestamp out of range");
      const f =
        local !== 0
          ? [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getDay()]
          : [
              d.getUTCFullYear(),
              d.getUTCMonth(),
              d.getUTCDate(),
              d.getUTCHours(),
              d.getUTCMinutes(),
              d.getUTCSeconds(),
              d.getUTCDay(),
            ];
      const [year, month, day] = f as [number, number, number];
      const yearday = (Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86400000 + 1;
      const isdst = local !== 0 && d.getTimezoneOffset() < standardOffset(year) ? 1 : 0;
      return `${year} ${month + 1} ${day} ${f[3]} ${f[4]} ${f[5]} ${(f[6]! + 6) % 7} ${yearday} ${isdst}`;
    },
    /** C's mktime of local fields (isdst 1 or 0 forces summer or standard time, -1 lets the
     * zone decide): the seconds, as text (beyond 32 bits). */
    mktime(year: number, month: number, day: number, hour: number, minute: number, second: number, isdst: number) {
      const t = new Date(year, month - 1, day, hour, minute, second).getTime();
      if (Number.isNaN(t)) throw new RangeError("mktime: fields out of range");
      const at = new Date(t);
      const summer = at.getTimezoneOffset() < standardOffset(at.getFullYear());
      // what the zone's summer time adds, in ms (glibc takes an hour where it has none)
      const shift = (standardOffset(at.getFullYear()) - summerOffset(at.getFullYear())) * 60000 || 3600000;
      let ms = t;
      if (isdst > 0 && !summer) ms -= shift;
      else if (isdst === 0 && summer) ms += shift;
      return String(Math.floor(ms / 1000));
    },
    urandom(n: number): number {
      if (n > URANDOM_MAX) throw new RangeError("urandom: too many bytes at once");
      return core.hold(randomBytes(n));
    },
  };
}

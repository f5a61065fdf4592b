// usocket-micropython: runs a MicroPython script in the WebAssembly port with the bridge
// installed, the way MicroPython's own unix port is run (and its test runners run it):
//   usocket-micropython [-X heapsize=N[kMG]] script.py [args...]
//   usocket-micropython [-X heapsize=N[kMG]] -c "code" [args...]
//   usocket-micropython [-X heapsize=N[kMG]] -m module [args...]
//   usocket-micropython [-] < script.py
// Output is written synchronously as it is printed (the interpreter blocks the event loop,
// so Node's asynchronous pipes would hold it back); sys.stdin and input() read standard
// input synchronously. Exit status: 0, the value of sys.exit(), or 1 with the traceback on
// standard error for an uncaught exception.
import * as fs from "node:fs";
import * as path from "node:path";
import * as util from "node:util";
import { loadMicroPython, DEFAULT_HEAPSIZE } from "./loader.js";
import { LIB } from "./install.js";
import { setBeforeWait, setStdinHeld } from "./host-calls.js";

const INVALID = "Invalid command line arguments. Use -h option for help.";

const USAGE = "usage: usocket-micropython [-X heapsize=N[k|M|G]] (script.py | -c code | -m module | -) [args...]";

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A synchronous writer of one descriptor that holds bytes until a newline. */
class Output {
  #fd: number;
  #buf = Buffer.allocUnsafe(8192);
  #used = 0;
  /** The other stream: what it holds goes out before this one writes, so that stdout and
   * stderr reach one file (2>&1) in the order the program wrote them, as the unix port's
   * unbuffered writes do. */
  partner: Output | null = null;

  constructor(fd: number) {
    this.#fd = fd;
  }

  byte(c: number): void {
    if (this.#used === 0 && this.partner !== null) this.partner.flush();
    this.#buf[this.#used++] = c;
    if (c === 10 || this.#used === this.#buf.length) this.flush();
  }

  text(s: string): void {
    this.flush();
    writeAll(this.#fd, Buffer.from(s));
  }

  flush(): void {
    if (this.#used === 0) return;
    const n = this.#used;
    this.#used = 0;
    writeAll(this.#fd, this.#buf.subarray(0, n));
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") pause(1);
      else if (code === "EPIPE") return;
      else throw error;
    }
  }
}

/** Standard input, byte by byte for the port, read in blocks; null at EOF. */
class Input {
  #buf = Buffer.allocUnsafe(65536);
  #at = 0;
  #end = 0;
  #eof = false;
  #before: () => void;

  constructor(before: () => void) {
    this.#before = before;
  }

  /** Bytes read from descriptor 0 that the interpreter has not taken yet. */
  held(): number {
    return this.#end - this.#at;
  }

  byte(): number | null {
    if (this.#at === this.#end) {
      if (this.#eof) return null;
      this.#before();
      for (;;) {
        try {
          this.#end = fs.readSync(0, this.#buf, 0, this.#buf.length, null);
          this.#at = 0;
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "EAGAIN") pause(5);
          else if (code === "EOF") {
            this.#end = 0;
            break;
          } else throw error;
        }
      }
      if (this.#end === 0) {
        this.#eof = true;
        return null;
      }
    }
    return this.#buf[this.#at++]!;
  }
}

interface Invocation {
  heapsize: number;
  /** "c": `text` is code (a script or -c); "s": code read from standard input; "m": `text`
   * is a module name. They differ in where a traceback goes (_usocket_main.py). */
  mode: "c" | "s" | "m";
  text: string;
  /** The name of the code in tracebacks (and __file__ unless "<stdin>"). */
  filename: string;
  /** What replaces '' first in sys.path (the script's folder), or '' itself. */
  first: string;
  argv: string[];
}

/** A usage error: the message goes to stderr and the status is 1 (2 when a file is missing), as the unix port. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly status = 1,
  ) {
    super(message);
  }
}

/** The largest heap the port can take: its memory (2 GiB) holds the heap and everything else. */
const MAX_HEAPSIZE = 2 * 1024 * 1024 * 1024 - 1;

/** The unix port's smallest heap ("if requested size too small, we'll crash anyway"). */
const MIN_HEAPSIZE = 700;

const UNITS: Readonly<Record<string, number>> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** N[w][k|M|G] as the unix port reads it (w: in words of 4 bytes, as on a 32-bit build). */
function parseSize(text: string): number {
  const m = /^(\d+)(w?)([kKmMgG]?)$/.exec(text);
  if (m === null) throw new UsageError(`-X heapsize=${text}: expected a number of bytes, with an optional k, M or G`);
  const n = Number(m[1]) * UNITS[m[3]!.toLowerCase()]!;
  if (n > MAX_HEAPSIZE)
    throw new UsageError(
      `-X heapsize=${text}: more than the WebAssembly port's memory can hold (at most 2G less one byte)`,
    );
  if (n < MIN_HEAPSIZE)
    throw new UsageError(`-X heapsize=${text}: too small, the interpreter needs at least ${MIN_HEAPSIZE} bytes`);
  return n;
}

/** The unix port's default when MICROPYPATH is not set. */
const DEFAULT_PATH = ".frozen:~/.micropython/lib:/usr/lib/micropython";

/** sys.path after '' (or the script's folder): MICROPYPATH's entries, `~/` expanded, the rest as written. */
function searchPath(env: string | undefined): string[] {
  const home = process.env["HOME"];
  let list = env ?? DEFAULT_PATH;
  if (list.startsWith(":")) list = list.slice(1); // '' is already first
  if (list === "") return [];
  return list.split(":").map((p) => (home !== undefined && p.startsWith("~/") ? home + p.slice(1) : p));
}

function parse(args: string[]): Invocation {
  let heapsize = DEFAULT_HEAPSIZE;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-X") {
      const opt = args[++i];
      if (opt === undefined) throw new UsageError(INVALID);
      if (opt.startsWith("heapsize=")) heapsize = parseSize(opt.slice(9));
      // other -X options of the unix port (emit=, realtime) change nothing here
    } else if (a === "-h" || a === "--help") {
      throw new UsageError(USAGE, 0);
    } else if (a === "-i" || a === "-v" || /^-O+$/.test(a)) {
      // accepted, as the unix port does; no REPL, no extra verbosity, no optimisation level here
    } else {
      break;
    }
  }
  const first = args[i];
  if (first === "-c") {
    if (i + 1 >= args.length) throw new UsageError(INVALID);
    return {
      heapsize,
      mode: "c",
      text: args[i + 1]!,
      filename: "<stdin>",
      first: "",
      argv: ["-c", ...args.slice(i + 2)],
    };
  }
  if (first === "-m") {
    if (i + 1 >= args.length) throw new UsageError(INVALID);
    return { heapsize, mode: "m", text: args[i + 1]!, filename: "", first: "", argv: args.slice(i + 1) };
  }
  if (first === undefined || first === "-") {
    return {
      heapsize,
      mode: "s",
      text: fs.readFileSync(0, "utf8"),
      filename: "<stdin>",
      first: "",
      argv: args.slice(i),
    };
  }
  if (first.startsWith("-")) throw new UsageError(INVALID);
  let text: string;
  try {
    text = fs.readFileSync(first, "utf8");
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const errno = -(e.errno ?? 0);
    const text = util.getSystemErrorMap().get(-errno)?.[1] ?? e.message;
    throw new UsageError(
      `can't open file '${first}': [Errno ${errno}] ${text.charAt(0).toUpperCase()}${text.slice(1)}`,
      2,
    );
  }
  // the unix port: the folder of the script's real path (links resolved)
  let folder: string;
  try {
    folder = path.dirname(fs.realpathSync(first));
  } catch {
    folder = path.dirname(path.resolve(first));
  }
  return { heapsize, mode: "c", text, filename: first, first: folder, argv: args.slice(i) };
}

/**
 * The `usocket-micropython` command: runs the command line `args` (without node and the
 * program); resolves to the exit status.
 * @example process.exitCode = await main(["script.py"]);
 */
export async function main(args: string[]): Promise<number> {
  let inv: Invocation;
  try {
    inv = parse(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.status === 0) process.stdout.write(`${error.message}\n`);
    else process.stderr.write(error.message === INVALID ? `${INVALID}\n` : `usocket-micropython: ${error.message}\n`);
    return error.status;
  }
  const out = new Output(1);
  const err = new Output(2);
  out.partner = err;
  err.partner = out;
  const input = new Input(() => {
    out.flush();
    err.flush();
  });
  setStdinHeld(() => input.held());
  setBeforeWait(() => {
    out.flush();
    err.flush();
  });
  let run: (...a: unknown[]) => unknown;
  try {
    const mp = await loadMicroPython({
      heapsize: inv.heapsize,
      linebuffer: false,
      stdout: (data) => out.byte((data as Uint8Array)[0]!),
      stderr: (data) => err.byte((data as Uint8Array)[0]!),
      stdin: () => input.byte(),
      input: true,
      hostfs: true,
    });
    // sys as the unix port's (its platform), and the runner of _usocket_main.py
    mp.runPython(
      `import sys\nsys.path.insert(0, '${LIB}')\nimport _usocket_sys, _usocket_main\nsys.path.pop(0)\n` +
        `sys.modules['sys'] = _usocket_sys\n_usocket_main.main = globals()\ndel sys, _usocket_sys, _usocket_main\n`,
    );
    run = (mp.pyimport("_usocket_main") as { run(...a: unknown[]): unknown }).run;
  } catch (error) {
    out.flush();
    err.flush();
    process.stderr.write(
      `usocket-micropython: the interpreter could not start with a heap of ${inv.heapsize} bytes: ${(error as Error).message ?? String(error)}\n`,
    );
    return 1;
  }
  // With a listener, Ctrl-C ends a blocking socket call or sleep with EINTR (src/interrupt.ts)
  // and the script sees KeyboardInterrupt there, as on the unix port; the listener itself
  // only runs once the script has ended.
  const onInterrupt = (): void => {};
  process.on("SIGINT", onInterrupt);
  const sysPath = [inv.first, ...searchPath(process.env["MICROPYPATH"])];
  let status: number;
  try {
    const result = run(inv.mode, inv.text, inv.filename, JSON.stringify(inv.argv), JSON.stringify(sysPath));
    status = typeof result === "number" ? result : 1;
  } catch (error) {
    out.flush();
    err.text(`${(error as Error).message ?? String(error)}\n`);
    status = 1;
  }
  process.off("SIGINT", onInterrupt);
  out.flush();
  err.flush();
  return status & 0xff;
}

// usocket-micropython: runs a MicroPython script in the WebAssembly port with the bridge
// installed, the way MicroPython's own unix port is run (and its test runners run it):
//   usocket-micropython [-X heapsize=N] script.py [args...]
//   usocket-micropython [-X heapsize=N] -c "code" [args...]
//   usocket-micropython < script.py
// Output is written synchronously as it is printed (the interpreter blocks the event loop,
// so Node's asynchronous pipes would hold it back); sys.stdin and input() read standard
// input synchronously. Exit status: 0, the value of sys.exit(), or 1 with the traceback on
// standard error for an uncaught exception.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadMicroPython, DEFAULT_HEAPSIZE } from "./loader.js";
import { LIB } from "./install.js";
import type { MicroPythonInstance } from "./types.js";

const USAGE = "usage: usocket-micropython [-X heapsize=N[k|m]] (script.py | -c code | -) [args...]";


function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A synchronous writer of one descriptor that holds bytes until a newline. */
class Output {
  #fd: number;
  #buf = Buffer.allocUnsafe(8192);
  #used = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  byte(c: number): void {
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
  /** The program, its file name for tracebacks, and the folder to make importable. */
  code: string;
  filename: string;
  folder: string | null;
  argv: string[];
}

function parseSize(text: string): number {
  const m = /^(\d+)([kKmM]?)$/.exec(text);
  if (m === null) throw new Error(`bad heapsize: ${text}`);
  return Number(m[1]) * (m[2] === "" ? 1 : m[2]!.toLowerCase() === "k" ? 1024 : 1024 * 1024);
}

function parse(args: string[]): Invocation | string {
  let heapsize = DEFAULT_HEAPSIZE;
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === "-X" && i + 1 < args.length) {
      const opt = args[i + 1]!;
      if (opt.startsWith("heapsize=")) heapsize = parseSize(opt.slice(9));
      i += 2;
    } else if (a === "-h" || a === "--help") {
      return USAGE;
    } else {
      break;
    }
  }
  const first = args[i];
  if (first === "-c") {
    if (i + 1 >= args.length) return USAGE;
    return { heapsize, code: args[i + 1]!, filename: "<stdin>", folder: null, argv: ["-c", ...args.slice(i + 2)] };
  }
  if (first === undefined || first === "-") {
    return { heapsize, code: fs.readFileSync(0, "utf8"), filename: "<stdin>", folder: null, argv: ["", ...args.slice(i + 1)] };
  }
  const file = path.resolve(first);
  return { heapsize, code: fs.readFileSync(file, "utf8"), filename: first, folder: path.dirname(file), argv: args.slice(i) };
}

const RUNNER = String.raw`
def _usocket_run(code, filename, argv, path):
    import sys, json
    sys.argv[:] = json.loads(argv)
    sys.path[:] = json.loads(path)
    g = globals()
    g['__file__'] = filename
    del g['_usocket_run']
    try:
        exec(compile(code, filename, 'exec'), g)
    except SystemExit as e:
        status = e.args[0] if e.args else 0
        if status is None:
            return 0
        if type(status) is int:
            return status
        print(status, file=sys.stderr)
        return 1
    except BaseException as e:
        import io
        text = io.StringIO()
        sys.print_exception(e, text)
        # the script's traceback, as on a board: without this runner's frame or the bridge's
        sys.stderr.write('\n'.join(l for l in text.getvalue().split('\n')
                                   if not l.endswith(' in _usocket_run') and not l.startswith('  File "${LIB}/')))
        return 1
    return 0
`;

/** Runs the command line `args` (without node and the program); resolves to the exit status. */
export async function main(args: string[]): Promise<number> {
  let inv: Invocation | string;
  try {
    inv = parse(args);
  } catch (error) {
    process.stderr.write(`usocket-micropython: ${(error as Error).message}\n`);
    return 2;
  }
  if (typeof inv === "string") {
    process.stderr.write(`${inv}\n`);
    return 2;
  }
  const out = new Output(1);
  const err = new Output(2);
  const input = new Input(() => {
    out.flush();
    err.flush();
  });
  let mp: MicroPythonInstance;
  try {
    mp = await loadMicroPython({
      heapsize: inv.heapsize,
      linebuffer: false,
      stdout: (data) => out.byte((data as Uint8Array)[0]!),
      stderr: (data) => err.byte((data as Uint8Array)[0]!),
      stdin: () => input.byte(),
      input: true,
      hostfs: true,
    });
  } catch (error) {
    process.stderr.write(`usocket-micropython: ${(error as Error).message}\n`);
    return 1;
  }
  // sys.path as MicroPython's unix port makes it: MICROPYPATH (or the default), with the
  // script's folder first. The host's file system is mounted, so they are read where they are.
  const cwd = process.cwd();
  const env = process.env["MICROPYPATH"];
  const sysPath = env === undefined ? ["", ".frozen", "/lib"] : env.split(path.delimiter).map((p) => (p === "" ? "" : path.resolve(p)));
  if (inv.folder !== null) sysPath.unshift(inv.folder);
  let status: number;
  try {
    mp.runPython(RUNNER);
    const run = mp.globals.get("_usocket_run") as (...a: unknown[]) => unknown;
    const result = run(inv.code, inv.filename, JSON.stringify(inv.argv), JSON.stringify(sysPath));
    status = typeof result === "number" ? result : 1;
  } catch (error) {
    out.flush();
    err.text(`${(error as Error).message ?? String(error)}\n`);
    status = 1;
  }
  out.flush();
  err.flush();
  return status & 0xff;
}

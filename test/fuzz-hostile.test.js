// Hostile arguments on every public function of the Node API (issue 11): Proxies whose traps
// throw, throwing getters, toString/valueOf/Symbol.toPrimitive that throw, detached buffers,
// descriptor numbers that are not open, closed sockets, throwing abort listeners. (A number
// another part of the process owns is not passed: adopting it is legitimate, as in CPython.) Each call must return or
// fail with TypeError, RangeError or OSError (or let the caller's own object's error pass
// through untouched, as CPython lets an exception from __index__ pass); never an internal
// message; the process stays alive and no descriptor is left open.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import { fdCount } from "./support/peers.js";
import { startedWatchdog } from "./support/blocking.js";
import { tempDir } from "./support/host.js";

// Strings such as "127.0.0.1\0evil" reach AF_UNIX sockets' bind too, which (as in CPython)
// names a file by the text before the NUL: make those files in a folder of this test's own.
const [scratch, removeScratch] = tempDir("usocket-fuzz-");
process.chdir(scratch);
process.on("exit", removeScratch);

await startedWatchdog(120);

/** What a hostile object of the caller throws: it may pass through, unchanged. */
class Hostile extends Error {}
const boom = () => {
  throw new Hostile("hostile");
};
const trapAll = new Proxy(
  {},
  {
    get: boom,
    has: boom,
    ownKeys: boom,
    getPrototypeOf: boom,
    getOwnPropertyDescriptor: boom,
    apply: boom,
  },
);

function detached() {
  const buffer = new ArrayBuffer(16);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

function hostileValues() {
  // A number no descriptor has (a number that was open once may be Node's own by now).
  const stale = 900000;
  const closed = socket.socket();
  closed.close();
  const signalWithThrowingListener = new AbortController();
  signalWithThrowingListener.signal.addEventListener("abort", boom);
  return [
    undefined,
    null,
    NaN,
    -0,
    Infinity,
    -Infinity,
    2 ** 32,
    -1,
    1.5,
    2 ** 53,
    7n,
    Symbol("s"),
    "",
    "\0",
    "x".repeat(5000),
    "127.0.0.1\0evil",
    true,
    () => 1,
    [],
    [undefined],
    ["127.0.0.1"],
    ["127.0.0.1", 2 ** 31],
    [Symbol("h"), 0],
    trapAll,
    new Proxy(["127.0.0.1", 0], { get: boom }),
    new Proxy(new AbortController().signal, {}),
    { valueOf: boom, toString: boom, [Symbol.toPrimitive]: boom },
    {
      get signal() {
        return boom();
      },
    },
    { signal: Object.create(AbortSignal.prototype) },
    { signal: signalWithThrowingListener.signal },
    { fileno: boom },
    { fileno: () => stale },
    { fileno: () => 2 ** 40 },
    { fileno: () => trapAll },
    {
      get length() {
        return boom();
      },
      get byteLength() {
        return boom();
      },
    },
    detached(),
    new DataView(new ArrayBuffer(0)),
    stale,
    0x7fffffff,
    closed,
  ];
}

function allowed(error) {
  if (error instanceof Hostile) return true;
  if (!(error instanceof TypeError || error instanceof RangeError || error instanceof socket.OSError)) return false;
  return !/usocket core/.test(error.message);
}

/** Calls fn, awaiting a Promise result for up to `ms`; returns null or a complaint. */
async function outcome(label, fn, onPending) {
  let result;
  try {
    result = fn();
  } catch (error) {
    return allowed(error) ? null : `${label}: threw ${error?.constructor?.name}: ${error?.message}`;
  }
  if (!(result instanceof Promise)) return null;
  let settled = false;
  let failure = null;
  const watched = result.then(
    () => {
      settled = true;
    },
    (error) => {
      settled = true;
      if (!allowed(error) && !(error instanceof DOMException))
        failure = `${label}: rejected ${error?.constructor?.name}: ${error?.message}`;
    },
  );
  await Promise.race([watched, new Promise((resolve) => setTimeout(resolve, 30))]);
  if (!settled) {
    onPending();
    await Promise.race([watched, new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (!settled) return `${label}: still pending after its socket closed`;
  }
  return failure;
}

const METHODS = {
  bind: [["127.0.0.1", 0]],
  connect: [["127.0.0.1", 9]],
  connectAsync: [["127.0.0.1", 9]],
  listen: [1],
  accept: [],
  acceptAsync: [{}],
  send: [Buffer.from("x"), 0],
  sendAsync: [Buffer.from("x"), 0],
  sendall: [Buffer.from("x")],
  sendallAsync: [Buffer.from("x")],
  sendto: [Buffer.from("x"), ["127.0.0.1", 9]],
  sendtoAsync: [Buffer.from("x"), ["127.0.0.1", 9]],
  recv: [4, 0],
  recvAsync: [4, 0],
  recv_into: [Buffer.alloc(4), 4, 0],
  recvfrom: [4],
  recvfromAsync: [4],
  setsockopt: [socket.SOL_SOCKET, socket.SO_REUSEADDR, 1],
  getsockopt: [socket.SOL_SOCKET, socket.SO_TYPE],
  settimeout: [0],
  setblocking: [false],
  shutdown: [socket.SHUT_RDWR],
  makefile: ["rb"],
  read: [4],
  readAsync: [4],
  readinto: [Buffer.alloc(4)],
  readintoAsync: [Buffer.alloc(4)],
  readline: [4],
  readlineAsync: [4],
  write: [Buffer.from("x")],
  writeAsync: [Buffer.from("x")],
  getsockname: [],
  getpeername: [],
  fileno: [],
  gettimeout: [],
  close: [],
};

test("every Socket method survives hostile arguments in every position", async () => {
  const before = fdCount();
  const values = hostileValues();
  const problems = [];
  for (const [name, template] of Object.entries(METHODS)) {
    assert.equal(typeof socket.Socket.prototype[name], "function", `Socket.${name} exists`);
    for (let position = 0; position <= template.length; position++) {
      for (const value of values) {
        const [a, b] = socket.socketpair();
        const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
        try {
          for (const s of [a, udp]) {
            s.settimeout(0);
            const args = template.slice();
            args[position] = value;
            const label = `${s === a ? "unix" : "udp"}.${name}(position ${position} = ${describe(value)})`;
            const problem = await outcome(
              label,
              () => s[name](...args),
              () => s.close(),
            );
            if (problem !== null) problems.push(problem);
            if (s.fileno() >= 0) s.settimeout(0);
          }
        } finally {
          a.close();
          b.close();
          udp.close();
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.equal(fdCount(), before, "no descriptor left open");
});

test("module functions, Poll, select and OSError survive hostile arguments", async () => {
  const before = fdCount();
  const values = hostileValues();
  const problems = [];
  const created = [];
  const keep = (s) => {
    if (s instanceof socket.Socket) created.push(s);
    else if (Array.isArray(s)) s.forEach(keep);
    return s;
  };
  const functions = {
    socket: [(...a) => keep(socket.socket(...a)), [socket.AF_INET, socket.SOCK_DGRAM, 0]],
    Socket: [(...a) => keep(new socket.Socket(...a)), [socket.AF_INET, socket.SOCK_DGRAM, 0, undefined]],
    socketpair: [(...a) => keep(socket.socketpair(...a)), [socket.AF_UNIX, socket.SOCK_STREAM, 0]],
    create_connection: [(...a) => keep(socket.create_connection(...a)), [["127.0.0.1", 9], 0.2]],
    getaddrinfo: [socket.getaddrinfo, ["127.0.0.1", 80, 0, 0, 0, 0]],
    getaddrinfoAsync: [socket.getaddrinfoAsync, ["127.0.0.1", 80, 0, 0, 0, 0]],
    inet_pton: [socket.inet_pton, [socket.AF_INET, "1.2.3.4"]],
    inet_ntop: [socket.inet_ntop, [socket.AF_INET, Buffer.alloc(4)]],
    gethostname: [socket.gethostname, []],
    setdefaulttimeout: [socket.setdefaulttimeout, [null]],
    OSError: [(...a) => new socket.OSError(...a), [4, "recv", {}]],
    select: [select.select, [[], [], [], 0]],
  };
  try {
    for (const [name, [fn, template]] of Object.entries(functions)) {
      for (let position = 0; position <= template.length; position++) {
        for (const value of values) {
          // select() with nothing to watch waits for its whole timeout (for ever without one),
          // as it should: only timeouts it must refuse are tried.
          if (name === "select" && position === 3 && (value == null || (typeof value === "number" && value >= 1)))
            continue;
          // -0 is descriptor 0, this process's stdin (a socket under the test runner).
          if (name === "Socket" && position === 3 && Object.is(value, -0)) continue;
          const args = template.slice();
          args[position] = value;
          const problem = await outcome(
            `${name}(position ${position} = ${describe(value)})`,
            () => fn(...args),
            () => {},
          );
          if (problem !== null) problems.push(problem);
          socket.setdefaulttimeout(null);
        }
      }
    }
    const [a, b] = socket.socketpair();
    created.push(a, b);
    const poll = select.poll();
    for (const method of ["register", "modify", "unregister", "poll", "ipoll", "pollAsync"]) {
      for (let position = 0; position < 2; position++) {
        for (const value of values) {
          poll.register(a, select.POLLOUT);
          const template = method === "poll" || method === "ipoll" || method === "pollAsync" ? [0] : [a, select.POLLIN];
          const args = template.slice();
          args[position] = value;
          const problem = await outcome(
            `Poll.${method}(position ${position} = ${describe(value)})`,
            () => {
              const result = poll[method](...args);
              if (result !== undefined && typeof result[Symbol.iterator] === "function" && !(result instanceof Promise))
                [...result];
              return result;
            },
            () => {},
          );
          if (problem !== null) problems.push(problem);
        }
      }
    }
  } finally {
    for (const s of created) s.close();
  }
  assert.deepEqual(problems, []);
  assert.equal(fdCount(), before, "no descriptor left open");
});

function describe(value) {
  try {
    if (typeof value === "string") return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
    if (typeof value === "symbol" || typeof value === "bigint") return String(value);
    if (typeof value === "function") return "function";
    if (value instanceof Uint8Array) return "Uint8Array";
    return Array.isArray(value) ? "array" : typeof value === "object" && value !== null ? "object" : String(value);
  } catch {
    return "hostile";
  }
}

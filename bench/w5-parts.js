// Where W5a's and W5c's time goes, in one process: each whole call as bench/peers/node.js
// makes it, beside its parts and the floor of what it returns, timed alike and interleaved.
//
//   node bench/w5-parts.js [--runs 9] [--n 1000000] [--warm CALLS] [--only name,name]
//
// Each line is the CPU time (user + system, process.cpuUsage) per call of one loop: the
// minimum and the median over the runs. Every loop is warmed up by four untimed calls of the
// same function (of n/10 calls each, or --warm CALLS), then timed in one call, as
// bench/peers/node.js times the W5 workloads. For instruction counts: valgrind
// --tool=callgrind node bench/w5-parts.js --runs 1 --warm 200000 --only NAME --n N for two
// values of N (a fixed warm-up, long enough for the JIT under valgrind); the difference of
// the counts over the difference of N is per call.
import { Buffer } from "node:buffer";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const u = await import(path.join(ROOT, "dist", "index.js"));
const { parseIPv4 } = await import(path.join(ROOT, "dist", "addresses.js"));
const { AF_INET } = u;

const flags = { runs: 9, n: 1_000_000, warm: 0, only: null };
for (let i = 2; i < process.argv.length; i++) {
  const name = process.argv[i].replace(/^--/, "");
  const value = process.argv[++i];
  if (name === "runs" || name === "n" || name === "warm") flags[name] = Number(value);
  else if (name === "only") flags.only = value.split(",");
  else throw new Error(`unknown flag --${name}`);
}

const bytes = new Uint8Array(4);
const slots = Int32Array.from([3, 2, 1, 6, 80, 0x7f000001, 2, 2, 17, 80, 0x7f000001, 2, 3, 0, 80, 0x7f000001]);
const text = "127.0.0.1";

// name → [what it measures, the loop (returns true when every call's result checked out), calls per n]
const LOOPS = {
  "W5a inet_pton": [
    'inet_pton(AF_INET, "127.0.0.1"), the sum of its bytes (W5a as the benchmark runs it)',
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const b = u.inet_pton(AF_INET, "127.0.0.1");
        sum += b[0] + b[1] + b[2] + b[3];
      }
      return sum === n * 128;
    },
  ],
  "W5a object": [
    "Buffer.allocUnsafe(4) and its four bytes stored, the same sum: the object returned, nothing else",
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const b = Buffer.allocUnsafe(4);
        b[0] = 127;
        b[1] = 0;
        b[2] = 0;
        b[3] = 1;
        sum += b[0] + b[1] + b[2] + b[3];
      }
      return sum === n * 128;
    },
  ],
  "W5a parse": [
    'the dotted-quad parse of "127.0.0.1" alone, into one reused Uint8Array, the same sum',
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        parseIPv4("127.0.0.1", bytes);
        sum += bytes[0] + bytes[1] + bytes[2] + bytes[3];
      }
      return sum === n * 128;
    },
  ],
  "W5a loop": [
    "the loop and the sum alone, over one reused Uint8Array",
    (n) => {
      let sum = 0;
      bytes.set([127, 0, 0, 1]);
      for (let i = 0; i < n; i++) sum += bytes[0] + bytes[1] + bytes[2] + bytes[3];
      return sum === n * 128;
    },
  ],
  "W5c getaddrinfo": [
    'getaddrinfo("127.0.0.1", 80) and its check (W5c as the benchmark runs it)',
    (n) => {
      for (let i = 0; i < n; i++) {
        const r = u.getaddrinfo("127.0.0.1", 80);
        const a = r[0][4];
        if (r[0][0] !== AF_INET || a[0] !== "127.0.0.1" || a[1] !== 80) return false;
      }
      return true;
    },
    0.1,
  ],
  "W5c answer": [
    "the answer alone: the list of three [family, type, proto, '', [host, port]] tuples built from fixed int32 slots, the same check",
    (n) => {
      for (let i = 0; i < n; i++) {
        const count = slots[0];
        const r = new Array(count);
        for (let j = 0, k = 1; j < count; j++, k += 5)
          r[j] = [slots[k], slots[k + 1], slots[k + 2], "", [text, slots[k + 3]]];
        const a = r[0][4];
        if (r[0][0] !== AF_INET || a[0] !== "127.0.0.1" || a[1] !== 80) return false;
      }
      return true;
    },
    0.1,
  ],
};

const names = Object.keys(LOOPS).filter((name) => flags.only === null || flags.only.includes(name));
const samples = Object.fromEntries(names.map((name) => [name, []]));
const count = (name) => Math.max(1, Math.round(flags.n * (LOOPS[name][2] ?? 1)));
for (const name of names) {
  const loop = LOOPS[name][1];
  const warm = flags.warm > 0 ? flags.warm : Math.ceil(count(name) / 10);
  for (let k = 0; k < 4; k++) if (!loop(warm)) throw new Error(`${name}: wrong result`);
}
for (let run = 0; run < flags.runs; run++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(j + run) % names.length];
    const n = count(name);
    const before = process.cpuUsage();
    const ok = LOOPS[name][1](n);
    const cpu = process.cpuUsage(before);
    if (!ok) throw new Error(`${name}: wrong result`);
    samples[name].push(((cpu.user + cpu.system) * 1000) / n);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const [load1, load5, load15] = (await import("node:os")).loadavg();
console.log(
  `node ${process.version}, ${flags.runs} interleaved runs, load average ${load1.toFixed(2)} ${load5.toFixed(2)} ${load15.toFixed(2)}`,
);
console.log("| loop | what | CPU/call min | median |");
console.log("|---|---|---|---|");
for (const name of names) {
  const values = samples[name];
  console.log(
    `| ${name} | ${LOOPS[name][0]} | ${Math.min(...values).toFixed(1)} ns | ${median(values).toFixed(1)} ns |`,
  );
}

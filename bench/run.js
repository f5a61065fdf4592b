// npm run bench: docs/behaviour.md §9. Builds the C partner and client (cc -O2) into bench/out/,
// starts one partner server per network workload and placement, and runs every peer against
// the same partners, interleaved run by run. Two placements (taskset), the same for every peer:
// "same": client and partner pinned to one CPU (the headline: a round trip is client CPU +
// partner CPU + kernel, so a library's own cost shows in full); "split": client on one CPU,
// partner on the other (every round trip also pays two cross-core wake-ups).
// Prints one table per placement (median, min–max, ratio to C's median, the client's and the
// partner's CPU per operation) and writes bench/out/results.json. Peers "floor"/"floorp": a
// minimal Node-API addon (bench/floor/, built here) returning the same objects, no checks.
//
//   node bench/run.js [--quick] [--runs N] [--workloads W1,W3,W6] [--peers c,usocket,...]
//                     [--placement same,split] [--cpu N]
//                     [--W1 N] [--W2 BYTES] [--W2r BYTES] [--W3 N] [--W4 N]
//                     [--W5a N] [--W5b N] [--W5c N] [--warm FRACTION] [--timeout SECONDS]
//
// Every figure is time per operation (W2/W2r: per 64 KiB) measured inside the client
// process after its own warm-up; process start-up is never timed. Each client also reports
// its CPU time (user, system; getrusage granularity) over the timed section: with the
// machine busy, wall time includes waiting, CPU per operation shows each peer's own cost.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const OUT = path.join(HERE, "out");
const CHUNK = 65536;
const GiB = 1024 ** 3;

const WORKLOADS = [
  {
    id: "W1",
    what: "TCP ping-pong, 1 byte each way",
    unit: "round trip",
    partner: "echo-tcp",
    full: 100_000,
    quick: 20_000,
    goal: 1.03,
    goals: { bridge: 1.25 },
  },
  {
    id: "W2",
    what: "TCP bulk send, 64 KiB send calls",
    unit: "64 KiB",
    partner: "sink",
    full: GiB,
    quick: 256 * 1024 ** 2,
    goal: 1.03,
    bytes: true,
  },
  {
    id: "W2r",
    what: "TCP bulk receive, 64 KiB recv_into",
    unit: "64 KiB",
    partner: "source",
    full: GiB,
    quick: 256 * 1024 ** 2,
    goal: 1.03,
    bytes: true,
  },
  {
    id: "W3",
    what: "UDP ping-pong, 64-byte datagrams",
    unit: "round trip",
    partner: "echo-udp",
    full: 100_000,
    quick: 20_000,
    goal: 1.05,
  },
  {
    id: "W4",
    what: "connect + close, sequential",
    unit: "connection",
    partner: "accept-close",
    full: 10_000,
    quick: 3_000,
    goal: 1.05,
  },
  // The calls without a partner warm up for at least 100k calls (W5c's 10% would be 10k,
  // about 3 ms in usocket): V8 compiles on a thread pinned to the same core, which took
  // longer than that, so a shorter warm-up timed the compiler. Every peer warms up alike.
  {
    id: "W5a",
    what: 'inet_pton(AF_INET, "127.0.0.1")',
    unit: "call",
    full: 1_000_000,
    quick: 300_000,
    minWarm: 100_000,
    goal: 3,
  },
  {
    id: "W5b",
    what: "inet_ntop(AF_INET, 4 bytes)",
    unit: "call",
    full: 1_000_000,
    quick: 300_000,
    minWarm: 100_000,
    goal: 2,
  },
  {
    id: "W5c",
    what: 'getaddrinfo("127.0.0.1", 80)',
    unit: "call",
    full: 100_000,
    quick: 20_000,
    minWarm: 100_000,
    goal: 3,
  },
  {
    id: "W1p",
    what: "TCP ping-pong through the Promise API",
    unit: "round trip",
    partner: "echo-tcp",
    full: 100_000,
    quick: 20_000,
    goal: 1.15,
    clientWorkload: "W1",
    promise: true,
  },
];

/** Run by bench/tls.js after the others (TLS bulk, TLS handshakes). */
const TLS_WORKLOADS = ["W6", "W7"];

const PEERS = {
  c: { label: "C (limit)" },
  usocket: { label: "usocket" },
  python: { label: "CPython socket" },
  node: { label: "Node net/dgram" },
  promise: { label: "usocket Promise" },
  bridge: { label: "MicroPython via usocket-micropython" },
  floor: { label: "Node-API floor (same objects, no checks)" },
  floorp: { label: "Node-API floor, Promise (same objects, no checks)" },
};

/** Peers that need the floor addon (bench/floor/floor.c), and the workloads it has. */
const FLOOR_PEERS = new Set(["floor", "floorp"]);
const FLOOR_WORKLOADS = new Set(["W1", "W2", "W2r", "W3", "W4", "W5a", "W5c", "W1p"]);

/** Peers whose figures are usocket's, held to the workload's goal. */
const OURS = new Set(["usocket", "promise", "bridge"]);

const PLACEMENTS = {
  same: { title: "Same core (headline): client and partner pinned to the same CPU" },
  split: {
    title: "Split placement: client and partner pinned to different CPUs (cross-core wake-ups in every round trip)",
  },
};

// ---- flags ----

function parseFlags(argv) {
  const flags = {
    quick: false,
    runs: 5,
    warm: 0.1,
    timeout: 600,
    workloads: null,
    peers: null,
    counts: {},
    placements: ["same", "split"],
    cpu: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith("--") ? arg.slice(2).split("=", 2) : [null, null];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${name} needs a value`);
      return v;
    };
    const positive = (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: not a positive number: ${v}`);
      return n;
    };
    if (name === "quick") flags.quick = true;
    else if (name === "runs") flags.runs = Math.floor(positive(value()));
    else if (name === "warm") flags.warm = Number(value());
    else if (name === "timeout") flags.timeout = positive(value());
    else if (name === "workloads") flags.workloads = value().split(",");
    else if (name === "peers") flags.peers = value().split(",");
    else if (name === "placement") flags.placements = value().split(",");
    else if (name === "cpu") flags.cpu = Math.floor(Number(value()));
    else if (name === "help" || name === "h") {
      process.stdout.write(
        readFileSync(fileURLToPath(import.meta.url), "utf8")
          .split("\n")
          .slice(0, 19)
          .join("\n") + "\n",
      );
      process.exit(0);
    } else if (name !== null && WORKLOADS.some((w) => w.id === name))
      flags.counts[name] = Math.floor(positive(value()));
    else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  if (!(flags.warm >= 0 && flags.warm <= 1)) throw new Error("--warm is a fraction from 0 to 1");
  for (const p of flags.peers ?? [])
    if (!PEERS[p]) throw new Error(`unknown peer ${p}; peers: ${Object.keys(PEERS).join(", ")}`);
  for (const w of flags.workloads ?? []) {
    if (!WORKLOADS.some((x) => x.id === w) && !TLS_WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}`);
  }
  for (const p of flags.placements)
    if (!PLACEMENTS[p]) throw new Error(`unknown placement ${p}; placements: same, split`);
  if (!(flags.cpu >= 0)) throw new Error("--cpu is a CPU number");
  return flags;
}

// ---- tools ----

function which(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).status === 0;
}

/** Node's headers for the floor addon: beside this node (an official build), else node-gyp's cache. */
function nodeHeaders() {
  const version = process.version.slice(1);
  const candidates = [
    path.join(path.dirname(process.execPath), "..", "include", "node"),
    path.join(os.homedir(), ".cache", "node-gyp", version, "include", "node"),
    path.join(ROOT, "node_modules", ".cache", "node-gyp", version, "include", "node"),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, "node_api.h"))) ?? null;
}

/** Builds bench/out/floor.node as node-gyp builds the core (cc -O3, the same warnings as
 * errors); returns null, or why it could not. Never part of the package's install. */
function buildFloor() {
  const source = path.join(HERE, "floor", "floor.c");
  const binary = path.join(OUT, "floor.node");
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return null;
  const headers = nodeHeaders();
  if (headers === null) return "Node's headers (node_api.h) not found";
  const flags = ["-O3", "-fPIC", "-pthread", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"];
  const cc = spawnSync(
    "cc",
    [...flags, "-D_GNU_SOURCE", "-DNODE_GYP_MODULE_NAME=floor", `-I${headers}`, "-shared", "-o", binary, source],
    { stdio: "inherit" },
  );
  return cc.status === 0 ? null : `cc failed to build ${source}`;
}

function build() {
  mkdirSync(OUT, { recursive: true });
  for (const name of ["partner", "client"]) {
    const source = path.join(HERE, "c", `${name}.c`);
    const binary = path.join(OUT, name);
    if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) continue;
    const cc = spawnSync("cc", ["-O2", "-Wall", "-Wextra", "-o", binary, source], { stdio: "inherit" });
    if (cc.status !== 0) throw new Error(`cc failed to build ${source}`);
  }
}

function pinned(cpu, command, args, haveTaskset) {
  return haveTaskset ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, args];
}

/**
 * Starts a partner; resolves to { port, child, cpu } once it printed its port. cpu() asks the
 * partner for its CPU time so far (SIGUSR1; it answers "CPU <user ns> <system ns>" on stdout:
 * taskset execs it, so the child's pid is the partner's) and resolves to { user, sys } in
 * nanoseconds, or null when no answer came within 5 s.
 */
function startPartner(mode, args, cpu, haveTaskset) {
  const [command, argv] = pinned(cpu, path.join(OUT, "partner"), [mode, ...args.map(String)], haveTaskset);
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const answers = [];
  const cpuNow = () =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        answers.splice(answers.indexOf(answer), 1);
        resolve(null);
      }, 5000);
      const answer = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      answers.push(answer);
      child.kill("SIGUSR1");
    });
  return new Promise((resolve, reject) => {
    let text = "";
    let stderr = "";
    let port = 0;
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      text += d;
      if (port === 0) {
        const m = /PORT (\d+)\n/.exec(text);
        if (!m) return;
        port = Number(m[1]);
        text = text.slice(m.index + m[0].length);
        resolve({ port, child, cpu: cpuNow });
      }
      let end = text.indexOf("\n");
      while (end >= 0) {
        const m = /^CPU (\d+) (\d+)$/.exec(text.slice(0, end));
        text = text.slice(end + 1);
        if (m) answers.shift()?.({ user: Number(m[1]), sys: Number(m[2]) });
        end = text.indexOf("\n");
      }
    });
    child.on("exit", (code) =>
      reject(new Error(`partner ${mode} exited (${code}) before printing its port: ${stderr}`)),
    );
  });
}

/** Runs one client process; resolves to its JSON line (or an error description). */
function runClient(command, args, timeoutS) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutS * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").filter(Boolean).at(-1);
      let result;
      try {
        result = JSON.parse(line);
      } catch {
        result = {
          ok: false,
          detail: `no result (exit ${code ?? signal}): ${(stderr || stdout).trim().slice(0, 400)}`,
        };
      }
      resolve(result);
    });
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function formatNs(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

function machine() {
  const lscpu = spawnSync("lscpu", [], { encoding: "utf8" }).stdout ?? "";
  const model = /Model name:\s*(.*)/.exec(lscpu)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  const py = spawnSync("python3", ["--version"], { encoding: "utf8" });
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: model,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    python: py.status === 0 ? (py.stdout || py.stderr).trim() : null,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

// ---- main ----

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const dist = path.join(ROOT, "dist", "index.js");
  if (!existsSync(dist) || !existsSync(path.join(ROOT, "build", "Release", "usocket.node"))) {
    throw new Error("usocket is not built: run `npm install` (or `npm run build`) first");
  }
  build();
  const ncpu = os.availableParallelism?.() ?? os.cpus().length;
  const haveTaskset = which("taskset") && ncpu >= 2 && flags.cpu < ncpu;
  const havePython = which("python3");
  const bridgeCli = path.join(ROOT, "bin", "usocket-micropython.js");
  const haveBridge = existsSync(bridgeCli) && existsSync(path.join(ROOT, "dist", "micropython", "cli.js"));
  const notes = [];
  // Same placement: both on flags.cpu; split: the client on flags.cpu, the partner on the next.
  const clientCpu = flags.cpu;
  const otherCpu = (flags.cpu + 1) % Math.max(ncpu, 1);
  const partnerCpu = { same: clientCpu, split: otherCpu };
  if (!haveTaskset)
    notes.push(
      "taskset not available (or fewer than 2 CPUs): client and partner are not pinned, so the placements do not differ",
    );
  else
    notes.push(
      `every client pinned with \`taskset -c ${clientCpu}\`; partners with \`taskset -c ${clientCpu}\` (same core) or \`taskset -c ${otherCpu}\` (split), for every peer alike`,
    );
  if (!havePython) notes.push("python3 not found: CPython peer skipped");

  const { Socket } = await import(dist);
  const havePromise = typeof Socket.prototype.recvAsync === "function";
  if (!havePromise) notes.push("W1p (Promise API): skipped: no Promise API in this build");
  if (!haveBridge) notes.push("MicroPython bridge peer skipped: dist/micropython is not built");
  const wantFloor = Object.keys(PEERS).some((p) => FLOOR_PEERS.has(p) && (!flags.peers || flags.peers.includes(p)));
  const floorProblem = wantFloor ? buildFloor() : null;
  const haveFloor = wantFloor && floorProblem === null;
  if (floorProblem !== null) notes.push(`Node-API floor peers skipped: ${floorProblem}`);

  const workloads = WORKLOADS.filter((w) => (flags.workloads ? flags.workloads.includes(w.id) : true));
  const peerIds = Object.keys(PEERS).filter((p) => (flags.peers ? flags.peers.includes(p) || p === "c" : true));
  // One plan entry per (placement, workload). Workloads without a partner do not depend on the
  // placement: they run once, under "same" (the client is pinned the same way).
  const plan = [];
  for (const placement of flags.placements) {
    for (const w of workloads) {
      if (!w.partner && placement !== flags.placements[0]) continue;
      if (w.promise && !havePromise) continue;
      const count = flags.counts[w.id] ?? (flags.quick ? w.quick : w.full);
      let warm = Math.round(count * flags.warm);
      if (w.bytes) warm = Math.floor(warm / CHUNK) * CHUNK;
      else warm = Math.max(warm, Math.min(count, 100), w.minWarm ?? 0);
      const peers = peerIds.filter((p) => {
        if (p === "python" && !havePython) return false;
        if (FLOOR_PEERS.has(p) && !(haveFloor && FLOOR_WORKLOADS.has(w.id))) return false;
        if (w.promise) return p === "c" || p === "promise" || p === "floorp";
        if (p === "promise" || p === "floorp") return false;
        if (p === "bridge") return haveBridge && w.id === "W1";
        if (p === "node" && w.id === "W5b") return false; // Node has no inet_ntop
        return true;
      });
      plan.push({
        ...w,
        placement: w.partner ? placement : flags.placements[0],
        count: w.bytes ? Math.ceil(count / CHUNK) * CHUNK : count,
        warm,
        peers,
        samples: Object.fromEntries(peers.map((p) => [p, []])),
        cpu: Object.fromEntries(peers.map((p) => [p, []])),
        partnerCpu: Object.fromEntries(peers.map((p) => [p, []])),
        errors: [],
      });
    }
  }
  if (plan.some((w) => w.id === "W5b") && peerIds.includes("node"))
    notes.push("W5b: Node has no inet_ntop (no Node figure)");
  if (plan.some((w) => w.id === "W5a") && peerIds.includes("node"))
    notes.push("W5a Node figure is net.isIP(), which validates the text but returns no bytes");
  if (plan.some((w) => w.id === "W5c") && peerIds.includes("node"))
    notes.push("W5c Node figure is dns.lookup(), which answers IP literals itself without calling getaddrinfo");
  if (plan.some((w) => w.peers.includes("bridge")))
    notes.push(
      "W1 MicroPython: bench/peers/bridge.py run by bin/usocket-micropython.js (MicroPython's WebAssembly port); its clock is performance.now(), its CPU process.cpuUsage(), both read through `js`",
    );

  // One partner per network workload and placement, shared by every peer and run.
  const partners = new Map();
  // A partner's own time limit: generous for the whole run, but bounded (the runner kills the
  // partners when it ends, and on Linux they also go when the runner does).
  const timeLimit = Math.min(
    7200,
    Math.ceil(flags.timeout * flags.runs * (peerIds.length + 1) * 2 * flags.placements.length),
  );
  const conns = (w) => flags.runs * w.peers.length + 8;
  const killPartners = () => {
    for (const { child } of partners.values()) child.kill("SIGKILL");
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      killPartners();
      process.exit(130);
    });
  }
  const loads = [os.loadavg()[0]];
  const started = machine();
  try {
    for (const w of plan) {
      const key = `${w.placement}:${w.partner}`;
      if (!w.partner || partners.has(key)) continue;
      const same = plan.filter((x) => x.partner === w.partner && x.placement === w.placement);
      let args;
      if (w.partner === "echo-udp") args = [timeLimit];
      else if (w.partner === "source") args = [timeLimit, conns(w), w.warm + w.count];
      else if (w.partner === "accept-close")
        args = [timeLimit, same.reduce((n, x) => n + flags.runs * x.peers.length * (x.warm + x.count), 0) + 8];
      else args = [timeLimit, same.reduce((n, x) => n + conns(x), 0)];
      partners.set(key, await startPartner(w.partner, args, partnerCpu[w.placement], haveTaskset));
    }
    const clientCommand = (peer, w, port) => {
      const args = [w.clientWorkload ?? w.id, port, w.count, w.warm].map(String);
      if (peer === "c") return pinned(clientCpu, path.join(OUT, "client"), args, haveTaskset);
      if (peer === "python")
        return pinned(clientCpu, "python3", [path.join(HERE, "peers", "client.py"), ...args], haveTaskset);
      if (peer === "bridge")
        return pinned(
          clientCpu,
          process.execPath,
          [bridgeCli, path.join(HERE, "peers", "bridge.py"), ...args],
          haveTaskset,
        );
      if (FLOOR_PEERS.has(peer))
        return pinned(
          clientCpu,
          process.execPath,
          [path.join(HERE, "peers", "floor.js"), peer === "floorp" ? "promise" : "sync", ...args],
          haveTaskset,
        );
      const nodePeer = peer === "node" ? "node" : peer === "promise" ? "promise" : "usocket";
      return pinned(clientCpu, process.execPath, [path.join(HERE, "peers", "node.js"), nodePeer, ...args], haveTaskset);
    };

    process.stderr.write(
      `usocket bench: ${flags.quick ? "quick" : "full"} run, ${flags.runs} runs per peer, placements ${flags.placements.join(", ")}; load average ${started.loadavg.join(" ")}\n`,
    );
    for (let run = 0; run < flags.runs; run++) {
      for (const w of plan) {
        const port = w.partner ? partners.get(`${w.placement}:${w.partner}`).port : 0;
        // Interleave: every peer once per run, starting with a different one each run.
        const order = w.peers.map((_, i) => w.peers[(i + run) % w.peers.length]);
        const partner = w.partner ? partners.get(`${w.placement}:${w.partner}`) : null;
        for (const peer of order) {
          const [command, args] = clientCommand(peer, w, port);
          const before = partner ? await partner.cpu() : null;
          const result = await runClient(command, args, flags.timeout);
          const after = before ? await partner.cpu() : null;
          loads.push(os.loadavg()[0]);
          if (result.skipped) continue;
          if (!result.ok || !(result.ns > 0) || !(result.ops > 0)) {
            w.errors.push({ run, peer, detail: result.detail });
            process.stderr.write(`  ${w.placement} ${w.id} ${peer} run ${run + 1}: FAILED: ${result.detail}\n`);
            continue;
          }
          w.samples[peer].push(result.ns / result.ops);
          if (result.userNs !== undefined)
            w.cpu[peer].push({ user: result.userNs / result.ops, sys: result.sysNs / result.ops });
          // The partner's CPU spans the client's whole life, warm-up included: per operation
          // over warm-up + timed operations (the partner, plain C, costs the same for each).
          const served = w.bytes ? (w.warm + w.count) / CHUNK : w.warm + w.count;
          if (after) w.partnerCpu[peer].push((after.user - before.user + after.sys - before.sys) / served);
          let cpuText =
            result.userNs !== undefined ? `, CPU ${formatNs((result.userNs + result.sysNs) / result.ops)}` : "";
          if (after) cpuText += `, partner CPU ${formatNs(w.partnerCpu[peer].at(-1))}`;
          process.stderr.write(
            `  run ${run + 1}/${flags.runs} ${w.placement.padEnd(5)} ${w.id.padEnd(4)} ${peer.padEnd(8)} ${formatNs(result.ns / result.ops)}/${w.unit}${cpuText}\n`,
          );
        }
      }
    }
  } finally {
    killPartners();
  }

  // ---- report ----
  const rows = [];
  const cpuOf = (list) => (list.length ? median(list.map((c) => c.user + c.sys)) : null);
  for (const w of plan) {
    const cMedian = w.samples.c?.length ? median(w.samples.c) : null;
    const cCpu = cpuOf(w.cpu.c ?? []);
    const cPartner = w.partnerCpu.c?.length ? median(w.partnerCpu.c) : null;
    for (const peer of w.peers) {
      const s = w.samples[peer];
      if (!s.length) continue;
      const m = median(s);
      const goal = OURS.has(peer) ? (w.goals?.[peer] ?? w.goal) : null;
      rows.push({
        placement: w.placement,
        workload: w.id,
        what: w.what,
        unit: w.unit,
        peer,
        label: PEERS[peer].label,
        count: w.count,
        warm: w.warm,
        runs: s.length,
        medianNs: m,
        minNs: Math.min(...s),
        maxNs: Math.max(...s),
        samplesNs: s,
        ratio: cMedian ? m / cMedian : null,
        goal,
        // Goals are judged on the same-core table; the split table is shown for comparison.
        meetsGoal: goal !== null && cMedian && w.placement === "same" ? m / cMedian <= goal : null,
        mbPerS: w.bytes ? (CHUNK / m) * 1e3 : undefined,
        // CPU of the client process per operation (medians over runs): user space, kernel.
        userNs: w.cpu[peer].length ? median(w.cpu[peer].map((c) => c.user)) : null,
        sysNs: w.cpu[peer].length ? median(w.cpu[peer].map((c) => c.sys)) : null,
        cpuSamplesNs: w.cpu[peer].map((c) => c.user + c.sys),
        // The same ratio by the client's CPU time: immune to time the client spent waiting or
        // preempted, which on a shared machine is the steadier figure.
        cpuRatio: cCpu && cpuOf(w.cpu[peer]) !== null ? cpuOf(w.cpu[peer]) / cCpu : null,
        // The partner's CPU per operation while this peer ran (median over runs; user +
        // system): the rest of a same-core round trip, beside the client's.
        partnerNs: w.partnerCpu[peer].length ? median(w.partnerCpu[peer]) : null,
        partnerSamplesNs: w.partnerCpu[peer],
        // Client + partner CPU per operation ÷ C's: on the same core, the round trip's cost
        // without the time neither process ran (the steadier figure on a shared machine).
        tripRatio:
          cCpu && cPartner && w.cpu[peer].length && w.partnerCpu[peer].length
            ? (cpuOf(w.cpu[peer]) + median(w.partnerCpu[peer])) / (cCpu + cPartner)
            : null,
      });
    }
  }
  const info = machine();
  const header = [
    "workload",
    "peer",
    "median/op",
    "min–max",
    "ratio to C",
    "goal",
    "client CPU/op user+sys",
    "CPU ratio",
    "partner CPU/op",
    "client+partner CPU ratio",
  ];
  const tableFor = (placement) => {
    const mine = rows.filter((r) => r.placement === placement);
    if (!mine.length) return "";
    const cells = mine.map((r) => [
      r.workload,
      r.label,
      formatNs(r.medianNs) + (r.mbPerS ? ` (${Math.round(r.mbPerS)} MB/s)` : ""),
      `${formatNs(r.minNs)} – ${formatNs(r.maxNs)}`,
      r.ratio === null ? "—" : r.ratio.toFixed(2),
      r.goal === null ? "" : r.meetsGoal === null ? `(≤ ${r.goal})` : `≤ ${r.goal} ${r.meetsGoal ? "met" : "NOT met"}`,
      r.userNs === null ? "" : `${formatNs(r.userNs)} + ${formatNs(r.sysNs)}`,
      r.cpuRatio === null ? "—" : r.cpuRatio.toFixed(2),
      r.partnerNs === null ? "" : formatNs(r.partnerNs),
      r.tripRatio === null ? "" : r.tripRatio.toFixed(3),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
    const line = (c) => "| " + c.map((x, i) => x.padEnd(widths[i])).join(" | ") + " |";
    const where = placement === "same" ? `CPU ${clientCpu}` : `client CPU ${clientCpu}, partner CPU ${otherCpu}`;
    return (
      `${PLACEMENTS[placement].title} (${where})\n\n` +
      line(header) +
      "\n" +
      line(widths.map((n) => "-".repeat(n))) +
      "\n" +
      cells.map(line).join("\n") +
      "\n\n"
    );
  };
  const load = {
    start: started.loadavg,
    end: info.loadavg,
    max1: Number(Math.max(...loads).toFixed(2)),
    min1: Number(Math.min(...loads).toFixed(2)),
  };
  let text = `\nusocket bench — ${started.date} to ${info.date}, ${info.nproc} CPUs (${info.cpu}), ${info.kernel}, node ${info.node}, ${info.python ?? "no python3"}\n`;
  text += `load average (1, 5, 15 min): ${load.start.join(" ")} at the start, ${load.end.join(" ")} at the end; 1-min ${load.min1}–${load.max1} during the run\n`;
  text += `${flags.runs} runs per peer, interleaved; warm-up ${flags.warm * 100}% excluded${plan.some((w) => w.minWarm) ? " (W5a–W5c: at least 100,000 calls)" : ""}; time per operation (W2/W2r: per 64 KiB call); ratios are medians ÷ C's median in the same placement\n\n`;
  for (const placement of flags.placements) text += tableFor(placement);
  for (const w of plan)
    for (const e of w.errors) text += `FAILED: ${w.placement} ${w.id} ${e.peer} run ${e.run + 1}: ${e.detail}\n`;
  text += notes.map((n) => `note: ${n}\n`).join("");
  process.stdout.write(text);
  const file = path.join(OUT, "results.json");
  writeFileSync(
    file,
    JSON.stringify(
      {
        machine: { ...info, loadavg: load },
        mode: flags.quick ? "quick" : "full",
        runs: flags.runs,
        warmFraction: flags.warm,
        placements: Object.fromEntries(flags.placements.map((p) => [p, { clientCpu, partnerCpu: partnerCpu[p] }])),
        notes,
        workloads: plan.map((w) => ({
          placement: w.placement,
          id: w.id,
          what: w.what,
          unit: w.unit,
          count: w.count,
          warm: w.warm,
          goal: w.goal,
          goals: w.goals,
          errors: w.errors,
        })),
        results: rows,
      },
      null,
      2,
    ) + "\n",
  );
  process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
  if (plan.some((w) => w.errors.length)) process.exitCode = 1;
  // The TLS workloads have their own partner and peers (bench/tls.js).
  if (!flags.workloads || flags.workloads.some((w) => TLS_WORKLOADS.includes(w))) {
    const { main: tls } = await import("./tls.js");
    await tls([...(flags.quick ? ["--quick"] : []), "--runs", String(flags.runs)]);
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 2;
});

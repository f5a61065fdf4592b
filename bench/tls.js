// The TLS workloads of npm run bench (docs/behaviour.md §11, performance): W6, TLS bulk
// (1 GiB each way in 64 KiB writes, TLS 1.3 with AES-128-GCM) and W7, full TLS 1.3
// handshakes with an ECDSA P-256 certificate, a new TCP connection each. One OpenSSL
// partner server (bench/c/tls-partner.c) serves every peer: the C client (the same OpenSSL
// calls, the limit), usocket over memory BIOs (what usocket-node/ssl ships), usocket with
// OpenSSL attached to the descriptor (the alternative), CPython's ssl and Node's tls.
// Runs are interleaved; client pinned to CPU 0 and partner to CPU 1 when taskset exists.
//
//   node bench/tls.js [--quick] [--runs N] [--W6 BYTES] [--W7 N]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, "out");
const GiB = 1024 ** 3;
const CHUNK = 65536;

const PEERS = {
  c: { label: "C (OpenSSL, limit)", command: () => [path.join(OUT, "tls-client"), []] },
  usocket: {
    label: "usocket (memory BIOs)",
    command: () => [process.execPath, [path.join(HERE, "peers", "tls-usocket.js")]],
  },
  "usocket-fd": {
    label: "usocket (OpenSSL on the fd)",
    command: () => [process.execPath, [path.join(HERE, "peers", "tls-usocket.js")]],
    extra: ["descriptor"],
  },
  python: { label: "CPython ssl", command: () => ["python3", [path.join(HERE, "peers", "tls-client.py")]] },
  node: { label: "Node tls", command: () => [process.execPath, [path.join(HERE, "peers", "tls-node.js")]] },
};

function which(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).status === 0;
}

/** The OpenSSL of the system with Node's headers: the library is the same 3.x series. */
function build() {
  mkdirSync(OUT, { recursive: true });
  const include = path.join(path.dirname(path.dirname(process.execPath)), "include", "node");
  for (const name of ["tls-partner", "tls-client"]) {
    const source = path.join(HERE, "c", `${name}.c`);
    const binary = path.join(OUT, name);
    if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) continue;
    const cc = spawnSync("cc", ["-O2", "-Wall", "-Wextra", `-I${include}`, "-o", binary, source, "-lssl", "-lcrypto"], {
      stdio: "inherit",
    });
    if (cc.status !== 0) throw new Error(`cc failed to build ${source} (needs libssl)`);
  }
}

function certificates() {
  const run = (...args) => {
    const r = spawnSync("openssl", args, { cwd: OUT, stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "tls-key.pem",
    "-out",
    "tls-cert.pem",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost",
  );
  return { cert: path.join(OUT, "tls-cert.pem"), key: path.join(OUT, "tls-key.pem") };
}

function startPartner(mode, cert, key, taskset) {
  const argv = [path.join(OUT, "tls-partner"), mode, cert, key];
  const child = taskset ? spawn("taskset", ["-c", "1", ...argv]) : spawn(argv[0], argv.slice(1));
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
      const m = /PORT (\d+)/.exec(text);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.on("exit", (code) => reject(new Error(`tls-partner ${mode} exited (${code})`)));
  });
}

function runClient(command, args, taskset, timeoutS) {
  const [cmd, argv] = taskset ? ["taskset", ["-c", "0", command, ...args]] : [command, args];
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutS * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)));
      } catch {
        resolve({ ok: false, detail: `exit ${code}: ${(stderr || stdout).trim().slice(0, 300)}` });
      }
    });
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function main(argv = process.argv.slice(2)) {
  const quick = argv.includes("--quick");
  const option = (name, fallback) => {
    const at = argv.indexOf(name);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const runs = option("--runs", 3);
  const bulk = option("--W6", quick ? 128 * 1024 ** 2 : GiB);
  const handshakes = option("--W7", quick ? 300 : 2000);
  if (!which("openssl") || !which("cc")) {
    console.log("W6/W7 skipped: needs the openssl command and a C compiler with libssl");
    return null;
  }
  build();
  const { cert, key } = certificates();
  const taskset = which("taskset") && os.cpus().length >= 2;
  const peers = Object.keys(PEERS).filter((p) => p !== "python" || which("python3"));
  const partners = {
    W6: await startPartner("bulk", cert, key, taskset),
    W7: await startPartner("handshake", cert, key, taskset),
  };
  const results = {};
  try {
    for (let run = 0; run < runs; run++) {
      for (const peer of peers) {
        const [command, base] = PEERS[peer].command();
        const extra = PEERS[peer].extra ?? [];
        const w6 = await runClient(
          command,
          [...base, "bulk", partners.W6.port, cert, bulk, Math.floor(bulk / 10 / CHUNK) * CHUNK, ...extra],
          taskset,
          600,
        );
        const w7 = await runClient(
          command,
          [...base, "handshake", partners.W7.port, cert, handshakes, Math.ceil(handshakes / 10), ...extra],
          taskset,
          600,
        );
        for (const [id, r] of [
          ["W6", w6],
          ["W7", w7],
        ]) {
          (results[peer] ??= {})[id] ??= [];
          results[peer][id].push(r);
          if (!r.ok) console.error(`${peer} ${id}: ${r.detail}`);
        }
      }
    }
  } finally {
    partners.W6.child.kill();
    partners.W7.child.kill();
  }
  /** Median per operation (µs per 64 KiB, or per handshake) of wall time, or with `cpu` of
   * the client's CPU time. */
  const figure = (peer, id, field, cpu) => {
    const ok = (results[peer]?.[id] ?? []).filter((r) => r.ok);
    if (ok.length === 0) return null;
    if (id === "W7") return median(ok.map((r) => ((cpu ? r.cpu : r.seconds) / r.count) * 1e6));
    return median(ok.map((r) => ((cpu ? r[`${field}Cpu`] : r[field]) / (r.bytes / CHUNK)) * 1e6));
  };
  const rows = [];
  for (const [id, field, what] of [
    ["W6", "send", "W6 send, µs per 64 KiB"],
    ["W6", "receive", "W6 receive, µs per 64 KiB"],
    ["W7", "seconds", "W7, µs per full handshake"],
  ]) {
    const c = figure("c", id, field, false);
    const cCpu = figure("c", id, field, true);
    for (const peer of peers) {
      const v = figure(peer, id, field, false);
      const cpuV = figure(peer, id, field, true);
      rows.push({
        workload: what,
        peer: PEERS[peer].label,
        median: v,
        ratio: v !== null && c ? v / c : null,
        cpu: cpuV,
        cpuRatio: cpuV !== null && cCpu ? cpuV / cCpu : null,
      });
    }
  }
  console.log(`\nTLS (W6 ${bulk} bytes each way, W7 ${handshakes} handshakes; median of ${runs} runs)`);
  for (const r of rows) {
    const wall =
      r.median === null ? "failed".padStart(16) : `${r.median.toFixed(1).padStart(9)} × ${r.ratio.toFixed(2)}`;
    const cpu = r.cpu === null ? "" : `   cpu ${r.cpu.toFixed(1).padStart(9)} × ${r.cpuRatio.toFixed(2)}`;
    console.log(`${r.workload.padEnd(28)} ${r.peer.padEnd(28)} ${wall}${cpu}`);
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    openssl: process.versions.openssl,
    runs,
    bulk,
    handshakes,
    taskset,
    loadavg: os.loadavg(),
    rows,
    raw: results,
  };
  writeFileSync(path.join(OUT, "tls-results.json"), JSON.stringify(report, null, 2));
  return report;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

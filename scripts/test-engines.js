// npm run test:engines: runs the test suite (already compiled into dist/) on the Node.js
// releases that bound package.json's `engines`, so the claim is what is tested.
// `engines.node` must read ">=A.B.C <N" with N odd: the Nodes are A.B.C (the oldest
// claimed) and the newest release of each of the two even (LTS) majors below N, N-3 and
// N-1 (for ">=20.19.0 <27": 20.19.0, the newest 24 and the newest 26). Majors in between
// are not run here, to keep CI short (docs/development.md says why these). Each Node comes
// from npm's `node` package into node_modules/.cache/, once. The addons are built once, by
// the Node that ran `npm install`: Node-API and the OpenSSL symbols they use are the same
// in every one of these Nodes.
// Extra arguments go to `node --test` (default: every test file).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const range = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).engines.node;
const match = /^>=(\d+)\.\d+\.\d+ <(\d+)$/.exec(range);
const below = match ? Number(match[2]) : 0;
if (!match || below % 2 === 0 || below - 3 <= Number(match[1])) {
  console.error(`test:engines: engines.node is "${range}"; expected ">=A.B.C <N", N odd and above A + 3`);
  process.exit(2);
}
const versions = [range.slice(2, range.indexOf(" ")), String(below - 3), String(below - 1)];

function nodeBinary(version) {
  const prefix = path.join(root, "node_modules", ".cache", "usocket-engines", version);
  const binary = path.join(prefix, "node_modules", "node", "bin", "node");
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    const install = spawnSync(
      "npm",
      ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", `node@${version}`],
      { stdio: "inherit" },
    );
    if (install.status !== 0 || !existsSync(binary)) {
      console.error(`test:engines: could not install node@${version} from npm`);
      process.exit(1);
    }
  }
  return binary;
}

const testFiles =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(path.join(root, "test"))
        .filter((name) => name.endsWith(".test.js"))
        .map((name) => path.join("test", name));
for (const version of versions) {
  const node = nodeBinary(version);
  const actual = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`test:engines: the suite on Node ${actual} (engines "${range}")`);
  const run = spawnSync(node, ["--test", "--test-concurrency=2", ...testFiles], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) {
    console.error(`test:engines: the suite failed on Node ${actual}`);
    process.exit(1);
  }
}

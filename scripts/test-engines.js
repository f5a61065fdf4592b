// npm run test:engines: runs the test suite (already compiled into dist/) on the oldest and
// the newest Node.js that package.json's `engines` claims, so the claim is exactly what is
// tested. `engines.node` must read ">=A.B.C <N": the Nodes are A.B.C and the newest N-1
// release. Each comes from npm's `node` package into node_modules/.cache/, once. The addon
// is built once, by the Node that ran `npm install`: Node-API keeps it loadable by both.
// Extra arguments go to `node --test` (default: every test file).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const range = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).engines.node;
const match = /^>=(\d+\.\d+\.\d+) <(\d+)$/.exec(range);
if (!match) {
  console.error(`test:engines: engines.node is "${range}"; expected ">=A.B.C <N"`);
  process.exit(2);
}
const versions = [match[1], String(Number(match[2]) - 1)];

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

// npm's prepack step: puts the native core, built for this platform, into
// prebuilds/<platform>-<arch>/<target>.node so the packed package installs and imports
// with no compiler (src/addon.ts, scripts/install.js). Every target of binding.gyp is
// copied, so a new addon needs no change here. The build is reused when it is newer than
// every source; otherwise node-gyp rebuilds it.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const release = path.join(root, "build", "Release");
const target = path.join(root, "prebuilds", `${process.platform}-${process.arch}`);

function built() {
  return existsSync(release) ? readdirSync(release).filter((name) => name.endsWith(".node")) : [];
}

function newestSource() {
  const native = path.join(root, "native");
  const files = [path.join(root, "binding.gyp"), ...readdirSync(native).map((name) => path.join(native, name))];
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

function upToDate() {
  const addons = built();
  return addons.length > 0 && addons.every((name) => statSync(path.join(release, name)).mtimeMs >= newestSource());
}

if (!upToDate()) {
  const gyp = process.env.npm_config_node_gyp;
  const result = gyp
    ? spawnSync(process.execPath, [gyp, "rebuild"], { cwd: root, stdio: "inherit" })
    : spawnSync("node-gyp", ["rebuild"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("prebuild: node-gyp rebuild failed; nothing was packed into prebuilds/");
    process.exit(1);
  }
}

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const name of built()) {
  copyFileSync(path.join(release, name), path.join(target, name));
  console.log(`prebuild: ${path.relative(root, path.join(target, name))}`);
}

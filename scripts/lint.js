// npm run lint: every linter and formatter check, failing on any finding.
// npm run format: rewrites the files in the formatting scope, and applies Biome's safe fixes.
//   TypeScript, JavaScript, JSON: Biome (biome.json)        C: clang-format (.clang-format), cppcheck
//   Python: flake8 (.flake8: pyflakes + pycodestyle), and a byte-compile check of every file
// Files come from git (tracked, plus untracked ones not ignored). The C and Python tools come
// from the system (.ci/run installs them through apt when it runs as root).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const write = process.argv.includes("--write");

const failures = [];
function step(name, command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", ...options });
  if (result.error?.code === "ENOENT") {
    failures.push(`${name}: ${command} is not installed (Debian/Ubuntu: apt-get install clang-format cppcheck flake8)`);
    return;
  }
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  if (result.status !== 0) failures.push(`${name}:\n${output}`);
  else console.log(`lint: ${name}: ok`);
}

const files = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
  cwd: root,
  encoding: "utf8",
})
  .stdout.split("\n")
  .filter((file) => file && existsSync(path.join(root, file)));
const byExtension = (...extensions) => files.filter((file) => extensions.some((ext) => file.endsWith(ext)));
const scripts = byExtension(".ts", ".js", ".json").filter((file) => file !== "package-lock.json");
const cFiles = byExtension(".c", ".h");
const pyFiles = byExtension(".py");

const biome = path.join(root, "node_modules", ".bin", "biome");
if (write) {
  step("biome (safe fixes)", biome, ["lint", "--write", ...scripts]);
  step("biome (format)", biome, ["format", "--write", ...scripts]);
} else {
  step("biome lint", biome, ["lint", "--error-on-warnings", ...scripts]);
  step("biome format", biome, ["format", ...scripts]);
}

if (cFiles.length > 0) {
  step("clang-format", "clang-format", write ? ["-i", ...cFiles] : ["--dry-run", "--Werror", ...cFiles]);
}
if (!write && cFiles.length > 0) {
  // Without Node's headers: with them cppcheck reads all of OpenSSL's (native/tls/) and
  // takes minutes; it checks our code either way, the Node-API types as unknown names.
  step("cppcheck", "cppcheck", [
    "--enable=warning,style,performance,portability",
    "--std=c11",
    "--error-exitcode=1",
    "--inline-suppr",
    "--suppress=missingIncludeSystem",
    "--suppress=missingInclude",
    "-D__linux__",
    "-D_GNU_SOURCE",
    "-q",
    ...cFiles,
  ]);
}

if (!write && pyFiles.length > 0) {
  step("flake8", "flake8", pyFiles);
  // Compiled into a scratch folder, so no __pycache__ appears beside the sources.
  const scratch = mkdtempSync(path.join(tmpdir(), "usocket-pycompile-"));
  step("python3 compile", "python3", [
    "-c",
    "import py_compile, sys\nfor f in sys.argv[2:]: py_compile.compile(f, cfile=sys.argv[1] + '/c.pyc', doraise=True)",
    scratch,
    ...pyFiles,
  ]);
  rmSync(scratch, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\n${failures.join("\n\n")}\n`);
  console.error(
    write ? "format: some files could not be fixed" : "lint: fix the findings above (npm run format fixes formatting)",
  );
  process.exit(1);
}

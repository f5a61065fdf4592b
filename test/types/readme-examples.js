// Run by `npm run typecheck`: compiles every ```js and ```ts block of README.md under
// --strict against the published declarations (dist/*.d.ts), so the README's examples and
// the types cannot drift apart. The blocks are taken from the README as they are, each
// one an ES module of its own, importing the package by name (usocket-node resolves to
// this package through its `exports` map, as it does for a consumer). Prints each error
// with its README line; exits 1 when there is any.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const README = path.join(ROOT, "README.md");
const LANGUAGES = new Set(["js", "javascript", "ts", "typescript"]);

/** The README's code blocks in the languages above: [{ line, code }], line = the README line
 * of the block's first line of code. */
export function readmeBlocks(text) {
  const blocks = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i]);
    if (open === null) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (LANGUAGES.has(open[1])) blocks.push({ line: i + 2, code: lines.slice(i + 1, end).join("\n") + "\n" });
    i = end;
  }
  return blocks;
}

const blocks = readmeBlocks(readFileSync(README, "utf8"));
if (blocks.length === 0) {
  console.error("README.md has no js/ts code blocks: nothing to check");
  process.exit(1);
}

// Each block is a file of its own next to this script (never written to disk), so that
// module resolution finds the package by its own name.
const files = new Map(blocks.map((block, i) => [path.join(ROOT, "test", "types", `readme-${i + 1}.mts`), block]));
const options = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
  types: ["node"],
  typeRoots: [path.join(ROOT, "node_modules", "@types")],
  skipLibCheck: false,
};
const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
const fileExists = host.fileExists.bind(host);
const getSourceFile = host.getSourceFile.bind(host);
host.readFile = (name) => files.get(path.resolve(name))?.code ?? readFile(name);
host.fileExists = (name) => files.has(path.resolve(name)) || fileExists(name);
host.getSourceFile = (name, language, ...rest) => {
  const block = files.get(path.resolve(name));
  return block === undefined
    ? getSourceFile(name, language, ...rest)
    : ts.createSourceFile(name, block.code, language, true);
};

const program = ts.createProgram([...files.keys()], options, host);
const diagnostics = ts.getPreEmitDiagnostics(program);
for (const diagnostic of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  const block = diagnostic.file === undefined ? undefined : files.get(path.resolve(diagnostic.file.fileName));
  if (block === undefined) {
    console.error(`${diagnostic.file?.fileName ?? "(no file)"}: ${message}`);
    continue;
  }
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  console.error(`README.md:${block.line + line}:${character + 1}: error TS${diagnostic.code}: ${message}`);
}
if (diagnostics.length > 0) process.exit(1);
console.log(`README.md: ${blocks.length} code blocks compile under --strict`);

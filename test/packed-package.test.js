// The package as a user receives it (docs/behaviour.md §1, §13): `npm pack` of this tree
// (its prepack puts the native core under prebuilds/), installed into an empty project
// with install scripts skipped and no network, must import every entry point of the
// exports map and move bytes, with no compiler involved. When no prebuilt core fits and
// nothing was compiled, importing and installing each fail with one message that says how
// to fix it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ROOT } from "./support/peers.js";

const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
/** Every import path the package offers: "usocket-node", "usocket-node/select", … (from the exports map). */
const ENTRY_POINTS = Object.keys(PACKAGE.exports)
  .filter((key) => key !== "./package.json")
  .map((key) => (key === "." ? PACKAGE.name : `${PACKAGE.name}/${key.slice(2)}`));
const PLATFORM = `${process.platform}-${process.arch}`;
/** What a fresh checkout does not have: build output, dependencies, local state. */
const NOT_COPIED = new Set([
  "node_modules",
  ".git",
  "dist",
  "prebuilds",
  "build-sanitize",
  "build.regular",
  "out",
  "api",
]);

/** The environment for a child: without what `npm test` or the sanitizer run set for themselves. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith("npm_") && key !== "USOCKET_NATIVE_DIR") env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command, args, cwd, env = cleanEnv()) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 240000, env });
  assert.equal(result.status, 0, `${command} ${args.join(" ")}: ${result.error ?? ""}${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** npm's own node-gyp, which scripts see as npm_config_node_gyp. */
function bundledNodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  const globalRoot = run("npm", ["root", "-g"], ROOT).trim();
  return path.join(globalRoot, "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
}

test("the API reference (typedoc.json) documents exactly the entry points of the exports map", () => {
  const typedoc = JSON.parse(readFileSync(path.join(ROOT, "typedoc.json"), "utf8"));
  const sources = Object.entries(PACKAGE.exports)
    .filter(([key]) => key !== "./package.json")
    .map(([, target]) => target.default.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"));
  assert.deepEqual([...typedoc.entryPoints].sort(), sources.sort());
});

describe("the packed package, installed with scripts skipped and no network", () => {
  let scratch;
  let tarball;
  let project;
  let installed;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "usocket-packed-"));
    // Packed from a copy of the tree, so the prepare (tsc) and prepack steps never rewrite
    // files that tests running beside this one are loading. The native build is copied
    // with its times, so prepack reuses it instead of compiling again.
    const tree = path.join(scratch, "tree");
    cpSync(ROOT, tree, {
      recursive: true,
      preserveTimestamps: true,
      // The root itself is always copied, whatever its folder is called (a checkout named "api").
      filter: (source) => source === ROOT || (!NOT_COPIED.has(path.basename(source)) && !source.endsWith(".tgz")),
    });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"));
    const packed = run("npm", ["pack", "--silent", "--pack-destination", scratch], tree).trim().split("\n").pop();
    tarball = path.join(scratch, packed);
    assert.equal(existsSync(path.join(tree, "prebuilds")), false, "postpack removes prebuilds/ from the tree");
    project = path.join(scratch, "consumer");
    mkdirSync(project);
    writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }),
    );
    run("npm", ["install", "--ignore-scripts", "--offline", "--no-audit", "--no-fund", "--silent", tarball], project);
    installed = path.join(project, "node_modules", PACKAGE.name);
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test("the tarball carries the prebuilt core, the licence and the docs, and no build folder", () => {
    const listing = run("tar", ["-tzf", tarball], scratch).split("\n");
    for (const file of [
      `package/prebuilds/${PLATFORM}/usocket.node`,
      "package/LICENSE",
      "package/CHANGELOG.md",
      "package/README.md",
      "package/docs/behaviour.md",
      "package/scripts/install.js",
      "package/binding.gyp",
      "package/dist/index.d.ts",
    ]) {
      assert.ok(listing.includes(file), `${file} is packed`);
    }
    assert.deepEqual(
      listing.filter((file) => file.startsWith("package/build/") || file.startsWith("package/test/")),
      [],
    );
    // Every addon of binding.gyp (the core, TLS) is prebuilt, and nothing else is.
    const targets = JSON.parse(readFileSync(path.join(ROOT, "binding.gyp"), "utf8")).targets.map((t) => t.target_name);
    assert.deepEqual(
      listing.filter((file) => file.startsWith(`package/prebuilds/${PLATFORM}/`)).sort(),
      targets.map((name) => `package/prebuilds/${PLATFORM}/${name}.node`).sort(),
    );
  });

  test("no runtime dependency comes along, and the optional MicroPython package is not pulled in", () => {
    const modules = readdirSync(path.join(project, "node_modules")).filter((name) => !name.startsWith("."));
    assert.deepEqual(modules, [PACKAGE.name]);
    assert.equal(existsSync(path.join(installed, "build")), false, "nothing was compiled");
  });

  test("every entry point imports by name, and a TCP socket echoes through the prebuilt core", () => {
    writeFileSync(
      path.join(project, "main.js"),
      `
      const entries = ${JSON.stringify(ENTRY_POINTS)};
      const loaded = {};
      for (const entry of entries) loaded[entry] = Object.keys(await import(entry)).length;
      const socket = await import("usocket-node");
      const { poll, POLLIN } = await import("usocket-node/select");
      const server = socket.socket();
      server.bind(["127.0.0.1", 0]);
      server.listen(1);
      const client = socket.socket();
      client.settimeout(5);
      client.connect(server.getsockname());
      const [conn] = server.accept();
      conn.settimeout(5);
      client.sendall("ping\\n");
      const p = poll();
      p.register(conn, POLLIN);
      const ready = p.poll(5000).length;
      conn.write(conn.readline());
      const echoed = client.readline().toString();
      for (const s of [conn, client, server]) s.close();
      let hidden;
      try {
        await import("usocket-node/dist/socket.js");
        hidden = "importable";
      } catch (error) {
        hidden = error.code;
      }
      console.log(JSON.stringify({ loaded, ready, echoed, hidden }));
      `,
    );
    const result = JSON.parse(run(process.execPath, ["main.js"], project));
    assert.deepEqual(Object.keys(result.loaded), ENTRY_POINTS);
    for (const entry of ENTRY_POINTS) assert.ok(result.loaded[entry] > 0, `${entry} exports something`);
    assert.equal(result.ready, 1);
    assert.equal(result.echoed, "ping\n");
    assert.equal(result.hidden, "ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  test("CommonJS: require() of every entry point works on each Node that engines claims (20.19+)", () => {
    writeFileSync(
      path.join(project, "main.cjs"),
      `const loaded = ${JSON.stringify(ENTRY_POINTS)}.map((entry) => Object.keys(require(entry)).length > 0);
      const { socketpair } = require("usocket-node");
      const [a, b] = socketpair();
      a.send("cjs");
      console.log(JSON.stringify([loaded, b.recv(3).toString()]));
      a.close();
      b.close();`,
    );
    const [loaded, received] = JSON.parse(run(process.execPath, ["--no-warnings", "main.cjs"], project));
    assert.deepEqual(
      loaded,
      ENTRY_POINTS.map(() => true),
    );
    assert.equal(received, "cjs");
  });

  test("the declarations resolve for a consumer's TypeScript under --strict", () => {
    writeFileSync(
      path.join(project, "check.ts"),
      `
      import { socket, type Socket } from "usocket-node";
      import { poll, type Poll } from "usocket-node/select";
      import { errorcode } from "usocket-node/errno";
      import { installSocket } from "usocket-node/micropython";
      const s: Socket = socket();
      const p: Poll = poll();
      const name: string | undefined = errorcode[1];
      const install: typeof installSocket = installSocket;
      void s; void p; void name; void install;
      `,
    );
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    run(
      process.execPath,
      [
        tsc,
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--types",
        "node",
        "--typeRoots",
        path.join(ROOT, "node_modules", "@types"),
        "check.ts",
      ],
      project,
    );
  });

  test("the shipped examples run from the installed package, importing it by name", () => {
    const output = run(process.execPath, [path.join(installed, "examples", "udp-request-response.js")], project);
    assert.match(output, /client: answer "BYE"/);
  });

  test("the install script uses a prebuilt core that loads, and compiles nothing", () => {
    run(process.execPath, [path.join(installed, "scripts", "install.js")], installed);
    assert.equal(existsSync(path.join(installed, "build")), false);
  });

  describe("with no prebuilt core for this platform", () => {
    let bare;
    before(() => {
      // The same package as a user on another platform gets it: nothing under prebuilds/
      // fits, and npm skipped the install script.
      bare = path.join(scratch, "bare");
      cpSync(installed, bare, { recursive: true });
      rmSync(path.join(bare, "prebuilds"), { recursive: true, force: true });
    });

    test("importing fails with one message naming what was tried and the fix", () => {
      const result = spawnSync(
        process.execPath,
        ["--input-type=module", "-e", `await import(${JSON.stringify(path.join(bare, "dist", "index.js"))})`],
        {
          encoding: "utf8",
          env: cleanEnv(),
          timeout: 30000,
        },
      );
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /usocket-node: the native core usocket\.node is not built for this system/);
      assert.match(result.stderr, new RegExp(`prebuilds/${PLATFORM}/usocket\\.node: not there`));
      assert.match(result.stderr, /npm rebuild usocket-node/);
      assert.doesNotMatch(result.stderr, /Cannot find module/);
    });

    test("installing without python3, make or a compiler fails with one message and the fix", () => {
      // A PATH that holds node and nothing else: node-gyp finds no Python, before it would
      // look for headers (nodedir is given, so nothing is downloaded either way).
      const onlyNode = path.join(scratch, "only-node");
      mkdirSync(onlyNode);
      symlinkSync(process.execPath, path.join(onlyNode, "node"));
      const nodedir = spawnSync("npm", ["config", "get", "nodedir"], { encoding: "utf8" }).stdout.trim();
      const env = {
        PATH: onlyNode,
        HOME: process.env.HOME ?? scratch,
        npm_config_node_gyp: bundledNodeGyp(),
        npm_config_nodedir: nodedir && nodedir !== "undefined" ? nodedir : path.dirname(path.dirname(process.execPath)),
      };
      const result = spawnSync(process.execPath, [path.join(bare, "scripts", "install.js")], {
        cwd: bare,
        encoding: "utf8",
        env,
        timeout: 120000,
      });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`cannot set up the native core: no prebuilt core for ${PLATFORM}`));
      assert.match(result.stderr, /python3 was not found/);
      assert.match(result.stderr, /apt-get install python3 make g\+\+/);
      assert.match(result.stderr, /npm rebuild usocket-node/);
      assert.doesNotMatch(result.stderr, /gyp ERR! stack/);
      const log = /Full build output: (\S+)/.exec(result.stderr)?.[1];
      assert.ok(log && existsSync(log), "the full node-gyp output is kept in a file");
      rmSync(log);
      assert.equal(existsSync(path.join(bare, "build", "Release", "usocket.node")), false);
    });
  });
});

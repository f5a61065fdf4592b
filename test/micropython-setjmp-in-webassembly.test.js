// The port's setjmp/longjmp done in WebAssembly (src/micropython/sjlj.ts): the rewritten
// module is the one the port runs (no invoke_* import is called), it behaves as the port's
// JavaScript trampolines do (a longjmp restores the stack pointer and sets the throw flag, a
// JavaScript exception passes through with the stack pointer restored, results come back),
// and anything the rewrite cannot read, or a WebAssembly without exception handling, leaves
// the port on its original bytes, running as before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runNode } from "./support/node-child.js";
import { DIST } from "./support/peers.js";

const { rewriteSetjmp, instantiateRewritten, RewriteError } = await import(`${DIST}/micropython/sjlj.js`);

// ---- a small module shaped like the port's setjmp/longjmp, assembled here ----

const u32 = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const s32 = (n) => {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items) => [...u32(items.length), ...items.flat()];
const name = (s) => vec([...Buffer.from(s)]);
const section = (id, bytes) => [id, ...u32(bytes.length), ...bytes];
const body = (locals, code) => vec([...locals, ...code, 0x0b]);
const I32 = 0x7f;
const STACK_TOP = 1000;

/**
 * A module with the port's shape: imports env.invoke_vi, env.invoke_ii,
 * env._emscripten_throw_longjmp and env.js_fail (a JavaScript function); a stack pointer
 * (global 0), the exports the rewrite calls; table entries 0: moves the stack pointer then
 * longjmps when its argument is not 0; 1: moves it and calls js_fail; 2: adds 1.
 * `run_vi(entry, arg)` and `run_ii(entry, arg)` call them through the invoke imports; `extra`
 * is put at the start of run_vi's body (one the rewrite reads: it calls an invoke).
 * With `padded`, run_vi's call has its index in 5 bytes: the rewrite writes the new index in
 * place; otherwise it is one byte, and 120 more functions make the new index need two: the
 * body is written again, longer.
 */
function portLike(extra = [], { padded = false } = {}) {
  const types = [
    [0x60, 0, 0], // 0: () -> ()
    [0x60, 2, I32, I32, 0], // 1: (i32, i32) -> ()
    [0x60, 0, 1, I32], // 2: () -> i32
    [0x60, 1, I32, 0], // 3: (i32) -> ()
    [0x60, 2, I32, I32, 1, I32], // 4: (i32, i32) -> i32
    [0x60, 1, I32, 1, I32], // 5: (i32) -> i32
  ];
  const imports = [
    [...name("env"), ...name("invoke_vi"), 0, 1], // function 0
    [...name("env"), ...name("invoke_ii"), 0, 4], // 1
    [...name("env"), ...name("_emscripten_throw_longjmp"), 0, 0], // 2
    [...name("env"), ...name("js_fail"), 0, 3], // 3
  ];
  const moveStack = [0x23, 0, 0x41, 16, 0x6b, 0x24, 0]; // sp -= 16, as a C frame would
  const bodies = [
    body([0], [0x23, 0]), // 4: emscripten_stack_get_current
    body([0], [0x20, 0, 0x24, 0]), // 5: _emscripten_stack_restore
    // 6: setThrew(threw, value): only the first throw counts, as Emscripten's
    body([0], [0x23, 1, 0x45, 0x04, 0x40, 0x20, 0, 0x24, 1, 0x20, 1, 0x24, 2, 0x0b]),
    body([0], [...moveStack, 0x20, 0, 0x04, 0x40, 0x10, 2, 0x0b]), // 7: table 0
    body([0], [...moveStack, 0x20, 0, 0x10, 3]), // 8: table 1
    body([0], [0x20, 0, 0x41, 1, 0x6a]), // 9: table 2
    // 10: run_vi (with its callee's index padded to 5 bytes, as the linker writes them, or not)
    body([0], [...extra, 0x20, 0, 0x20, 1, 0x10, ...(padded ? [0x80, 0x80, 0x80, 0x80, 0] : [0])]),
    body([0], [0x20, 0, 0x20, 1, 0x10, 1]), // 11: run_ii
  ];
  const fillers = padded ? 0 : 120;
  for (let i = 0; i < fillers; i++) bodies.push(body([0], []));
  const global = (init) => [I32, 1, 0x41, ...s32(init), 0x0b];
  const exports = [
    [...name("emscripten_stack_get_current"), 0, 4],
    [...name("_emscripten_stack_restore"), 0, 5],
    [...name("setThrew"), 0, 6],
    [...name("run_vi"), 0, 10],
    [...name("run_ii"), 0, 11],
    [...name("sp"), 3, 0],
    [...name("threw"), 3, 1],
    [...name("threwValue"), 3, 2],
    [...name("__indirect_function_table"), 1, 0],
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec([[2], [3], [1], [3], [3], [5], [1], [4], ...new Array(fillers).fill([0])])),
    ...section(4, vec([[0x70, 0, 3]])),
    ...section(6, vec([global(STACK_TOP), global(0), global(0)])),
    ...section(7, vec(exports)),
    ...section(9, vec([[0, 0x41, 0, 0x0b, ...vec([[7], [8], [9]])]])),
    ...section(10, vec(bodies)),
  ]);
}

/** Imports for portLike: the glue's JavaScript trampolines (the port's, restated), counted. */
function trampolines(fail) {
  const calls = { invoke: 0, throw: 0 };
  let exports;
  const invoke =
    (...params) =>
    (index, ...args) => {
      calls.invoke++;
      const sp = exports.emscripten_stack_get_current();
      try {
        return exports.__indirect_function_table.get(index)(...args);
      } catch (e) {
        exports._emscripten_stack_restore(sp);
        if (e !== e + 0) throw e;
        exports.setThrew(1, 0);
      }
      return params.length === 0 ? undefined : 0;
    };
  const env = {
    invoke_vi: invoke(),
    invoke_ii: invoke(0),
    _emscripten_throw_longjmp: () => {
      calls.throw++;
      throw Infinity;
    },
    js_fail: () => {
      throw fail;
    },
  };
  return { imports: { env }, calls, bind: (e) => (exports = e) };
}

/** The observable behaviour of a portLike instance. */
function observe(exports, fail) {
  const seen = [];
  const state = () => [exports.sp.value, exports.threw.value, exports.threwValue.value];
  exports.run_vi(0, 0); // returns normally: the callee's stack change stays, as the glue's
  seen.push(["normal", ...state()]);
  exports.sp.value = STACK_TOP;
  exports.run_vi(0, 1); // longjmps: caught, stack pointer restored, setThrew(1, 0)
  seen.push(["longjmp", ...state()]);
  exports.threw.value = 0;
  seen.push(["result", exports.run_ii(2, 41), ...state()]);
  let thrown;
  try {
    exports.run_vi(1, 0);
  } catch (e) {
    thrown = e;
  }
  seen.push(["javascript", thrown === fail, ...state()]);
  return seen;
}

/** Instantiates `bytes` with the JavaScript trampolines; runs observe(). */
async function run(bytes, fail) {
  const t = trampolines(fail);
  const { instance } = await WebAssembly.instantiate(bytes, t.imports);
  t.bind(instance.exports);
  return { seen: observe(instance.exports, fail), calls: t.calls };
}

test("the rewritten module does what the JavaScript trampolines did, without calling them", async () => {
  const fail = new TypeError("from JavaScript");
  const expected = [
    ["normal", STACK_TOP - 16, 0, 0],
    ["longjmp", STACK_TOP, 1, 0],
    ["result", 42, STACK_TOP, 0, 0],
    ["javascript", true, STACK_TOP, 0, 0],
  ];
  const original = await run(portLike(), fail);
  assert.deepEqual(original.seen, expected);
  assert.deepEqual(original.calls, { invoke: 4, throw: 1 });
  for (const padded of [false, true]) {
    const rewritten = await run(rewriteSetjmp(portLike([], { padded })), fail);
    assert.deepEqual(rewritten.seen, expected);
    assert.deepEqual(rewritten.calls, { invoke: 0, throw: 0 }, "no JavaScript trampoline ran");
  }
});

test("bytes the rewrite cannot read throw RewriteError; instantiation then gets the original bytes", async () => {
  assert.throws(() => rewriteSetjmp(new Uint8Array([0, 1, 2])), RewriteError);
  assert.throws(() => rewriteSetjmp(portLike().subarray(0, 200)), RewriteError);
  // a SIMD constant in a body that calls an invoke: an opcode outside the port's features, so
  // outside the decoder's (bodies without such calls are copied unread)
  const simd = portLike([0xfd, 0x0c, ...new Array(16).fill(0), 0x1a]);
  assert.ok(WebAssembly.validate(simd));
  assert.throws(() => rewriteSetjmp(simd), RewriteError);
  // no invoke_* import: nothing to rewrite
  const plain = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  assert.throws(() => rewriteSetjmp(plain), RewriteError);

  const fail = new TypeError("from JavaScript");
  const t = trampolines(fail);
  t.imports.env.create_promise = () => {}; // what marks the imports as the port's
  const given = [];
  const result = await instantiateRewritten(simd, t.imports, (source) => {
    given.push(source);
    return WebAssembly.instantiate(source, t.imports);
  });
  assert.deepEqual(given, [simd], "the original bytes, once");
  t.bind(result.instance.exports);
  assert.equal(observe(result.instance.exports, fail).length, 4);
  assert.deepEqual(t.calls, { invoke: 4, throw: 1 }, "the JavaScript trampolines ran");
});

test("a WebAssembly that cannot compile the rewritten module: the original bytes, then the rewritten ones again", async () => {
  const fail = new TypeError("from JavaScript");
  const t = trampolines(fail);
  t.imports.env.create_promise = () => {};
  const bytes = portLike();
  const compile = WebAssembly.compile;
  WebAssembly.compile = () => Promise.reject(new WebAssembly.CompileError("no exception handling"));
  let result;
  try {
    result = await instantiateRewritten(bytes, t.imports, (source) => WebAssembly.instantiate(source, t.imports));
  } finally {
    WebAssembly.compile = compile;
  }
  t.bind(result.instance.exports);
  observe(result.instance.exports, fail);
  assert.deepEqual(t.calls, { invoke: 4, throw: 1 }, "the original module");
  // with compilation back, the module given back is the rewritten one (a Module and its Instance)
  const again = trampolines(fail);
  again.imports.env.create_promise = () => {};
  const rewritten = await instantiateRewritten(bytes, again.imports, (source) =>
    WebAssembly.instantiate(source, again.imports),
  );
  assert.ok(rewritten.module instanceof WebAssembly.Module);
  assert.ok(WebAssembly.Module.exports(rewritten.module).some((e) => e.name === "run_vi"));
  again.bind(rewritten.instance.exports);
  observe(rewritten.instance.exports, fail);
  assert.deepEqual(again.calls, { invoke: 0, throw: 0 });
});

// The port itself, in a child process each (one port per process): `mode` "rewritten" or
// "fallback" (WebAssembly.compile fails, as on an engine without exception handling). The child
// counts calls of the invoke_* and _emscripten_throw_longjmp imports while scripts run that
// raise through many frames, run finally blocks, recurse until RuntimeError, close a generator,
// and let JavaScript exceptions (a JavaScript function's own, a Python one from a callback)
// pass through Python frames, and JavaScript's stack overflows under Python frames.
const CHILD = `
const mode = ${JSON.stringify("MODE")};
const counts = { calls: 0 };
let portExports;
const plain = WebAssembly.instantiate;
WebAssembly.instantiate = function (source, imports) {
  const env = imports?.env;
  if (typeof env?.invoke_ii === "function") {
    for (const name of Object.keys(env)) {
      if (!name.startsWith("invoke_") && name !== "_emscripten_throw_longjmp") continue;
      const f = env[name];
      env[name] = function (...args) { counts.calls++; return f.apply(this, args); };
    }
  }
  return plain.call(WebAssembly, source, imports).then((r) => {
    portExports = (r.instance ?? r).exports;
    return r;
  });
};
if (mode === "fallback") WebAssembly.compile = () => Promise.reject(new WebAssembly.CompileError("no EH"));
const base = new URL("./micropython/", "file://" + process.env.USOCKET);
const { loadMicroPython } = await import(new URL("index.js", base));
const { rewriteCounts } = await import(new URL("sjlj.js", base));
const out = [];
const mp = await loadMicroPython({ stdout: (line) => out.push(line) });
globalThis.jsFail = () => { throw new TypeError("from JavaScript"); };
globalThis.jsCallBack = (f) => f();
globalThis.jsOverflow = () => {
  const deeper = (n) => deeper(n + 1) + 1;
  return deeper(0);
};
counts.calls = 0;
mp.runPython(\`
def down(n):
    if n == 0:
        raise ValueError("bottom")
    try:
        return down(n - 1)
    finally:
        unwound.append(n)
unwound = []
try:
    down(100)
except ValueError as e:
    print("deep", e, len(unwound), unwound[0], unwound[-1])
def forever(n):
    return forever(n + 1)
for i in range(3):
    try:
        forever(0)
    except RuntimeError as e:
        print("recursion", e)
def gen():
    try:
        yield 1
        yield 2
    finally:
        print("generator closed")
g = gen()
print(next(g))
g.close()
class Exit:
    def __enter__(self):
        return self
    def __exit__(self, *args):
        print("exit", args[0].__name__)
        return True
with Exit():
    raise OSError(5)
print("after", sum(range(10)))
\`);
const sp = () => portExports.emscripten_stack_get_current();
const before = sp();
try {
  mp.runPython("import js\\ndef f():\\n  js.jsFail()\\ntry:\\n  f()\\nfinally:\\n  print('not reached')");
} catch (e) {
  out.push(e.name + ": " + e.message, before - sp());
}
try {
  mp.runPython("import js\\ndef raiser():\\n  raise KeyError('inner')\\njs.jsCallBack(raiser)");
} catch (e) {
  out.push(e.name + " " + e.type, before - sp());
}
try {
  mp.runPython("import js\\ndef rec():\\n  js.jsCallBack(rec)\\nrec()");
} catch (e) {
  out.push(e.name + " " + e.type, before - sp());
}
try {
  mp.runPython("import js\\ndef f():\\n  js.jsOverflow()\\nf()");
} catch (e) {
  out.push(e.name + ": " + e.message, before - sp());
}
mp.runPython("print('again', sum(range(5)))");
console.log(JSON.stringify({ out, rewriteCounts, calls: counts.calls }));
`;

async function port(mode) {
  const r = await runNode(CHILD.replace('"MODE"', JSON.stringify(mode)), { limitMs: 60_000 });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

test("the port runs the rewritten module: no invoke_* call; exceptions, recursion, generators as before; the stack pointer back after JavaScript errors", async () => {
  const [rewritten, fallback] = await Promise.all([port("rewritten"), port("fallback")]);
  assert.deepEqual(rewritten.rewriteCounts, { rewritten: 1, original: 0 });
  assert.equal(rewritten.calls, 0, "no JavaScript trampoline ran");
  assert.deepEqual(fallback.rewriteCounts, { rewritten: 0, original: 1 });
  assert.ok(fallback.calls > 1000, `the original trampolines ran (${fallback.calls})`);
  const expected = [
    "deep bottom 100 1 100",
    "recursion maximum recursion depth exceeded",
    "recursion maximum recursion depth exceeded",
    "recursion maximum recursion depth exceeded",
    "1",
    "generator closed",
    "exit OSError",
    "after 45",
  ];
  assert.deepEqual(rewritten.out.slice(0, expected.length), expected);
  // JavaScript exceptions pass through Python frames (no finally runs: they are not Python's),
  // and the port's stack pointer is back where it was after each (loader.ts: ccall's guard;
  // V8 shows no WebAssembly handler a stack overflow), then the port runs on
  assert.deepEqual(rewritten.out.slice(expected.length), [
    "TypeError: from JavaScript",
    0,
    "PythonError KeyError",
    0,
    "PythonError RuntimeError", // Python -> JavaScript -> Python ...: MicroPython's recursion limit
    0,
    "RangeError: Maximum call stack size exceeded", // JavaScript's own stack overflow
    0,
    "again 10",
  ]);
  assert.deepEqual(rewritten.out, fallback.out);
});

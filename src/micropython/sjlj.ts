// The port's setjmp/longjmp in WebAssembly. The npm build of the port emulates setjmp/longjmp
// in JavaScript: every call made by a C function that calls setjmp (the bytecode loop does,
// once per Python frame, through nlr_push) goes out to an `invoke_*` import, a JavaScript
// function that saves the stack pointer, calls the table entry inside try/catch and, when
// the callee longjmps (the import `_emscripten_throw_longjmp` throws a number), restores the
// stack pointer and records the throw with `setThrew(1, 0)`. Two crossings between
// WebAssembly and JavaScript and a table look-up per call: about a quarter of the bridge's
// user time in W1 (docs/performance.md, "W1 from MicroPython").
//
// While the port loads, its bytes are rewritten so the same work happens in WebAssembly,
// with the exception-handling proposal's legacy instructions (try/catch/catch_all/throw/
// rethrow, which every supported Node runs):
//  - a tag of type () -> () is added;
//  - a new function `throw $tag` takes the place of `_emscripten_throw_longjmp`;
//  - for each `invoke_SIG` a new function of the same type saves the stack pointer, calls
//    the table entry (call_indirect, the type without the index), and on `$tag` restores the
//    stack pointer, calls setThrew(1, 0) and returns zero; on any other exception (a
//    JavaScript one passing through) restores the stack pointer and rethrows it;
//  - every `call` of those imports in every body is redirected to its new function.
// The imports stay (unused), so no function index moves. Only the bodies whose bytes contain
// such a call (0x10 and the import's index) are decoded, instruction by instruction, to find
// the real ones; the others (in the port 1.27.0, 1376 of 1456 bodies, three quarters of the
// code) are copied unread. Anything not understood (another build, an opcode this decoder
// does not know) makes the rewrite throw; the caller then loads the original bytes.

/** Why the rewrite gave up: the caller falls back to the original bytes. */
export class RewriteError extends Error {}

const fail = (why: string): never => {
  throw new RewriteError(why);
};

/** The value types of the module's declared features (one byte each). */
const VALUE_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    readonly end = bytes.length,
  ) {
    this.pos = pos;
  }
  byte(): number {
    if (this.pos >= this.end) fail("unexpected end");
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result > 0xffffffff ? fail("u32 too large") : result;
    }
    return fail("LEB128 too long");
  }
  /** Skips a LEB128 number of any sign and width up to 64 bits. */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    fail("LEB128 too long");
  }
  skip(n: number): void {
    if (this.pos + n > this.end) fail("unexpected end");
    this.pos += n;
  }
  valueType(): number {
    const t = this.byte();
    return VALUE_TYPES.has(t) ? t : fail(`value type 0x${t.toString(16)}`);
  }
}

class Writer {
  bytes: Uint8Array;
  length = 0;
  constructor(size = 1024) {
    this.bytes = new Uint8Array(size);
  }
  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  byte(b: number): void {
    this.room(1);
    this.bytes[this.length++] = b;
  }
  u32(value: number): void {
    do {
      let b = value & 0x7f;
      value = Math.floor(value / 128);
      if (value !== 0) b |= 0x80;
      this.byte(b);
    } while (value !== 0);
  }
  copy(source: Uint8Array, start: number, end: number): void {
    this.room(end - start);
    this.bytes.set(source.subarray(start, end), this.length);
    this.length += end - start;
  }
  all(bytes: Uint8Array | readonly number[]): void {
    this.room(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }
  /** Appends `section` as a section with `id` (its size first). */
  section(id: number, section: Writer): void {
    this.byte(id);
    this.u32(section.length);
    this.copy(section.bytes, 0, section.length);
  }
  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** A function type as its encoding after 0x60: params and results, one byte each. */
interface FuncType {
  params: number[];
  results: number[];
}

const typeKey = (t: FuncType): string => `${t.params.join(",")}:${t.results.join(",")}`;

// What follows each opcode (the module's declared features: MVP, sign extension, multi-value,
// reference types, bulk memory, non-trapping conversions), as one table for one loop.
// (0: an opcode this decoder does not know)
const NONE = 1;
const INDEX = 2; // one u32
const INDEX2 = 3; // two u32 (call_indirect)
const NUMBER = 4; // one signed LEB128 (constants, block types, ref.null's heap type)
const MEMARG = 5;
const BR_TABLE = 6;
const SELECT_TYPES = 7;
const BYTES4 = 8;
const BYTES8 = 9;
const PREFIX_FC = 10;
const CALL = 11;
const BLOCK = 12; // block, loop, if: a block type, and one level deeper
const END = 13;

const IMMEDIATES = (() => {
  const t = new Uint8Array(256);
  const set = (kind: number, ...ops: number[]) => {
    for (const op of ops) t[op] = kind;
  };
  set(NONE, 0x00, 0x01, 0x05, 0x0f, 0x1a, 0x1b, 0xd1);
  for (let op = 0x45; op <= 0xc4; op++) t[op] = NONE; // numeric, sign extension
  set(BLOCK, 0x02, 0x03, 0x04);
  set(END, 0x0b);
  set(INDEX, 0x0c, 0x0d, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x3f, 0x40, 0xd2);
  set(BR_TABLE, 0x0e);
  set(CALL, 0x10);
  set(INDEX2, 0x11);
  set(SELECT_TYPES, 0x1c);
  for (let op = 0x28; op <= 0x3e; op++) t[op] = MEMARG;
  set(NUMBER, 0x41, 0x42, 0xd0);
  set(BYTES4, 0x43);
  set(BYTES8, 0x44);
  set(PREFIX_FC, 0xfc);
  return t;
})();

/** How many u32 immediates each 0xfc-prefixed instruction has (after its own number). */
const PREFIXED = [0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1];

/** A `call` to redirect: where its index's LEB128 starts, how long it is, the new index. */
interface CallSite {
  at: number;
  length: number;
  target: number;
}

/**
 * Reads the instructions of the body from `p` (after its locals) towards `end`, adding to
 * `sites` each `call` whose callee `redirect` maps (redirect[callee] >= 0). Stops after the
 * instruction at `last`: no call to redirect starts after it.
 */
function scanBody(
  bytes: Uint8Array,
  p: number,
  end: number,
  last: number,
  redirect: Int32Array,
  sites: CallSite[],
): void {
  let depth = 1;
  while (depth > 0) {
    if (p > last) return;
    if (p >= end) fail("a body without its end");
    const op = bytes[p++]!;
    const kind = IMMEDIATES[op]!;
    if (kind === NONE) continue;
    if (kind === END) {
      depth--;
      continue;
    }
    if (kind === CALL) {
      const at = p;
      let callee = 0;
      let shift = 0;
      let b: number;
      do {
        b = bytes[p++]!;
        callee += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80 && shift < 35);
      if (b & 0x80) fail("LEB128 too long");
      const target = callee < redirect.length ? redirect[callee]! : -1;
      if (target >= 0) sites.push({ at, length: p - at, target });
      continue;
    }
    switch (kind) {
      case BLOCK:
        depth++;
        p = skipLeb(bytes, p);
        break;
      case INDEX:
      case NUMBER:
        p = skipLeb(bytes, p);
        break;
      case INDEX2:
        p = skipLeb(bytes, skipLeb(bytes, p));
        break;
      case MEMARG: {
        const align = bytes[p]!; // a memory index follows when bit 6 is set (multi-memory)
        p = skipLeb(bytes, p);
        if (align & 0x40) p = skipLeb(bytes, p);
        p = skipLeb(bytes, p);
        break;
      }
      case BR_TABLE: {
        const r = new Reader(bytes, p, end);
        for (let n = r.u32(); n >= 0; n--) r.u32();
        p = r.pos;
        break;
      }
      case SELECT_TYPES: {
        const r = new Reader(bytes, p, end);
        for (let n = r.u32(); n > 0; n--) r.valueType();
        p = r.pos;
        break;
      }
      case BYTES4:
        p += 4;
        break;
      case BYTES8:
        p += 8;
        break;
      case PREFIX_FC: {
        const r = new Reader(bytes, p, end);
        const sub = r.u32();
        const n = PREFIXED[sub] ?? fail(`opcode 0xfc ${sub}`);
        for (let i = 0; i < n; i++) r.u32();
        p = r.pos;
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16)}`);
    }
  }
  if (p !== end) fail("code after the body's end");
}

/** The position after the LEB128 number at `p` (of up to 10 bytes: any width up to 64 bits). */
function skipLeb(bytes: Uint8Array, p: number): number {
  for (let i = 0; i < 10; i++) if ((bytes[p++]! & 0x80) === 0) return p;
  return fail("LEB128 too long");
}

/**
 * Where the last 0x10 followed by a redirected index (LEB128) in bytes[start..end) is, or -1.
 * A call of a redirected import is those bytes: a body without them has none, and is copied
 * as it is without being read (most are). `first` marks the low 7 bits of redirected indices.
 */
function lastPair(bytes: Uint8Array, start: number, end: number, first: Uint8Array, redirect: Int32Array): number {
  let last = -1;
  for (let p = bytes.indexOf(0x10, start); p !== -1 && p < end - 1; p = bytes.indexOf(0x10, p + 1)) {
    if (first[bytes[p + 1]! & 0x7f] !== 1) continue;
    let value = 0;
    for (let q = p + 1, shift = 0; shift <= 28; shift += 7) {
      const b = bytes[q++]!;
      value |= (b & 0x7f) << shift; // past 2**31: negative, no import's index
      if ((b & 0x80) === 0) {
        if (value >= 0 && value < redirect.length && redirect[value]! >= 0) last = p;
        break;
      }
    }
  }
  return last;
}

/**
 * Where each body of the code section `code` is: for body i, [3i] where its size starts,
 * [3i + 1] where its locals start, [3i + 2] where it ends.
 */
function bodiesOf(bytes: Uint8Array, code: { start: number; end: number }): Int32Array {
  const r = new Reader(bytes, code.start, code.end);
  const count = r.u32();
  if (count > code.end - r.pos) fail("more bodies than bytes");
  const at = new Int32Array(3 * count);
  let p = r.pos;
  for (let i = 0; i < count; i++) {
    at[3 * i] = p;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28 || p >= code.end) fail("a body's size");
      const b = bytes[p++]!;
      size += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    at[3 * i + 1] = p;
    p += size;
    if (p > code.end) fail("body past the section's end");
    at[3 * i + 2] = p;
  }
  if (p !== code.end) fail("bytes after the last body");
  return at;
}

/** Where the LEB128 number at `at` in `code` ends. */
function lebEnd(code: readonly number[], at: number): number {
  while (at < code.length && code[at]! & 0x80) at++;
  return at + 1;
}

/** The number of bytes of `value` in LEB128. */
function lebLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/**
 * Appends the body bytes[start..end) (locals and instructions, without its size) to `w`, with
 * size, each call of `sites` calling its target. When every site's LEB128 has room for its
 * target (the linker pads call indices to 5 bytes), the body keeps its size and the indices
 * are written padded in place.
 */
function writeBody(bytes: Uint8Array, start: number, end: number, sites: CallSite[], w: Writer): void {
  if (sites.every((s) => lebLength(s.target) <= s.length)) {
    w.u32(end - start);
    const base = w.length - start;
    w.copy(bytes, start, end);
    for (const s of sites) {
      let value = s.target;
      for (let i = 0; i < s.length; i++) {
        w.bytes[base + s.at + i] = (value & 0x7f) | (i < s.length - 1 ? 0x80 : 0);
        value = Math.floor(value / 128);
      }
    }
    return;
  }
  const body = new Writer();
  let copied = start;
  for (const s of sites) {
    body.copy(bytes, copied, s.at);
    body.u32(s.target);
    copied = s.at + s.length;
  }
  body.copy(bytes, copied, end);
  w.u32(body.length);
  w.copy(body.bytes, 0, body.length);
}

/** What the rewrite needs from the module's import and export sections. */
interface Imports {
  /** Type index of each imported function, by function index. */
  funcTypes: number[];
  /** Function index of each imported function of module "env", by name. */
  byName: Map<string, number>;
}

function readName(r: Reader): string {
  const n = r.u32();
  r.skip(n);
  return new TextDecoder("utf-8", { fatal: true }).decode(r.bytes.subarray(r.pos - n, r.pos));
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.skipLeb();
  if (flags & 1) r.skipLeb();
}

function readImports(r: Reader): Imports {
  const funcTypes: number[] = [];
  const byName = new Map<string, number>();
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const module = readName(r);
    const name = readName(r);
    const kind = r.byte();
    if (kind === 0x00) {
      if (module === "env") byName.set(name, funcTypes.length);
      funcTypes.push(r.u32());
    } else if (kind === 0x01) {
      r.valueType();
      skipLimits(r);
    } else if (kind === 0x02) skipLimits(r);
    else if (kind === 0x03) {
      r.valueType();
      r.byte();
    } else fail(`import kind ${kind}`); // tags among them: this rewrite's tag index would be wrong
  }
  return { funcTypes, byName };
}

function readTypes(r: Reader): FuncType[] {
  const types: FuncType[] = [];
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    if (r.byte() !== 0x60) fail("not a function type");
    const params: number[] = [];
    for (let n = r.u32(); n > 0; n--) params.push(r.valueType());
    const results: number[] = [];
    for (let n = r.u32(); n > 0; n--) results.push(r.valueType());
    types.push({ params, results });
  }
  return types;
}

/** The exported functions' and tables' indices, by name. */
function readExports(r: Reader): { functions: Map<string, number>; tables: Map<string, number> } {
  const functions = new Map<string, number>();
  const tables = new Map<string, number>();
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const name = readName(r);
    const kind = r.byte();
    const index = r.u32();
    if (kind === 0x00) functions.set(name, index);
    else if (kind === 0x01) tables.set(name, index);
  }
  return { functions, tables };
}

/** The zero of each value type, as instructions. */
function zero(type: number): number[] {
  switch (type) {
    case 0x7f:
      return [0x41, 0];
    case 0x7e:
      return [0x42, 0];
    case 0x7d:
      return [0x43, 0, 0, 0, 0];
    case 0x7c:
      return [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
    default:
      return fail("an invoke_* returning a reference");
  }
}

/** The section order's rank of a section id (the tag section, 13, between memory and global). */
const RANK: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

interface Section {
  id: number;
  start: number;
  end: number;
}

/**
 * The port's module with setjmp/longjmp done in WebAssembly (the file's comment). Throws
 * RewriteError when `bytes` are not a module this rewrite understands (the port's npm build:
 * `invoke_*` and `_emscripten_throw_longjmp` imports from "env", the exports
 * `emscripten_stack_get_current`, `_emscripten_stack_restore` and `setThrew`, no tags).
 */
export function rewriteSetjmp(source: Uint8Array): Uint8Array {
  // a plain view: a Buffer's indexOf and subarray are JavaScript wrappers, many times slower
  const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  const head = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || head.some((b, i) => bytes[i] !== b)) fail("not a WebAssembly module, version 1");
  const sections: Section[] = [];
  const r = new Reader(bytes, 8);
  let rank = 0;
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    r.skip(size);
    if (id !== 0) {
      const next = RANK[id] ?? fail(`section ${id}`);
      if (id === 13 || next <= rank) fail(`section ${id} out of order or a tag section`);
      rank = next;
    }
    sections.push({ id, start, end: start + size });
  }
  const find = (id: number): Section => sections.find((s) => s.id === id) ?? fail(`no section ${id}`);
  const at = (s: Section) => new Reader(bytes, s.start, s.end);

  const types = readTypes(at(find(1)));
  const imports = readImports(at(find(2)));
  const definedTypes: number[] = [];
  const funcReader = at(find(3));
  for (let n = funcReader.u32(); n > 0; n--) definedTypes.push(funcReader.u32());
  const { functions: exports, tables } = readExports(at(find(7)));
  // the trampolines call entries of the table the glue knows as wasmTable: the new functions'
  // call_indirect names table 0
  if (tables.get("__indirect_function_table") !== 0) fail("the function table is not table 0");
  const funcType = (index: number): FuncType => {
    const t =
      index < imports.funcTypes.length ? imports.funcTypes[index] : definedTypes[index - imports.funcTypes.length];
    return types[t ?? fail(`function ${index}`)] ?? fail(`type of function ${index}`);
  };
  const exported = (name: string, want: string): number => {
    const index = exports.get(name) ?? fail(`no export ${name}`);
    if (typeKey(funcType(index)) !== want) fail(`${name}: another type`);
    return index;
  };
  const I32 = 0x7f;
  const stackGet = exported("emscripten_stack_get_current", typeKey({ params: [], results: [I32] }));
  const stackRestore = exported("_emscripten_stack_restore", typeKey({ params: [I32], results: [] }));
  const setThrew = exported("setThrew", typeKey({ params: [I32, I32], results: [] }));
  const throwImport = imports.byName.get("_emscripten_throw_longjmp") ?? fail("no _emscripten_throw_longjmp");
  const voidKey = typeKey({ params: [], results: [] });
  if (typeKey(funcType(throwImport)) !== voidKey) fail("_emscripten_throw_longjmp: another type");

  const keys = new Map<string, number>();
  types.forEach((t, i) => {
    if (!keys.has(typeKey(t))) keys.set(typeKey(t), i);
  });
  const added: FuncType[] = [];
  const typeIndex = (t: FuncType): number => {
    let index = keys.get(typeKey(t));
    if (index === undefined) {
      index = types.length + added.length;
      added.push(t);
      keys.set(typeKey(t), index);
    }
    return index;
  };
  const tagType = typeIndex({ params: [], results: [] });

  // the new functions: their type and body (locals and instructions)
  const functions: { type: number; body: number[] }[] = [];
  const redirect = new Map<number, number>();
  let next = imports.funcTypes.length + definedTypes.length;
  const add = (from: number, type: number, body: number[]) => {
    functions.push({ type, body });
    redirect.set(from, next++);
  };
  const leb = (value: number): number[] => {
    const w = new Writer();
    w.u32(value);
    return [...w.result()];
  };
  add(throwImport, imports.funcTypes[throwImport]!, [0, 0x08, 0, 0x0b]);
  // Emscripten's stack getter is `global.get $__stack_pointer` and its restore `local.get 0,
  // global.set $__stack_pointer`: when they are, the new functions use the global itself (no
  // call: Node 20's V8 does not inline WebAssembly calls, and a call in a catch handler could
  // overflow the stack again when what is caught is JavaScript's stack overflow)
  const code = find(10);
  const bodies = bodiesOf(bytes, code);
  if (bodies.length !== 3 * definedTypes.length) fail("code and function sections differ");
  const stackGlobal = (index: number, prefix: number[]): number[] | null => {
    const i = index - imports.funcTypes.length;
    if (i < 0) return null;
    const body = bytes.subarray(bodies[3 * i + 1]!, bodies[3 * i + 2]!);
    const n = prefix.length;
    if (body.length < n + 2 || prefix.some((b, k) => body[k] !== b) || body[body.length - 1] !== 0x0b) return null;
    const global = [...body.subarray(n, body.length - 1)];
    return lebEnd(global, 0) === global.length ? global : null;
  };
  const got = stackGlobal(stackGet, [0, 0x23]);
  const set = stackGlobal(stackRestore, [0, 0x20, 0, 0x24]);
  const saveStack = got ? [0x23, ...got] : [0x10, ...leb(stackGet)];
  const restore = (sp: number) => [0x20, ...leb(sp), ...(set ? [0x24, ...set] : [0x10, ...leb(stackRestore)])];
  for (const [name, index] of imports.byName) {
    if (!name.startsWith("invoke_")) continue;
    const type = funcType(index);
    if (type.params[0] !== I32 || type.results.length > 1) fail(`${name}: not an invoke`);
    const args = type.params.length - 1;
    const callee = typeIndex({ params: type.params.slice(1), results: type.results });
    const sp = type.params.length; // the one local after the params
    const argsGet: number[] = [];
    for (let i = 1; i <= args; i++) argsGet.push(0x20, ...leb(i));
    add(index, imports.funcTypes[index]!, [
      ...[1, 1, I32], // one i32 local: the saved stack pointer
      ...[...saveStack, 0x21, ...leb(sp)],
      ...[0x06, type.results.length === 0 ? 0x40 : type.results[0]!], // try
      ...argsGet,
      ...[0x20, 0, 0x11, ...leb(callee), 0], // call_indirect through table 0
      ...[0x07, 0], // catch $tag: a longjmp
      ...restore(sp),
      ...[0x41, 1, 0x41, 0, 0x10, ...leb(setThrew)],
      ...type.results.flatMap(zero),
      0x19, // catch_all: a JavaScript exception passes through with the stack restored
      ...restore(sp),
      ...[0x09, 0], // rethrow
      0x0b, // end of try
      0x0b,
    ]);
  }
  if (functions.length < 2) fail("no invoke_* imports");

  find(10);
  const out = new Writer(bytes.length + 4096);
  out.all(head);
  let tagged = false;
  for (const s of sections) {
    if (!tagged && (RANK[s.id] ?? 0) > RANK[13]!) {
      const tags = new Writer();
      tags.all([1, 0]); // one tag: attribute 0 (an exception)
      tags.u32(tagType);
      out.section(13, tags);
      tagged = true;
    }
    const body = new Writer(s.end - s.start + 4096);
    if (s.id === 1 || s.id === 3) {
      const r = at(s);
      const count = r.u32();
      body.u32(count + (s.id === 1 ? added.length : functions.length));
      body.copy(bytes, r.pos, s.end);
      if (s.id === 1) {
        for (const t of added)
          body.all([0x60, ...leb(t.params.length), ...t.params, ...leb(t.results.length), ...t.results]);
      } else for (const f of functions) body.u32(f.type);
    } else if (s.id === 10) {
      body.u32(definedTypes.length + functions.length);
      const table = new Int32Array(imports.funcTypes.length).fill(-1);
      const first = new Uint8Array(128); // the low 7 bits of each redirected index
      for (const [from, to] of redirect) {
        table[from] = to;
        first[from & 0x7f] = 1;
      }
      const sites: CallSite[] = [];
      let copied = bodies.length > 0 ? bodies[0]! : s.end; // bodies before this are in `body`
      for (let i = 0; i < bodies.length; i += 3) {
        const start = bodies[i + 1]!;
        const end = bodies[i + 2]!;
        const last = lastPair(bytes, start, end, first, table);
        if (last < 0) continue; // unchanged: copied with its neighbours, in one run
        const locals = new Reader(bytes, start, end);
        for (let groups = locals.u32(); groups > 0; groups--) {
          locals.u32();
          locals.valueType();
        }
        sites.length = 0;
        scanBody(bytes, locals.pos, end, last, table, sites);
        if (sites.length === 0) continue;
        body.copy(bytes, copied, bodies[i]!);
        writeBody(bytes, start, end, sites, body);
        copied = end;
      }
      body.copy(bytes, copied, s.end);
      for (const f of functions) {
        body.u32(f.body.length);
        body.all(f.body);
      }
    } else {
      body.copy(bytes, s.start, s.end);
    }
    out.section(s.id, body);
  }
  return out.result();
}

/** The part of WebAssembly's JavaScript API used here (the project's lib has no DOM types). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<unknown>;
}

/** Whether `imports` are the port's, with the JavaScript setjmp/longjmp this file replaces. */
function portImports(imports: unknown): boolean {
  const env = (imports as { env?: Record<string, unknown> } | undefined)?.env;
  return (
    env !== undefined &&
    typeof env["create_promise"] === "function" &&
    typeof env["_emscripten_throw_longjmp"] === "function" &&
    typeof env["invoke_ii"] === "function"
  );
}

/** How many loads used the rewritten module, and how many fell back to the original bytes. */
export const rewriteCounts = { rewritten: 0, original: 0 };

/**
 * Instantiates `source` with `imports` as WebAssembly.instantiate(bytes, imports) does
 * (resolving to `{ module, instance }`); when they are the port's, from the rewritten bytes
 * (rewriteSetjmp). `instantiate` is the original WebAssembly.instantiate, bound to `imports`.
 * When the rewrite, its compilation or its instantiation fails, `instantiate` gets the
 * original bytes: the port then runs with its JavaScript setjmp/longjmp, as before.
 */
export async function instantiateRewritten(
  source: unknown,
  imports: unknown,
  instantiate: (source: unknown) => Promise<unknown>,
): Promise<unknown> {
  if (!portImports(imports) || !(source instanceof Uint8Array || source instanceof ArrayBuffer)) {
    return instantiate(source);
  }
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  let result: unknown;
  try {
    const bytes = rewriteSetjmp(source instanceof Uint8Array ? source : new Uint8Array(source));
    const module = await wasm.compile(bytes);
    // instantiate(module) resolves to the instance alone; the port's glue wants both
    result = { module, instance: await instantiate(module) };
  } catch {
    rewriteCounts.original++;
    return instantiate(source);
  }
  rewriteCounts.rewritten++;
  return result;
}

/**
 * Makes the port's `ccall` (every call from JavaScript into the port goes through it) put the
 * port's stack pointer back where it was when a JavaScript exception ends the call (a
 * JavaScript function's own error passing through Python frames, JavaScript's stack overflow,
 * a trap). None of the call's C frames is live then. The trampolines restored it at each
 * `invoke_*` on the way out, and the new functions do too for what WebAssembly can catch;
 * V8 lets no WebAssembly handler see a stack overflow or a trap, and no `invoke_*` stands
 * between the outermost C function and `ccall`, so without this each such call would leave
 * the port's stack shorter.
 */
export function restoreStackOnThrow(glue: { ccall?: unknown }, exports: Record<string, unknown>): void {
  const ccall = glue.ccall;
  const get = exports["emscripten_stack_get_current"];
  const set = exports["_emscripten_stack_restore"];
  if (typeof ccall !== "function" || typeof get !== "function" || typeof set !== "function") return;
  glue.ccall = function (this: unknown, ...args: unknown[]): unknown {
    const sp = get();
    try {
      return ccall.apply(this, args);
    } catch (error) {
      set(sp);
      throw error;
    }
  };
}

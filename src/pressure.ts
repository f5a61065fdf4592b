// Forgotten sockets. A socket the program drops without closing is closed when the garbage
// collector finds it: a FinalizationRegistry hands its descriptor number and the
// generation of its claim (native/owners.c) back to the core, which closes the number only
// if that claim still owns it, so a late finalization never closes a number reused since.
// (One registration costs far less than a native object with a finalizer per socket.)
//
// CPython closes a socket the moment its last reference goes; here the registry's callback
// runs only after a turn of the event loop, so a synchronous loop that drops sockets would
// hit EMFILE near the descriptor limit. When socket(), accept() or socketpair() report
// EMFILE or ENFILE, a collection is requested and the callbacks of the sockets it found
// unreachable are run at once (FinalizationRegistry's cleanupSome); the call is then tried
// once more.
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { native } from "./native.js";
import { E } from "./errors.js";

const EMFILE = E["EMFILE"];
const ENFILE = E["ENFILE"];

/** Generations are below 2^22 (native/owners.c): (fd, gen) packs exactly into one number,
 * gen * GEN_UNIT + fd, which is what the core's socket() returns. */
export const GEN_UNIT = 2 ** 31;

/** V8 12.4 (Node 22) and older have FinalizationRegistry's cleanupSome behind a flag, which
 * runs the registry's pending callbacks at once under descriptor pressure. Node 24's V8 13
 * dropped both: there each socket is also tracked by a weak native reference, and the core
 * finds the forgotten ones itself (native.track, native.closeUnreachable), at the price of
 * one more call per socket. */
const [v8Major = 0, v8Minor = 0] = process.versions.v8.split(".").map(Number);
const CLEANUP_SOME_FLAG = v8Major < 12 || (v8Major === 12 && v8Minor <= 4);

/** The claims of this thread's registered sockets, by registration slot: gen * GEN_UNIT + fd
 * while the socket may still need closing, CLOSED once close() did it. The registry holds
 * each socket's slot number, a small integer: a number or object held instead would live
 * on until the callback and cost the garbage collector more than the rest of socket()
 * and close() together. A slot is reused only after its callback ran, so a callback never
 * meets another socket's claim. */
const claims: number[] = [];
const freeSlots: number[] = [];
const CLOSED = -1;

/** How many descriptors the registry's callback has closed (for the pressure path). */
let reaped = 0;

function reap(slot: number): void {
  const claim = claims[slot]!;
  claims[slot] = CLOSED;
  freeSlots.push(slot);
  if (claim === CLOSED) return;
  const fd = claim % GEN_UNIT;
  // The core closes the number only if this claim still owns it.
  if (native.close(fd, (claim - fd) / GEN_UNIT) !== 0) reaped++;
}

const forgotten = new FinalizationRegistry<number>(reap);

/** Sockets made since the last flush, held strongly (so none can be collected before it is
 * registered) and registered by the flush only if still open: most short-lived sockets are
 * closed before it and never pay for a registration and its cell. The flush comes when the
 * batch is full, at the next microtask checkpoint (the end of the current task), and before
 * a collection under descriptor pressure; the batch holds nothing after it. */
const BATCH = 32;
const batch: (object | null)[] = new Array<object | null>(BATCH).fill(null);
const batchSlots: number[] = new Array<number>(BATCH).fill(0);
let batched = 0;
let flushQueued = false;

function flush(): void {
  // From the end, each entry taken out before it is registered: if a registration throws
  // (out of memory), the entries not yet reached stay in the batch for the next flush, and
  // none is registered twice.
  while (batched > 0) {
    const i = --batched;
    const socket = batch[i]!;
    batch[i] = null;
    const slot = batchSlots[i]!;
    const claim = claims[slot]!;
    if (claim === CLOSED) {
      // Closed before its registration: no callback will ever name this slot.
      freeSlots.push(slot);
      continue;
    }
    forgotten.register(socket, slot);
    if (!CLEANUP_SOME_FLAG) {
      const fd = claim % GEN_UNIT;
      native.track(fd, (claim - fd) / GEN_UNIT, socket);
    }
  }
}

function flushQueuedBatch(): void {
  flushQueued = false;
  flush();
}

/** Has the descriptor `fd` of `socket`, claimed with generation `gen`, closed when the
 * socket is collected; the registration's slot, for closed(). */
export function closeWhenForgotten(socket: object, fd: number, gen: number): number {
  const slot = freeSlots.length > 0 ? freeSlots.pop()! : claims.length;
  claims[slot] = gen * GEN_UNIT + fd;
  if (batched === BATCH) flush();
  batch[batched] = socket;
  batchSlots[batched++] = slot;
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushQueuedBatch);
  }
  return slot;
}

/** The socket registered in `slot` was closed: its collection has nothing left to close. */
export function closed(slot: number): void {
  claims[slot] = CLOSED;
}

type Collect = () => void;
type CleanupSome = (this: FinalizationRegistry<number>, callback?: (held: number) => void) => void;

let tools: { collect: Collect; cleanupSome: CleanupSome | null } | null | undefined;

/** A full collection and a way to run the registry's pending callbacks now, taken the only
 * ways a library can: V8's flags set at run time, and `gc` and
 * `FinalizationRegistry.prototype.cleanupSome` from a fresh context (where they exist). */
function pressureTools(): typeof tools {
  if (tools !== undefined) return tools;
  try {
    v8.setFlagsFromString("--expose-gc");
    // (An unknown flag would only print an error.)
    if (CLEANUP_SOME_FLAG) v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
    const taken = vm.runInNewContext(
      "[typeof gc === 'function' ? gc : null, FinalizationRegistry.prototype.cleanupSome]",
    ) as [unknown, unknown];
    const exposed = (globalThis as { gc?: unknown }).gc;
    const collect = typeof exposed === "function" ? exposed : taken[0];
    const cleanupSome = CLEANUP_SOME_FLAG && typeof taken[1] === "function" ? (taken[1] as CleanupSome) : null;
    tools =
      typeof collect === "function" && (cleanupSome !== null || !CLEANUP_SOME_FLAG)
        ? { collect: collect as Collect, cleanupSome }
        : null;
  } catch {
    tools = null;
  }
  return tools;
}

/** Whether `rc` (a core result) is EMFILE/ENFILE and descriptors of forgotten sockets were
 * closed since, so that the call is worth one more try. */
export function recoveredFromPressure(rc: unknown): boolean {
  if (rc !== -EMFILE && rc !== -ENFILE) return false;
  const found = pressureTools();
  if (found === null || found === undefined) return false;
  const before = reaped;
  // The batch's forgotten sockets must be registered (or tracked) to be found.
  flush();
  found.collect();
  if (found.cleanupSome === null) return native.closeUnreachable() > 0;
  found.cleanupSome.call(forgotten, reap);
  return reaped > before;
}

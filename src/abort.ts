// AbortSignals from callers, handled without running the caller's code at the wrong moment.
// A Proxy or an object made from AbortSignal.prototype passes `instanceof`, and even a
// genuine signal may carry own properties that shadow `aborted`, `reason` or the listener
// methods: any of them could throw from inside a readiness callback, where nobody can catch
// it, or leave a call at the head of its queue. So only genuine signals are accepted, and
// they are only ever used through Node's own methods, captured when this module loads.
import { types } from "node:util";
import { describeType } from "./validate.js";

function getter(proto: object, name: string): (this: unknown) => unknown {
  const get = Object.getOwnPropertyDescriptor(proto, name)?.get;
  if (get === undefined) throw new Error(`AbortSignal.prototype.${name} is missing`);
  return get;
}

const abortedOf = getter(AbortSignal.prototype, "aborted");
const reasonOf = getter(AbortSignal.prototype, "reason");
const addListener = EventTarget.prototype.addEventListener;
const removeListener = EventTarget.prototype.removeEventListener;
const ONCE = Object.freeze({ once: true });

/** `value` as a genuine AbortSignal (undefined stays undefined), or a TypeError. */
export function genuineSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  let genuine = false;
  if (typeof value === "object" && value !== null && !types.isProxy(value)) {
    try {
      abortedOf.call(value); // Node's getter checks the internal state a fake lacks
      genuine = true;
    } catch {
      genuine = false;
    }
  }
  if (!genuine) throw new TypeError(`${name} must be an AbortSignal, not ${describeType(value)}`);
  return value as AbortSignal;
}

/** Whether a genuine signal has been aborted. */
export function isAborted(signal: AbortSignal): boolean {
  return abortedOf.call(signal) === true;
}

/** The reason a genuine signal was aborted with. */
export function abortReason(signal: AbortSignal): unknown {
  return reasonOf.call(signal);
}

/** Adds a once-only abort listener to a genuine signal. */
export function onAbort(signal: AbortSignal, listener: { handleEvent(): void } | (() => void)): void {
  addListener.call(signal, "abort", listener, ONCE);
}

/** Removes an abort listener from a genuine signal. */
export function offAbort(signal: AbortSignal, listener: { handleEvent(): void } | (() => void)): void {
  removeListener.call(signal, "abort", listener);
}

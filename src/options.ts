// The options object of the Promise twins (`{ signal }`): where it may stand in a call and
// how it is checked. Every Async function and Poll.pollAsync read it here.
import { describeType } from "./validate.js";
import { genuineSignal } from "./abort.js";

/** The last argument of every Promise twin. */
export interface AsyncOptions {
  /** Aborting rejects the call with `signal.reason`; the socket stays usable. */
  signal?: AbortSignal;
}

/** Whether an argument in a Promise twin's optional positions is its options object (an
 * address tuple, a byte view or a number never is). */
export function isOptions(value: unknown): value is AsyncOptions {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** The validated signal of an options argument (absent, null or an object). */
export function signalOf(options: unknown, syscall: string): AbortSignal | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object")
    throw new TypeError(`${syscall}: options must be an object, not ${describeType(options)}`);
  return genuineSignal((options as AsyncOptions).signal, `${syscall}: options.signal`);
}

/**
 * The signal of a call whose options object may come in place of any of its optional
 * arguments: MicroPython's signatures have no options, so callers leave the trailing
 * optional arguments out and pass `{ signal }` right after the last one they give.
 * `optional` holds those positions, the options position last; the options object and
 * the positions after it are cleared (they read as absent). Anything given after the
 * options object is a TypeError.
 */
export function takeSignal(optional: unknown[], syscall: string): AbortSignal | undefined {
  const last = optional.length - 1;
  let at = 0;
  while (at < last && !isOptions(optional[at])) at++;
  const options = optional[at];
  for (let i = at + 1; i <= last; i++) {
    if (optional[i] !== undefined) throw new TypeError(`${syscall}: the options object must be the last argument`);
  }
  // A plain loop: Array.prototype.fill is a call into the runtime, on every Promise twin's path.
  for (let i = at; i <= last; i++) optional[i] = undefined;
  return signalOf(options, syscall);
}

// Argument checking for every public function: TypeError for a wrong type, RangeError
// for a value out of range, before anything reaches the native core (docs/behaviour.md §10).
// Buffer comes from node:buffer: the global `Buffer` is an accessor, a call on every use.
import { Buffer } from "node:buffer";

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  // Reading `constructor` runs a Proxy's trap or a getter: a message must not throw.
  try {
    if (Array.isArray(value)) return "an array";
    const name: unknown = value.constructor?.name;
    return typeof name === "string" && name !== "" ? name : "an object";
  } catch {
    return "an object";
  }
}

/** An integer in [min, max]: TypeError when not a number, RangeError otherwise. */
export function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, not ${describeType(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, not ${value}`);
  }
  return value;
}

export const INT32_MIN = -0x80000000;
export const INT32_MAX = 0x7fffffff;

/** A C int: socket families, types, levels, option names, flags. */
export function int32(value: unknown, name: string): number {
  // The common case first: a number that is already an int32 (typeof before `| 0`, which
  // would call an object's valueOf).
  if (typeof value === "number" && (value | 0) === value) return value;
  return integer(value, name, INT32_MIN, INT32_MAX);
}

export function optionalInt32(value: unknown, name: string, fallback: number): number {
  return value === undefined ? fallback : int32(value, name);
}

/** A size or count: a non-negative integer. */
export function size(value: unknown, name: string): number {
  // The common case first, as in int32: a non-negative int32 needs no further test.
  if (typeof value === "number" && (value | 0) === value && value >= 0) return value;
  return integer(value, name, 0, Number.MAX_SAFE_INTEGER);
}

/** The bytes to send: any ArrayBufferView as is, or a string as UTF-8. */
export function bytesToSend(data: unknown, name = "data"): ArrayBufferView {
  if (ArrayBuffer.isView(data)) return data;
  if (typeof data === "string") return Buffer.from(data, "utf8");
  throw new TypeError(`${name} must be a Uint8Array, another ArrayBufferView or a string, not ${describeType(data)}`);
}

/** A buffer to receive into: any ArrayBufferView, written through its bytes. */
export function bytesToFill(buf: unknown, name = "buffer"): Uint8Array {
  if (buf instanceof Uint8Array) return buf;
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  throw new TypeError(`${name} must be a writable ArrayBufferView, not ${describeType(buf)}`);
}

/** Seconds of a timeout: null = block forever, 0 = non-blocking. */
export function timeoutSeconds(value: unknown, name = "timeout"): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number")
    throw new TypeError(`${name} must be a number of seconds or null, not ${describeType(value)}`);
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a finite number of seconds >= 0, not ${value}`);
  return value;
}

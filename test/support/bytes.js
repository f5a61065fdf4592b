// Test data: deterministic bytes a failure can be reproduced with.

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be reproduced. */
export function patternBytes(n, seed = 1) {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

// How the Node peers (node.js, floor.js) time a workload and report it, shared so that every
// Node peer is timed the same way.

// The clock is read only where the timed section starts and ends; each reading also
// samples the process's CPU time (all threads), so the report can show CPU per operation.
const cpuMarks = [];

/** The monotonic clock in nanoseconds, with the process's CPU time noted beside it. */
export const now = () => {
  cpuMarks.push(process.cpuUsage());
  return process.hrtime.bigint();
};

/** Prints the one JSON line every client prints: {ns, ops, userNs, sysNs, ok, detail}. */
export function report(ns, ops, ok, detail) {
  const first = cpuMarks[0];
  const last = cpuMarks.at(-1);
  const cpu =
    first && last ? { userNs: (last.user - first.user) * 1000, sysNs: (last.system - first.system) * 1000 } : {};
  process.stdout.write(JSON.stringify({ ns: Number(ns), ops, ...cpu, ok, detail }) + "\n");
}

// The warm-up and the timed section are calls of one loop function. A loop that started its
// clock at `i === warm` met that branch cold in the code the JIT had compiled during the
// warm-up: V8 threw that code away ("Insufficient type feedback for call") and the timed
// section began unoptimized while the loop was compiled again on the same pinned core
// (docs/performance.md, W5c). The warm-up is split in WARM_CALLS calls so that the code after
// the loop has run too, and the function is compiled whole before the clock starts.
const WARM_CALLS = 4;

/** timedLoops(loop) and timedAsyncLoops(loop) for `warm` untimed and `count` timed
 * iterations: each returns [nanoseconds, every call of loop returned true]. */
export function loopTimers(warm, count) {
  return {
    timedLoops(loop) {
      let ok = true;
      for (let k = 0; k < WARM_CALLS; k++) ok = loop(Math.ceil(warm / WARM_CALLS)) && ok;
      const start = now();
      ok = loop(count) && ok;
      return [now() - start, ok];
    },
    async timedAsyncLoops(loop) {
      let ok = true;
      for (let k = 0; k < WARM_CALLS; k++) ok = (await loop(Math.ceil(warm / WARM_CALLS))) && ok;
      const start = now();
      ok = (await loop(count)) && ok;
      return [now() - start, ok];
    },
  };
}

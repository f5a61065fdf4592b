// Ctrl-C and SIGTERM in a blocking call (native/interrupt.c). Node installs its handler for
// a signal when the program adds a listener for it, with SA_RESTART: a blocked socket call
// would restart and the listener never run. Each time a SIGINT or SIGTERM listener is added
// (Node's own newListener hook has installed the handler by then) the core chains that
// handler without SA_RESTART, so the blocked call ends with OSError(EINTR) and the program
// returns to the event loop, where the listener runs. Without a listener Node's default
// stays: the process ends.
import { isMainThread } from "node:worker_threads";
import { constants } from "node:os";
import { native } from "./native.js";

const WATCHED = new Set<string | symbol>(["SIGINT", "SIGTERM"]);

function arm(): void {
  native.armSignals();
}

if (isMainThread) {
  if (process.listenerCount("SIGINT") > 0 || process.listenerCount("SIGTERM") > 0) arm();
  process.on("newListener", (event: string | symbol) => {
    if (WATCHED.has(event)) arm();
  });
}

const signalNames = new Map<number, string>();
for (const [name, number] of Object.entries(constants.signals)) signalNames.set(number, name);

/** The name of the signal that ended the call that just failed with EINTR, once; else null. */
export function takeSignal(): string | null {
  const signal = native.takeSignal();
  return signal === 0 ? null : (signalNames.get(signal) ?? `signal ${signal}`);
}

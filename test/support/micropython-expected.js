// MicroPython's own tests run against usocket-micropython (test/micropython-conformance.test.js,
// test/micropython-asyncio-conformance.test.js): every test that does not pass, in one place,
// with the outcome expected instead and why. README's MicroPython section lists the same.
// Keys: "extmod/<file>" for run-tests.py; "multi_net/<file> on <instance0>|<instance1>" for
// run-multitests.py, where an instance is "usocket-micropython" or "python3".

/** run-tests.py tests not run, with why. */
export const EXTMOD_NOT_RUN = {
  // Also on run-tests.py's own webassembly list: the port hangs (instead of raising
  // MemoryError) on any allocation while micropython.heap_lock() is in force, and a bridge
  // call allocates, so the test can only time out.
  "extmod/asyncio_heaplock.py": "the WebAssembly port hangs on allocation under heap_lock",
};

/** run-tests.py tests that are skipped here rather than passed. */
export const EXTMOD_EXPECTED_SKIPS = {
  // The test interrupts poll() from a second thread; the WebAssembly port has no _thread,
  // so the test itself prints SKIP.
  "extmod/select_poll_eintr.py": "needs _thread, which the WebAssembly port does not have",
};

/** run-multitests.py pairings that cannot pass, with why. */
export const MULTI_EXPECTED_FAILS = {
  // instance1 (the client) is CPython, whose StreamReader has no readinto (a MicroPython extension)
  "multi_net/asyncio_tcp_readinto.py on usocket-micropython|python3": "CPython's StreamReader has no readinto",
  // instance0 is CPython, and the test times its non-blocking receive with time.ticks_ms,
  // which only MicroPython has (it passes with the bridge in both roles)
  "multi_net/udp_recv_dontwait.py on python3|usocket-micropython": "CPython's time has no ticks_ms (a MicroPython-only test)",
};

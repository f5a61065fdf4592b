// MicroPython's own tests run against usocket-micropython (test/micropython-conformance.test.js,
// test/micropython-asyncio-conformance.test.js, test/micropython-tls-conformance.test.js): every test that does not pass, in one place,
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
  // The test looks for ssl.MBEDTLS_VERSION; the bridge runs over OpenSSL and has
  // ssl.OPENSSL_VERSION instead (PKCS#8 keys do load: test/micropython-tls.test.js).
  "extmod/ssl_keycert_pkcs8.py": "runs only where ssl.MBEDTLS_VERSION exists",
  // run-tests.py skips it on every build but the unix port's coverage build (it calls
  // SSLSocket.ioctl, which only that build exposes); the bridge's SSLSocket has ioctl, so
  // test/micropython-tls-conformance.test.js also runs it directly against its .exp.
  "extmod/ssl_poll.py": "run-tests.py skips it unless the target is the unix coverage build",
  // On run-tests.py's webassembly list: the WebAssembly port has no _thread.
  "extmod/tls_threads.py": "the WebAssembly port has no threads",
  // The test interrupts poll() from a second thread; the WebAssembly port has no _thread,
  // so the test itself prints SKIP.
  "extmod/select_poll_eintr.py": "needs _thread, which the WebAssembly port does not have",
};

/** run-multitests.py pairings that cannot pass, with why. */
export const MULTI_EXPECTED_FAILS = {
  // Its expired_cert.der was not issued for ec_key.der (the certificate's public key is not
  // the key's): mbedTLS loads such a pair, OpenSSL refuses it in load_cert_chain, so the
  // server fails before the handshake whose expiry error the test expects.
  "multi_net/sslcontext_verify_time_error.py on usocket-micropython|usocket-micropython":
    "expired_cert.der and ec_key.der do not match, which OpenSSL refuses",
  // instance1 (the client) is CPython, whose StreamReader has no readinto (a MicroPython extension)
  "multi_net/asyncio_tcp_readinto.py on usocket-micropython|python3": "CPython's StreamReader has no readinto",
  // instance0 is CPython, and the test times its non-blocking receive with time.ticks_ms,
  // which only MicroPython has (it passes with the bridge in both roles)
  "multi_net/udp_recv_dontwait.py on python3|usocket-micropython":
    "CPython's time has no ticks_ms (a MicroPython-only test)",
};

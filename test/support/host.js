// What the machine running the tests offers: an IPv6 loopback, network interfaces, a
// temporary directory, and this process's open sockets.
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as socket from "../../dist/index.js";

/** Whether this machine can bind a socket to the IPv6 loopback address. */
export function hasIPv6Loopback() {
  let s = null;
  try {
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    s.bind(["::1", 0]);
    return true;
  } catch {
    return false;
  } finally {
    s?.close();
  }
}

/** The kernel's index of a network interface, or null when it is not there (Linux sysfs). */
export function interfaceIndex(name) {
  try {
    return Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim());
  } catch {
    return null;
  }
}

/** A fresh temporary directory and a function that removes it with everything inside. */
export function tempDir(prefix = "usocket-test-") {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}

/** The descriptor numbers of this process that are sockets. */
export function openSockets() {
  const result = [];
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`).startsWith("socket:")) result.push(Number(name));
    } catch {
      // the directory's own descriptor is gone by the time it is read
    }
  }
  return result.sort((a, b) => a - b);
}

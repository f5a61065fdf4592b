// `network` in usocket-micropython: a board's WLAN/LAN already connected through the host, so
// a device script's Wi-Fi start-up code runs unmodified and reports the host's address.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as os from "node:os";
import { runMp } from "./support/micropython.js";

/** The address the bridge should report: the first non-internal IPv4 one, else loopback. */
function hostAddress() {
  let chosen;
  for (const infos of Object.values(os.networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.family === "IPv4" && (chosen === undefined || (chosen.internal && !info.internal))) chosen = info;
    }
  }
  return chosen ?? { address: "127.0.0.1", netmask: "255.0.0.0" };
}

test("network.WLAN: a device's start-up code (active, connect, wait for isconnected, ifconfig) runs and reports the host's address", async () => {
  const r = await runMp(`
import network, time
wlan = network.WLAN(network.STA_IF)
wlan.active(True)
wlan.connect('my-ssid', 'my-password')
for _ in range(50):
    if wlan.isconnected():
        break
    time.sleep_ms(100)
print(wlan.isconnected(), wlan.status() == network.STAT_GOT_IP, wlan.active())
ip, mask, gw, dns = wlan.ifconfig()
print(ip, mask)
print(wlan.ipconfig('addr4') == (ip, mask), wlan.config('ssid'), len(wlan.config('mac')))
`);
  assert.equal(r.stderr, "");
  const { address, netmask } = hostAddress();
  assert.equal(r.stdout, `True True True\n${address} ${netmask}\nTrue my-ssid 6\n`);
});

test("network.LAN and module functions: hostname, country, ipconfig; bad parameters as the ports' ValueError/TypeError", async () => {
  const r = await runMp(`
import network
lan = network.LAN()
print(lan.active(), lan.isconnected(), network.hostname() == ${JSON.stringify(os.hostname())})
network.hostname('board')
print(network.hostname(), lan.config('hostname'))
for f in (lambda: lan.config('nonsense'), lambda: lan.config('mac', 'ssid'), lambda: lan.status('nonsense')):
    try:
        f()
    except Exception as e:
        print(type(e).__name__)
lan.active(False)
print(lan.isconnected(), lan.status() == network.STAT_IDLE)
`);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "True True True\nboard board\nValueError\nTypeError\nValueError\nFalse True\n");
});

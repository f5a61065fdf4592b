// Real MicroPython network libraries, unmodified, through usocket-micropython against
// CPython peers: micropython-lib's requests, urllib.urequest, umqtt.simple (with a broker of
// the tests' own) and aiohttp, and microdot (a server driven by CPython's urllib).
// The libraries are not part of this repository and no registry that CI reaches ships them:
// point MICROPYTHON_LIB at a micropython-lib checkout and MICRODOT at a microdot checkout.
// Each is laid out in a temporary folder as `mip install` would put it on a board (packages
// without __init__.py included) and that folder is the script's MICROPYPATH.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ROOT, startPeer } from "./support/peers.js";
import { scriptDir, startMp } from "./support/micropython.js";
import { haveOpenssl, makeCertificates } from "./support/tls.js";

const MPLIB = process.env["MICROPYTHON_LIB"];
const MICRODOT = process.env["MICRODOT"];

/** [destination in lib, source file or folder] per library, as mip installs them. */
const LAYOUT = {
  requests: [["requests/__init__.py", "python-ecosys/requests/requests/__init__.py"]],
  "urllib.urequest": [["urllib/urequest.py", "micropython/urllib.urequest/urllib/urequest.py"]],
  "umqtt.simple": [["umqtt/simple.py", "micropython/umqtt.simple/umqtt/simple.py"]],
  aiohttp: [["aiohttp", "python-ecosys/aiohttp/aiohttp"]],
};

function skipUnless(root, what, probe) {
  if (root === undefined)
    return `${what} not available: set ${what === "microdot" ? "MICRODOT" : "MICROPYTHON_LIB"} to a checkout of it`;
  if (!existsSync(path.join(root, probe))) return `${probe} not found under ${root}`;
  return false;
}

/** A MICROPYPATH folder holding the named micropython-lib packages (or microdot). */
function libFolder(names) {
  const lib = mkdtempSync(path.join(tmpdir(), "usocket-mplib-"));
  for (const name of names) {
    if (name === "microdot") {
      const src = path.join(MICRODOT, "src", "microdot");
      mkdirSync(path.join(lib, "microdot"));
      for (const f of readdirSync(src).filter((f) => f.endsWith(".py")))
        cpSync(path.join(src, f), path.join(lib, "microdot", f));
      continue;
    }
    for (const [dest, src] of LAYOUT[name]) {
      mkdirSync(path.dirname(path.join(lib, dest)), { recursive: true });
      cpSync(path.join(MPLIB, src), path.join(lib, dest), { recursive: true });
    }
  }
  return lib;
}

/** Runs a bridge script with `lib` as MICROPYPATH; resolves to { code, stdout, stderr }. */
function runWithLib(lib, script, limitMs = 30000) {
  const dir = scriptDir({ "main.py": script });
  const saved = process.env["MICROPYPATH"];
  process.env["MICROPYPATH"] = lib;
  try {
    return startMp([path.join(dir, "main.py")], { cwd: dir, input: "", limitMs });
  } finally {
    if (saved === undefined) delete process.env["MICROPYPATH"];
    else process.env["MICROPYPATH"] = saved;
  }
}

/** A CPython HTTP/1.1 server: JSON echo of GETs, POST bodies echoed, a chunked reply, a redirect. */
const HTTPD = `
import http.server, json, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, code, body, ctype="application/json", chunked=False):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
            for i in range(0, len(body), 7):
                self.wfile.write(b"%x\\r\\n%s\\r\\n" % (len(body[i:i + 7]), body[i:i + 7]))
            self.wfile.write(b"0\\r\\n\\r\\n")
        else:
            self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        if self.path == "/chunked":
            self.reply(200, b"a chunked body, in pieces of seven", "text/plain", chunked=True)
        elif self.path == "/redirect":
            self.send_response(302); self.send_header("Location", "/json?from=redirect"); self.send_header("Content-Length", "0"); self.end_headers()
        else:
            self.reply(200, json.dumps({"path": self.path, "x": self.headers.get("X-Test")}).encode())
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.reply(201, json.dumps({"got": body.decode(), "type": self.headers.get("Content-Type")}).encode())
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
if len(sys.argv) > 2:  # HTTPS with this certificate and key (closing without close_notify, as CPython does)
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
threading.Timer(20, srv.shutdown).start()
srv.serve_forever()
`;

/** The HTTP server; with `tls` ({ cert, key } paths), HTTPS. */
async function httpd(tls) {
  const peer = startPeer("python", HTTPD, { limitMs: 25000, args: tls ? [tls.cert, tls.key] : [] });
  return { port: Number(await peer.ready), stop: () => peer.child.kill() };
}

test("requests: GET with headers, POST json, a chunked body, a redirect", {
  skip: skipUnless(MPLIB, "micropython-lib", LAYOUT.requests[0][1]),
}, async () => {
  const { port, stop } = await httpd();
  try {
    const r = await runWithLib(
      libFolder(["requests"]),
      `
import requests
base = "http://127.0.0.1:${port}"
r = requests.get(base + "/json?a=1", headers={"X-Test": "yes"})
print(r.status_code, r.json())
r = requests.post(base + "/post", json={"k": [1, 2]})
print(r.status_code, r.json()["got"])
print(requests.get(base + "/chunked").text)
print(requests.get(base + "/redirect").json()["path"])
`,
    ).done;
    assert.equal(r.stderr, "");
    assert.equal(
      r.stdout,
      "200 {'path': '/json?a=1', 'x': 'yes'}\n201 {\"k\": [1, 2]}\na chunked body, in pieces of seven\n/json?from=redirect\n",
    );
  } finally {
    stop();
  }
});

test("urllib.urequest: urlopen GET and POST (a package folder without __init__.py)", {
  skip: skipUnless(MPLIB, "micropython-lib", LAYOUT["urllib.urequest"][0][1]),
}, async () => {
  const { port, stop } = await httpd();
  try {
    const r = await runWithLib(
      libFolder(["urllib.urequest"]),
      `
from urllib.urequest import urlopen
import json
f = urlopen("http://127.0.0.1:${port}/json?u=2")
print(json.loads(f.read())["path"])
f.close()
f = urlopen("http://127.0.0.1:${port}/post", data=b"raw=1")
print(json.loads(f.read())["got"])
f.close()
`,
    ).done;
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "/json?u=2\nraw=1\n");
  } finally {
    stop();
  }
});

// CPython's http.server over ssl ends each connection without close_notify, as many servers
// do; mbedTLS reads that as the end of the body, and so must the bridge.
test("requests and urllib.urequest over HTTPS to CPython's http.server: bodies read to the end, a chunked one too", {
  skip:
    skipUnless(MPLIB, "micropython-lib", LAYOUT["urllib.urequest"][0][1]) ||
    (haveOpenssl() ? false : "needs the openssl command to make certificates"),
}, async () => {
  const certs = makeCertificates();
  const { port, stop } = await httpd(certs.server);
  try {
    const r = await runWithLib(
      libFolder(["requests", "urllib.urequest"]),
      `
import json, requests
from urllib.urequest import urlopen
base = "https://localhost:${port}"
f = urlopen(base + "/json?u=2")
print(json.loads(f.read())["path"])
f.close()
f = urlopen(base + "/post", data=b"raw=1")
print(json.loads(f.read())["got"])
f.close()
r = requests.get(base + "/json?a=1", headers={"X-Test": "yes"})
print(r.status_code, r.json())
print(requests.get(base + "/chunked").text)
`,
    ).done;
    assert.equal(r.stderr, "");
    assert.equal(
      r.stdout,
      "/json?u=2\nraw=1\n200 {'path': '/json?a=1', 'x': 'yes'}\na chunked body, in pieces of seven\n",
    );
  } finally {
    stop();
    certs.cleanup();
  }
});

test("umqtt.simple: connect, subscribe, publish at QoS 0 and 1, receive both, ping, disconnect", {
  skip: skipUnless(MPLIB, "micropython-lib", LAYOUT["umqtt.simple"][0][1]),
}, async () => {
  const peer = startPeer(
    "python",
    `exec(open(${JSON.stringify(path.join(ROOT, "test", "support", "mqtt-broker.py"))}).read())`,
    { args: ["20"], limitMs: 25000 },
  );
  const port = Number(await peer.ready);
  const r = await runWithLib(
    libFolder(["umqtt.simple"]),
    `
from umqtt.simple import MQTTClient
got = []
c = MQTTClient("bridge", "127.0.0.1", port=${port}, keepalive=30)
c.set_callback(lambda topic, msg: got.append((topic, msg)))
print(c.connect())
c.subscribe(b"usocket/test", qos=1)
c.publish(b"usocket/test", b"qos0")
c.wait_msg()
c.publish(b"usocket/test", b"qos1", qos=1)
c.wait_msg()
c.ping()
c.wait_msg()
print(got)
c.disconnect()
`,
  ).done;
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "0\n[(b'usocket/test', b'qos0'), (b'usocket/test', b'qos1')]\n");
  assert.equal((await peer.done).code, 0);
});

test("aiohttp: ClientSession GET/POST json, a chunked body read chunk by chunk, five sessions gathered", {
  skip: skipUnless(MPLIB, "micropython-lib", LAYOUT.aiohttp[0][1]),
}, async () => {
  const { port, stop } = await httpd();
  try {
    const r = await runWithLib(
      libFolder(["aiohttp"]),
      `
import aiohttp, asyncio
base = "http://127.0.0.1:${port}"
async def one(i):
    async with aiohttp.ClientSession() as s:
        async with s.get(base + "/json?i=%d" % i) as r:
            return (await r.json())["path"]
async def main():
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/json?a=1", headers={"X-Test": "t"}) as r:
            print(r.status, await r.json())
        async with session.post(base + "/post", json={"k": "v"}) as r:
            print(r.status, (await r.json())["got"])
        async with session.get(base + "/chunked") as r:
            body = b""
            while True:
                part = await r.read()
                if not part:
                    break
                body += part
            print(body)
    print(await asyncio.gather(*[one(i) for i in range(5)]))
asyncio.run(main())
`,
    ).done;
    assert.equal(r.stderr, "");
    assert.equal(
      r.stdout,
      "200 {'path': '/json?a=1', 'x': 't'}\n201 {\"k\": \"v\"}\nb'a chunked body, in pieces of seven'\n['/json?i=0', '/json?i=1', '/json?i=2', '/json?i=3', '/json?i=4']\n",
    );
  } finally {
    stop();
  }
});

test("microdot: a server in the bridge, driven by CPython's urllib (routes, JSON, 404, 30 concurrent requests, shutdown)", {
  skip: skipUnless(MICRODOT, "microdot", "src/microdot/microdot.py"),
}, async () => {
  const mp = runWithLib(
    libFolder(["microdot"]),
    `
import asyncio
from microdot import Microdot
app = Microdot()
@app.route("/")
async def index(request):
    return "hello from microdot"
@app.route("/items/<int:n>")
def item(request, n):
    return {"n": n, "double": n * 2, "q": request.args.get("q")}
@app.post("/echo")
async def echo(request):
    return {"got": request.json, "len": len(request.body)}
@app.route("/stop")
async def stop(request):
    request.app.shutdown()
    return "stopping"
async def main():
    server = asyncio.create_task(app.start_server(host="127.0.0.1", port=0))
    while getattr(app, "server", None) is None:
        await asyncio.sleep_ms(5)
    print(app.server.sockets[0].getsockname()[1])
    await server
    # shutdown() only stops accepting: let the /stop reply go out before the script ends
    await asyncio.sleep(0.2)
    print("stopped")
asyncio.run(main())
`,
  );
  const port = Number(await mp.line());
  const client = startPeer(
    "python",
    `
import concurrent.futures, json, sys, urllib.error, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
out = [urllib.request.urlopen(base + "/").read().decode()]
out.append(json.loads(urllib.request.urlopen(base + "/items/21?q=x").read()))
req = urllib.request.Request(base + "/echo", data=json.dumps({"a": 1}).encode(), headers={"Content-Type": "application/json"})
out.append(json.loads(urllib.request.urlopen(req).read()))
try:
    urllib.request.urlopen(base + "/missing")
except urllib.error.HTTPError as e:
    out.append(e.code)
with concurrent.futures.ThreadPoolExecutor(10) as ex:
    out.append(sorted(json.loads(r)["n"] for r in ex.map(lambda i: urllib.request.urlopen(base + "/items/%d" % i).read(), range(30))) == list(range(30)))
out.append(urllib.request.urlopen(base + "/stop").read().decode())
print(json.dumps(out))
`,
    { args: [String(port)] },
  );
  assert.deepEqual(JSON.parse(await client.ready), [
    "hello from microdot",
    { n: 21, double: 42, q: "x" },
    { got: { a: 1 }, len: 8 },
    404,
    true,
    "stopping",
  ]);
  const r = await mp.done;
  assert.equal(r.stdout, `${port}\nstopped\n`, r.stderr);
  assert.equal(r.code, 0);
});

// A WebSocket route needs hashlib.sha1 (the unix port's; the WebAssembly port has none) and
// its handler, an async closure under with_websocket, goes through run_in_executor (microdot
// takes that path where `inspect` exists, as it does in this port).
test("microdot: a WebSocket echo route over TLS, driven by CPython (handshake accept key, text frames, close)", {
  skip:
    skipUnless(MICRODOT, "microdot", "src/microdot/websocket.py") ||
    (haveOpenssl() ? false : "needs the openssl command to make certificates"),
}, async () => {
  const certs = makeCertificates();
  try {
    const mp = runWithLib(
      libFolder(["microdot"]),
      `
import asyncio, ssl
from microdot import Microdot
from microdot.websocket import with_websocket
app = Microdot()
@app.route("/ws")
@with_websocket
async def ws(request, ws):
    while True:
        data = await ws.receive()
        if data == "bye":
            break
        await ws.send("echo:" + data)
@app.route("/stop")
async def stop(request):
    request.app.shutdown()
    return "stopping"
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("${certs.server.cert}", "${certs.server.key}")
async def main():
    server = asyncio.create_task(app.start_server(host="127.0.0.1", port=0, ssl=ctx))
    while getattr(app, "server", None) is None:
        await asyncio.sleep_ms(5)
    print(app.server.sockets[0].getsockname()[1])
    await server
    await asyncio.sleep(0.2)
    print("stopped")
asyncio.run(main())
`,
    );
    const port = Number(await mp.line());
    const client = startPeer(
      "python",
      `
import base64, hashlib, json, os, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
def connect():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s = connect()
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /ws HTTP/1.1\\r\\nHost: localhost\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
           "Sec-WebSocket-Key: %s\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n" % key).encode())
head = b""
while b"\\r\\n\\r\\n" not in head:
    head += s.recv(1)
lines = head.decode().split("\\r\\n")
accept = [l.split(": ", 1)[1] for l in lines if l.lower().startswith("sec-websocket-accept")]
want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
out = [lines[0], accept == [want]]
def exact(n):
    d = b""
    while len(d) < n:
        d += s.recv(n - len(d))
    return d
def send(text):
    p, mask = text.encode(), os.urandom(4)
    s.sendall(bytes([0x81, 0x80 | len(p)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(p)))
for text in ("a", "hello websocket"):
    send(text)
    h = exact(2)
    out.append([h[0], exact(h[1] & 0x7F).decode()])
send("bye")
s.close()
s = connect()
s.sendall(b"GET /stop HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n")
out.append(s.recv(100).split(b"\\r\\n")[0].decode())
print(json.dumps(out))
`,
      { args: [String(port), certs.ca] },
    );
    assert.deepEqual(JSON.parse(await client.ready), [
      "HTTP/1.1 101 Switching Protocols",
      true,
      [0x81, "echo:a"],
      [0x81, "echo:hello websocket"],
      "HTTP/1.0 200 OK",
    ]);
    const r = await mp.done;
    assert.equal(r.stdout, `${port}\nstopped\n`, r.stderr);
  } finally {
    certs.cleanup();
  }
});

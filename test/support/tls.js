// TLS test support: certificates made now with the `openssl` command (dates relative to
// the current time, so nothing expires in the repository), and CPython ssl peers.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startPeer } from "./peers.js";

function run(dir, ...args) {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** openssl ca's date form, YYYYMMDDHHMMSSZ, `days` from now. */
function caDate(days) {
  const d = new Date(Date.now() + days * 86400000);
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
}

const CA_CONFIG = `[ca]
default_ca = here
[here]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[anything]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
`;

/** Makes a CA, a second (unknown) CA and certificates in a temporary folder; returns the
 * paths (PEM) and a cleanup function. Every key is ECDSA P-256. */
export function makeCertificates() {
  const dir = mkdtempSync(path.join(tmpdir(), "usocket-tls-"));
  const key = (name) =>
    run(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`);
  const ca = (name, cn) => {
    key(name);
    run(
      dir,
      "req",
      "-x509",
      "-new",
      "-key",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "3",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  };
  writeFileSync(path.join(dir, "ca.cnf"), CA_CONFIG);
  writeFileSync(path.join(dir, "index.txt"), "");
  writeFileSync(path.join(dir, "serial"), "1000\n");
  const leaf = (name, issuer, cn, san, fromDays, toDays) => {
    key(name);
    const ext = san ? ["-addext", `subjectAltName=${san}`] : [];
    run(dir, "req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}/O=usocket tests`, ...ext);
    run(
      dir,
      "ca",
      "-batch",
      "-config",
      "ca.cnf",
      "-notext",
      "-cert",
      `${issuer}.pem`,
      "-keyfile",
      `${issuer}.key`,
      "-in",
      `${name}.csr`,
      "-out",
      `${name}.pem`,
      "-startdate",
      caDate(fromDays),
      "-enddate",
      caDate(toDays),
      "-extensions",
      "leaf",
    );
  };
  ca("ca", "usocket test CA");
  ca("other-ca", "unknown test CA");
  leaf("server", "ca", "localhost", "DNS:localhost,IP:127.0.0.1", -1, 2);
  leaf("wrong-host", "ca", "elsewhere.invalid", "DNS:elsewhere.invalid", -1, 2);
  leaf("expired", "ca", "localhost", "DNS:localhost,IP:127.0.0.1", -3, -1);
  leaf("stranger", "other-ca", "localhost", "DNS:localhost,IP:127.0.0.1", -1, 2);
  leaf("client", "ca", "test client", null, -1, 2);
  const p = (name) => path.join(dir, name);
  const der = (name, kind) => {
    const out = `${name}.${kind}.der`;
    if (kind === "cert") run(dir, "x509", "-in", `${name}.pem`, "-outform", "DER", "-out", out);
    else run(dir, "pkey", "-in", `${name}.key`, "-outform", "DER", "-out", out);
    return readFileSync(p(out));
  };
  return {
    dir,
    ca: p("ca.pem"),
    server: { cert: p("server.pem"), key: p("server.key") },
    wrongHost: { cert: p("wrong-host.pem"), key: p("wrong-host.key") },
    expired: { cert: p("expired.pem"), key: p("expired.key") },
    stranger: { cert: p("stranger.pem"), key: p("stranger.key") },
    client: { cert: p("client.pem"), key: p("client.key") },
    serverDer: { cert: der("server", "cert"), key: der("server", "key") },
    caDer: der("ca", "cert"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A self-signed 1024-bit RSA key and certificate (PEM and DER), as MicroPython's own
 * tests carry (extmod/ssl_poll.py): what OpenSSL's security level 2 refuses. */
export function makeRsa1024() {
  const dir = mkdtempSync(path.join(tmpdir(), "usocket-rsa1024-"));
  try {
    run(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "key.pem");
    run(dir, "req", "-x509", "-new", "-key", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost");
    run(dir, "pkey", "-in", "key.pem", "-outform", "DER", "-out", "key.der");
    run(dir, "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der");
    const read = (name) => readFileSync(path.join(dir, name));
    return { keyPem: read("key.pem"), certPem: read("cert.pem"), keyDer: read("key.der"), certDer: read("cert.der") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the `openssl` command is there (the TLS tests skip without it). */
export function haveOpenssl() {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// The CPython peer: one connection, then a scripted action. Configuration comes as JSON
// in argv[1]; the first line printed is the port (server) or "ready" (client).
const PYTHON_PEER = String.raw`
import hashlib, json, socket, ssl, sys, time
cfg = json.loads(sys.argv[1])
def context(server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if cfg.get("cert"): ctx.load_cert_chain(cfg["cert"], cfg["key"])
    if cfg.get("ca"): ctx.load_verify_locations(cfg["ca"])
    if not server and not cfg.get("ca"):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if server and cfg.get("require_client_cert"): ctx.verify_mode = ssl.CERT_REQUIRED
    if cfg.get("max_tls12"): ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx
def act(s):
    a = cfg.get("action", "echo")
    if a == "echo":
        data = s.recv(65536)
        s.sendall(b"echo:" + data)
        s.unwrap().close() if cfg.get("unwrap") else s.close()
    elif a == "drop":
        s.sendall(b"partial")
        raw = socket.socket(fileno=s.detach())  # close TCP without close_notify
        raw.close()
    elif a == "unwrap_plain":
        s.sendall(b"plain next\n")
        raw = s.unwrap()
        raw.sendall(b"plain:" + raw.recv(100))
        raw.close()
    elif a == "close_notify":
        s.sendall(b"bye")
        s.unwrap().close()
    elif a == "expect_close":
        print("got:" + repr(s.recv(100)) + ":" + repr(s.recv(100)), flush=True)
        s.close()
    elif a == "bulk":
        n = cfg["size"]; h = hashlib.sha256(); got = 0
        while got < n:
            d = s.recv(min(65536, n - got))
            if not d: break
            got += len(d); h.update(d)
        print("received", got, h.hexdigest(), flush=True)
        import random
        r = random.Random(7); sent = 0; h2 = hashlib.sha256()
        while sent < n:
            k = min(n - sent, r.randint(1, 200000))
            chunk = r.randbytes(k)
            s.sendall(chunk); h2.update(chunk); sent += k
        print("sent", sent, h2.hexdigest(), flush=True)
        s.recv(1)
        s.close()
    elif a == "records":
        s.sendall(b"a" * 100); s.sendall(b"b" * 100)
        s.recv(1)
        s.close()
    elif a == "silent":
        s.recv(1)
        s.sendall(b"late\n")
        s.recv(1)
        s.close()
    elif a == "client_cert":
        print("peer:" + json.dumps(s.getpeercert()), flush=True)
        s.sendall(b"ok")
        s.recv(1)
        s.close()
if cfg["role"] == "server":
    ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    ls.settimeout(15)
    c, _ = ls.accept()
    if cfg.get("delay"): time.sleep(cfg["delay"])
    try:
        s = context(True).wrap_socket(c, server_side=True)
    except (ssl.SSLError, OSError) as e:
        print("handshake failed: " + str(e), flush=True); sys.exit(0)
    act(s)
else:
    print("ready", flush=True)
    c = socket.create_connection(("127.0.0.1", cfg["port"]), timeout=15)
    try:
        s = context(False).wrap_socket(c, server_hostname=cfg.get("hostname"))
    except (ssl.SSLError, OSError) as e:
        print("handshake failed: " + str(e), flush=True); sys.exit(0)
    act(s)
`;

/** Starts a CPython ssl peer; see PYTHON_PEER for the configuration. */
export function pythonPeer(cfg, limitMs = 30000) {
  return startPeer("python", PYTHON_PEER, { args: [JSON.stringify(cfg)], limitMs });
}

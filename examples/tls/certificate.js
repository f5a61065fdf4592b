// A throwaway CA-less certificate for the TLS examples: ECDSA P-256, valid for two days,
// for "localhost" and 127.0.0.1, made now with the openssl command in a temporary folder.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** { cert, key } paths and remove(); null when the openssl command is not installed. */
export function makeCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), "usocket-example-"));
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return { cert, key, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

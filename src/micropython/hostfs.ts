// The host's file system inside the interpreter. This build of the WebAssembly port has no
// NODEFS, so this is a small Emscripten file-system driver over node:fs: each top-level
// folder of the host is mounted at its own path, so absolute paths, the working directory
// and symbolic links mean in the interpreter what they mean on the host. Nodes are looked up
// (and stat'ed) on the host each time they are not in Emscripten's name cache, and every
// attribute is read fresh, so changes made by other processes are seen.
//
// Errors cross as Emscripten's own errno numbers (its FS and libc compare them, e.g. EEXIST
// in FS.open); _usocket_boot.py turns them into the host's numbers for the script.
import * as fs from "node:fs";
import * as path from "node:path";
import { native } from "../native.js";
import type { MicroPythonInstance } from "./types.js";

/** The errno numbers of Emscripten's libc (musl numbered for WASI), by name. */
const EMSCRIPTEN_ERRNO: Readonly<Record<string, number>> = {
  E2BIG: 1,
  EACCES: 2,
  EADDRINUSE: 3,
  EADDRNOTAVAIL: 4,
  EAFNOSUPPORT: 5,
  EAGAIN: 6,
  EALREADY: 7,
  EBADF: 8,
  EBADMSG: 9,
  EBUSY: 10,
  ECANCELED: 11,
  ECHILD: 12,
  ECONNABORTED: 13,
  ECONNREFUSED: 14,
  ECONNRESET: 15,
  EDEADLK: 16,
  EDESTADDRREQ: 17,
  EDOM: 18,
  EDQUOT: 19,
  EEXIST: 20,
  EFAULT: 21,
  EFBIG: 22,
  EHOSTUNREACH: 23,
  EIDRM: 24,
  EILSEQ: 25,
  EINPROGRESS: 26,
  EINTR: 27,
  EINVAL: 28,
  EIO: 29,
  EISCONN: 30,
  EISDIR: 31,
  ELOOP: 32,
  EMFILE: 33,
  EMLINK: 34,
  EMSGSIZE: 35,
  EMULTIHOP: 36,
  ENAMETOOLONG: 37,
  ENETDOWN: 38,
  ENETRESET: 39,
  ENETUNREACH: 40,
  ENFILE: 41,
  ENOBUFS: 42,
  ENODEV: 43,
  ENOENT: 44,
  ENOEXEC: 45,
  ENOLCK: 46,
  ENOLINK: 47,
  ENOMEM: 48,
  ENOMSG: 49,
  ENOPROTOOPT: 50,
  ENOSPC: 51,
  ENOSYS: 52,
  ENOTCONN: 53,
  ENOTDIR: 54,
  ENOTEMPTY: 55,
  ENOTRECOVERABLE: 56,
  ENOTSOCK: 57,
  ENOTTY: 59,
  ENXIO: 60,
  EOVERFLOW: 61,
  EOWNERDEAD: 62,
  EPERM: 63,
  EPIPE: 64,
  EPROTO: 65,
  EPROTONOSUPPORT: 66,
  EPROTOTYPE: 67,
  ERANGE: 68,
  EROFS: 69,
  ESPIPE: 70,
  ESRCH: 71,
  ESTALE: 72,
  ETIMEDOUT: 73,
  ETXTBSY: 74,
  EXDEV: 75,
  ENOTSUP: 138,
};

/** "emscripten=host" pairs, \x01-separated, for the errno names both sides know. */
export function errnoPairs(): string {
  const pairs: string[] = [];
  for (const [name, em] of Object.entries(EMSCRIPTEN_ERRNO)) {
    const host = native.errno[name];
    if (host !== undefined) pairs.push(`${em}=${host}`);
  }
  return pairs.join("\x01");
}

/** Host folders not mounted: the interpreter's own /dev and /proc stay (the heap device lives there). */
const NOT_MOUNTED = new Set(["dev", "proc", "sys", "usocket"]);

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** Emscripten's open flags (as Linux numbers them) that reach the host. */
const O_ACCMODE = 3;
const O_CREAT = 64;
const O_APPEND = 1024;

interface FSNode {
  id: number;
  name: string;
  mode: number;
  parent: FSNode;
  mount: { opts: { root: string } };
  node_ops: object;
  stream_ops: object;
}

interface FSStream {
  node: FSNode;
  flags: number;
  position: number;
  /** The host descriptor of a regular file (none for a folder). */
  hostFd?: number;
}

interface Attributes {
  mode?: number;
  size?: number;
  atime?: number | Date;
  mtime?: number | Date;
}

/** What the driver needs of Emscripten's FS (not part of the port's documented interface). */
interface EmscriptenInternals {
  ErrnoError: new (errno: number) => Error;
  createNode(parent: FSNode | null, name: string, mode: number, dev: number): FSNode;
  lookupNode(parent: FSNode, name: string): FSNode;
  destroyNode(node: FSNode): void;
  mount(type: object, opts: { root: string }, mountpoint: string): FSNode;
  mkdirTree(path: string): void;
  chdir(path: string): void;
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
}

/**
 * Mounts every top-level folder of the host (but /dev, /proc, /sys) at the same path in
 * `mp`, and makes the host's working directory the interpreter's.
 */
export function mountHost(mp: MicroPythonInstance): void {
  const FS = mp.FS as unknown as EmscriptenInternals;

  const failure = (error: unknown): Error => {
    if (error instanceof FS.ErrnoError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    return new FS.ErrnoError((code !== undefined ? EMSCRIPTEN_ERRNO[code] : undefined) ?? EMSCRIPTEN_ERRNO["EIO"]!);
  };
  /** Runs a host call, its Node error turned into Emscripten's. */
  const host = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      throw failure(error);
    }
  };

  const realPath = (node: FSNode): string => {
    const parts: string[] = [];
    while (node.parent !== node) {
      parts.push(node.name);
      node = node.parent;
    }
    parts.push(node.mount.opts.root);
    return path.join(...parts.reverse());
  };

  const hostStat = (node: FSNode): fs.Stats => {
    const p = realPath(node);
    // A mount's root follows a symbolic link (/lib → usr/lib); anything else is itself.
    return host(() => (node.parent === node ? fs.statSync(p) : fs.lstatSync(p)));
  };

  const nodeOps = {
    getattr(node: FSNode) {
      const st = hostStat(node);
      return {
        dev: st.dev,
        ino: st.ino,
        mode: st.mode,
        nlink: st.nlink,
        uid: st.uid,
        gid: st.gid,
        rdev: st.rdev,
        size: st.size,
        atime: st.atime,
        mtime: st.mtime,
        ctime: st.ctime,
        blksize: st.blksize,
        blocks: st.blocks,
      };
    },
    setattr(node: FSNode, attr: Attributes) {
      const p = realPath(node);
      // Modes are not passed on: FS.open chmods a file it created to the requested mode,
      // which would undo the host's umask (and MicroPython has no chmod of its own).
      if (attr.size !== undefined) host(() => fs.truncateSync(p, attr.size));
      if (attr.atime != null && attr.mtime != null) {
        const { atime, mtime } = attr;
        host(() => fs.utimesSync(p, new Date(atime), new Date(mtime)));
      }
    },
    lookup(parent: FSNode, name: string): FSNode {
      const st = host(() => fs.lstatSync(path.join(realPath(parent), name)));
      return createNode(parent, name, st.mode);
    },
    mknod(parent: FSNode, name: string, mode: number): FSNode {
      const p = path.join(realPath(parent), name);
      if ((mode & S_IFMT) === S_IFDIR) host(() => fs.mkdirSync(p, mode & 0o777));
      else if ((mode & S_IFMT) === S_IFREG) {
        // FS.open asks for 0777 | mode (and chmods later): a file gets 0666, less the host's umask, as open(2) would.
        host(() =>
          fs.closeSync(fs.openSync(p, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o666)),
        );
      } else throw new FS.ErrnoError(EMSCRIPTEN_ERRNO["EPERM"]!);
      return createNode(parent, name, host(() => fs.lstatSync(p)).mode);
    },
    rename(node: FSNode, newDir: FSNode, newName: string) {
      host(() => fs.renameSync(realPath(node), path.join(realPath(newDir), newName)));
      // The replaced file's node would otherwise stay in the name cache next to this one.
      let replaced: FSNode | null = null;
      try {
        replaced = FS.lookupNode(newDir, newName);
      } catch {
        // nothing was there
      }
      if (replaced !== null && replaced !== node) FS.destroyNode(replaced);
      node.name = newName;
    },
    unlink(parent: FSNode, name: string) {
      host(() => fs.unlinkSync(path.join(realPath(parent), name)));
    },
    rmdir(parent: FSNode, name: string) {
      host(() => fs.rmdirSync(path.join(realPath(parent), name)));
    },
    readdir(node: FSNode): string[] {
      return [".", "..", ...host(() => fs.readdirSync(realPath(node)))];
    },
    symlink(parent: FSNode, name: string, target: string) {
      host(() => fs.symlinkSync(target, path.join(realPath(parent), name)));
    },
    readlink(node: FSNode): string {
      return host(() => fs.readlinkSync(realPath(node)));
    },
  };

  const streamOps = {
    open(stream: FSStream) {
      if (FS.isDir(stream.node.mode)) return;
      const f = stream.flags;
      const acc = f & O_ACCMODE;
      let flags = acc === 1 ? fs.constants.O_WRONLY : acc === 2 ? fs.constants.O_RDWR : fs.constants.O_RDONLY;
      if (f & O_CREAT) flags |= fs.constants.O_CREAT;
      if (f & O_APPEND) flags |= fs.constants.O_APPEND;
      stream.hostFd = host(() => fs.openSync(realPath(stream.node), flags));
    },
    close(stream: FSStream) {
      const fd = stream.hostFd;
      if (fd === undefined) return;
      stream.hostFd = undefined;
      host(() => fs.closeSync(fd));
    },
    read(stream: FSStream, buffer: Int8Array, offset: number, length: number, position: number): number {
      const fd = stream.hostFd;
      if (fd === undefined) throw new FS.ErrnoError(EMSCRIPTEN_ERRNO["EISDIR"]!);
      return host(() => fs.readSync(fd, buffer, offset, length, position));
    },
    write(stream: FSStream, buffer: Int8Array, offset: number, length: number, position: number): number {
      const fd = stream.hostFd;
      if (fd === undefined) throw new FS.ErrnoError(EMSCRIPTEN_ERRNO["EISDIR"]!);
      // O_APPEND: the host puts it at the end whatever the position (FS.write sought there).
      return host(() => fs.writeSync(fd, buffer, offset, length, position));
    },
    llseek(stream: FSStream, offset: number, whence: number): number {
      let position = offset;
      if (whence === 1) position += stream.position;
      else if (whence === 2) {
        const fd = stream.hostFd;
        position += fd === undefined ? 0 : host(() => fs.fstatSync(fd)).size;
      }
      if (position < 0) throw new FS.ErrnoError(EMSCRIPTEN_ERRNO["EINVAL"]!);
      return position;
    },
  };

  const createNode = (parent: FSNode | null, name: string, mode: number): FSNode => {
    const node = FS.createNode(parent, name, mode, 0);
    node.node_ops = nodeOps;
    node.stream_ops = streamOps;
    return node;
  };

  const driver = {
    mount(mount: { opts: { root: string } }): FSNode {
      const st = host(() => fs.statSync(mount.opts.root));
      return createNode(null, "/", st.mode);
    },
  };

  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync("/", { withFileTypes: true });
  } catch {
    // no host root to show
  }
  for (const entry of entries) {
    if (NOT_MOUNTED.has(entry.name)) continue;
    const root = `/${entry.name}`;
    try {
      if (!fs.statSync(root).isDirectory()) continue;
      FS.mkdirTree(root);
      FS.mount(driver, { root }, root);
    } catch {
      // unreadable, or already a mount point: left out
    }
  }
  try {
    FS.chdir(process.cwd());
  } catch {
    // a working directory the interpreter cannot reach: it stays at "/"
  }
}

/**
 * Errno numbers by name with the host system's values, and `errorcode` (number → name).
 *
 * @module usocket-node/errno
 */
// usocket-node/errno: errno numbers by name, with the host system's values, and `errorcode`
// (number → name) for positive errno values only (docs/behaviour.md §10).
import { native } from "./native.js";
import { errnoTable } from "./errors.js";

const N = native.errno;

/** The errno values of POSIX and the socket layer, with the host's numbers.
 * @example if (error.errno === ETIMEDOUT) retry(); */
export const EPERM: number = N["EPERM"]!;
export const ENOENT: number = N["ENOENT"]!;
export const ESRCH: number = N["ESRCH"]!;
export const EINTR: number = N["EINTR"]!;
export const EIO: number = N["EIO"]!;
export const ENXIO: number = N["ENXIO"]!;
export const E2BIG: number = N["E2BIG"]!;
export const ENOEXEC: number = N["ENOEXEC"]!;
export const EBADF: number = N["EBADF"]!;
export const ECHILD: number = N["ECHILD"]!;
export const EAGAIN: number = N["EAGAIN"]!;
export const EWOULDBLOCK: number = N["EWOULDBLOCK"]!;
export const ENOMEM: number = N["ENOMEM"]!;
export const EACCES: number = N["EACCES"]!;
export const EFAULT: number = N["EFAULT"]!;
export const EBUSY: number = N["EBUSY"]!;
export const EEXIST: number = N["EEXIST"]!;
export const EXDEV: number = N["EXDEV"]!;
export const ENODEV: number = N["ENODEV"]!;
export const ENOTDIR: number = N["ENOTDIR"]!;
export const EISDIR: number = N["EISDIR"]!;
export const EINVAL: number = N["EINVAL"]!;
export const ENFILE: number = N["ENFILE"]!;
export const EMFILE: number = N["EMFILE"]!;
export const ENOTTY: number = N["ENOTTY"]!;
export const EFBIG: number = N["EFBIG"]!;
export const ENOSPC: number = N["ENOSPC"]!;
export const ESPIPE: number = N["ESPIPE"]!;
export const EROFS: number = N["EROFS"]!;
export const EMLINK: number = N["EMLINK"]!;
export const EPIPE: number = N["EPIPE"]!;
export const EDOM: number = N["EDOM"]!;
export const ERANGE: number = N["ERANGE"]!;
export const EDEADLK: number = N["EDEADLK"]!;
export const ENAMETOOLONG: number = N["ENAMETOOLONG"]!;
export const ENOLCK: number = N["ENOLCK"]!;
export const ENOSYS: number = N["ENOSYS"]!;
export const ENOTEMPTY: number = N["ENOTEMPTY"]!;
export const ELOOP: number = N["ELOOP"]!;
export const EOVERFLOW: number = N["EOVERFLOW"]!;
export const EILSEQ: number = N["EILSEQ"]!;
export const ENOTSOCK: number = N["ENOTSOCK"]!;
export const EDESTADDRREQ: number = N["EDESTADDRREQ"]!;
export const EMSGSIZE: number = N["EMSGSIZE"]!;
export const EPROTOTYPE: number = N["EPROTOTYPE"]!;
export const ENOPROTOOPT: number = N["ENOPROTOOPT"]!;
export const EPROTONOSUPPORT: number = N["EPROTONOSUPPORT"]!;
export const EOPNOTSUPP: number = N["EOPNOTSUPP"]!;
export const ENOTSUP: number = N["ENOTSUP"]!;
export const EAFNOSUPPORT: number = N["EAFNOSUPPORT"]!;
export const EADDRINUSE: number = N["EADDRINUSE"]!;
export const EADDRNOTAVAIL: number = N["EADDRNOTAVAIL"]!;
export const ENETDOWN: number = N["ENETDOWN"]!;
export const ENETUNREACH: number = N["ENETUNREACH"]!;
export const ENETRESET: number = N["ENETRESET"]!;
export const ECONNABORTED: number = N["ECONNABORTED"]!;
export const ECONNRESET: number = N["ECONNRESET"]!;
export const ENOBUFS: number = N["ENOBUFS"]!;
export const EISCONN: number = N["EISCONN"]!;
export const ENOTCONN: number = N["ENOTCONN"]!;
export const ESHUTDOWN: number = N["ESHUTDOWN"]!;
export const ETIMEDOUT: number = N["ETIMEDOUT"]!;
export const ECONNREFUSED: number = N["ECONNREFUSED"]!;
export const EHOSTDOWN: number = N["EHOSTDOWN"]!;
export const EHOSTUNREACH: number = N["EHOSTUNREACH"]!;
export const EALREADY: number = N["EALREADY"]!;
export const EINPROGRESS: number = N["EINPROGRESS"]!;
export const ECANCELED: number = N["ECANCELED"]!;

// Every other errno the system defines, so that errno[errorcode[n]] === n for each entry of
// errorcode (as in CPython); undefined where the system lacks the name.
/** Further errno values; undefined where the system lacks the name. */
export const ENOMSG: number | undefined = N["ENOMSG"];
export const EIDRM: number | undefined = N["EIDRM"];
export const ENOSTR: number | undefined = N["ENOSTR"];
export const ENODATA: number | undefined = N["ENODATA"];
export const ETIME: number | undefined = N["ETIME"];
export const ENOSR: number | undefined = N["ENOSR"];
export const EREMOTE: number | undefined = N["EREMOTE"];
export const ENOLINK: number | undefined = N["ENOLINK"];
export const EPROTO: number | undefined = N["EPROTO"];
export const EBADMSG: number | undefined = N["EBADMSG"];
export const EUSERS: number | undefined = N["EUSERS"];
export const ESOCKTNOSUPPORT: number | undefined = N["ESOCKTNOSUPPORT"];
export const EPFNOSUPPORT: number | undefined = N["EPFNOSUPPORT"];
export const ETOOMANYREFS: number | undefined = N["ETOOMANYREFS"];
export const ESTALE: number | undefined = N["ESTALE"];
export const EDQUOT: number | undefined = N["EDQUOT"];
export const EOWNERDEAD: number | undefined = N["EOWNERDEAD"];
export const ENOTRECOVERABLE: number | undefined = N["ENOTRECOVERABLE"];

/** errno number → name, e.g. errorcode[ETIMEDOUT] === "ETIMEDOUT". */
export const errorcode: Readonly<Record<number, string>> = Object.freeze(Object.fromEntries(errnoTable()));

// Issue 11's fuzz of the bridge's Python API: every public function and method of `socket`
// and `select` under usocket-micropython, each argument position replaced in turn by a
// hostile value. A call may succeed or raise what CPython would (TypeError, ValueError,
// OverflowError, OSError) or the argument's own exception; anything else (a RuntimeError
// carrying a JavaScript error, NotImplementedError, a crash, a hang) is a problem the script
// lists. Descriptors: a socket opened after the run gets a number no higher than before it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readlinkSync } from "node:fs";
import { runMp } from "./support/micropython.js";

/** The sockets this (Node) process holds, by descriptor. */
function nodeSockets() {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")) n++;
    } catch {
      // closed while listing (the directory's own descriptor)
    }
  }
  return n;
}

// Raw: the Python source keeps its own escapes (\x00 must reach Python as four characters).
const SCRIPT = String.raw`
import socket, select
from array import array

OK = (TypeError, ValueError, OverflowError, OSError)
problems = []
count = [0]


class Boom(Exception):
    pass


class BadNumber:
    def __index__(self):
        raise Boom()

    def __int__(self):
        raise Boom()

    def __len__(self):
        raise Boom()

    def __iter__(self):
        raise Boom()


class BadFileno:
    def fileno(self):
        raise Boom()


class JunkFileno:
    def __init__(self, v):
        self.v = v

    def fileno(self):
        return self.v


def fresh_fd():
    s = socket.socket()
    n = s.fileno()
    s.close()
    return n


start_fd = fresh_fd()

srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(4)
a = socket.socket()
a.connect(srv.getsockname())
b, _ = srv.accept()
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d.bind(('127.0.0.1', 0))
u = socket.socket()
c = socket.socket()
c.close()
# a bound port nobody listens on: connecting there is refused at once
dead = socket.socket()
dead.bind(('127.0.0.1', 0))
DEAD = dead.getsockname()
DGRAM = d.getsockname()
LIVE = [srv, a, b, d, u, dead]
for s in LIVE:
    s.settimeout(0)
b.send(b'line\nmore data')

HOSTILE = [None, 'x', b'x', [1], {}, 1.5, float('nan'), 2**64, -2**64, 2**32 + 1, -1, True,
           BadNumber(), BadFileno(), JunkFileno(2**64), JunkFileno('3'), JunkFileno(-5),
           'a\x00b', 'h' * 100000, b'\x00' * 100000, memoryview(array('i', [1, 2, 3])),
           memoryview(b'abcd'), bytearray(4), c, (1, 2), ('127.0.0.1',), ('127.0.0.1', 2**64)]


def tidy(r):
    # what a call made is closed again: sockets (accept's pair too) and polls
    if isinstance(r, socket.socket):
        if r not in LIVE:  # makefile() answers its own socket
            r.close()
    elif isinstance(r, tuple):
        for x in r:
            tidy(x)


def call(name, f, args):
    count[0] += 1
    try:
        tidy(f(*args))
    except OK:
        pass
    except Boom:
        pass
    except Exception as e:
        problems.append('%s%s: %s(%s)' % (name, repr(args)[:80], type(e).__name__, str(e)[:80]))
    for s in LIVE:
        try:
            s.settimeout(0)
        except OSError:
            pass


def fuzz(name, f, good, hostile=HOSTILE):
    call(name, f, good)
    for i in range(len(good)):
        for h in hostile:
            args = list(good)
            args[i] = h
            call(name, f, args)
    call(name + '+extra', f, list(good) + [0])


# hosts that getaddrinfo could send to a DNS server are never tried: only numeric or NUL-bearing ones
NAMES = [None, [1], {}, 1.5, 2**64, -1, True, BadNumber(), JunkFileno(1), 'a\x00b', b'\x00', '999.1.1.1\x00', memoryview(b'\x00')]

methods = [
    ('bind', lambda s: [('127.0.0.1', 0)]),
    ('connect', lambda s: [DEAD]),
    ('listen', lambda s: [1]),
    ('accept', lambda s: []),
    ('send', lambda s: [b'x']),
    ('sendall', lambda s: [b'x']),
    ('sendto', lambda s: [b'x', DGRAM]),
    ('recv', lambda s: [4]),
    ('recv_into', lambda s: [bytearray(4)]),
    ('recvfrom', lambda s: [4]),
    ('setsockopt', lambda s: [socket.SOL_SOCKET, socket.SO_REUSEADDR, 1]),
    ('getsockopt', lambda s: [socket.SOL_SOCKET, socket.SO_TYPE]),
    ('settimeout', lambda s: [0]),
    ('setblocking', lambda s: [False]),
    ('makefile', lambda s: ['rb']),
    ('read', lambda s: [4]),
    ('readinto', lambda s: [bytearray(4)]),
    ('readline', lambda s: [8]),
    ('write', lambda s: [b'x']),
    ('shutdown', lambda s: [socket.SHUT_RD]),
    ('getsockname', lambda s: []),
    ('getpeername', lambda s: []),
    ('fileno', lambda s: []),
]

for tname, target in (('u', u), ('d', d), ('a', a), ('srv', srv), ('c', c)):
    for mname, good in methods:
        fuzz(tname + '.' + mname, getattr(target, mname), good(target))
    fuzz(tname + '.sendto3', target.sendto, [b'x', 0, DGRAM])
    fuzz(tname + '.getsockopt3', target.getsockopt, [socket.SOL_SOCKET, socket.SO_LINGER, 8])
    fuzz(tname + '.setsockopt_bytes', target.setsockopt, [socket.SOL_SOCKET, socket.SO_LINGER, bytes(8)])
    fuzz(tname + '.recv_into3', target.recv_into, [bytearray(4), 2, 0])
    fuzz(tname + '.write3', target.write, [b'abc', 1, 1])
    fuzz(tname + '.readinto2', target.readinto, [bytearray(4), 2])

for mname in ('close', 'fileno'):
    fuzz('c.' + mname, getattr(c, mname), [])


def made(*args):
    s = socket.socket(*args)
    s.close()


fuzz('socket', made, [socket.AF_INET, socket.SOCK_STREAM, 0])
fuzz('getaddrinfo.host', socket.getaddrinfo, ['127.0.0.1', 80], NAMES)
fuzz('getaddrinfo', lambda p, *r: socket.getaddrinfo('127.0.0.1', p, *r), [80, 0, 0, 0, 0])
fuzz('inet_pton', socket.inet_pton, [socket.AF_INET, '127.0.0.1'])
fuzz('inet_pton6', socket.inet_pton, [socket.AF_INET6, '::1'])
fuzz('inet_ntop', socket.inet_ntop, [socket.AF_INET, b'\x7f\x00\x00\x01'])
fuzz('inet_ntop6', socket.inet_ntop, [socket.AF_INET6, bytes(16)])

# poll: a writable socket is always registered, so no poll waits
FD = a.fileno()


def polled(method):
    def run(*args):
        p = select.poll()
        try:
            p.register(a, select.POLLOUT)
            r = getattr(p, method)(*args)
            if method == 'ipoll':
                for _ in r:
                    pass
        finally:
            p._free()
    return run


fuzz('poll.register', polled('register'), [b, select.POLLIN])
fuzz('poll.register.fd', polled('register'), [FD, select.POLLIN])
fuzz('poll.modify', polled('modify'), [a, select.POLLOUT])
fuzz('poll.unregister', polled('unregister'), [a])
fuzz('poll.poll', polled('poll'), [0])
fuzz('poll.ipoll', polled('ipoll'), [0, 0])
fuzz('select', select.select, [[b], [a], [], 0])
# a socket at EOF is readable for good: a call without a timeout whose other lists are hostile still returns
lsn = socket.socket()
lsn.bind(('127.0.0.1', 0))
lsn.listen(1)
eof = socket.socket()
eof.connect(lsn.getsockname())
gone, _ = lsn.accept()
gone.close()
lsn.close()
fuzz('select.notimeout', select.select, [[eof], [a], [eof]])
eof.close()

for s in LIVE:
    s.close()
dead.close()
end_fd = fresh_fd()
if end_fd > start_fd:
    problems.append('descriptors leaked: %d then %d' % (start_fd, end_fd))
print('calls', count[0])
print('problems', len(problems))
for p in problems:
    print(p)
`;

test("every socket and select function and method, each argument hostile in turn: only CPython's exception classes, no leaked descriptor", async () => {
  const before = nodeSockets();
  const r = await runMp(SCRIPT, { limitMs: 180000 });
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  const lines = r.stdout.trim().split("\n");
  const calls = Number(/^calls (\d+)$/.exec(lines[0] ?? "")?.[1]);
  assert.ok(calls > 6000, `the fuzz made ${calls} calls`);
  assert.deepEqual(lines.slice(1), ["problems 0"]);
  assert.equal(nodeSockets(), before);
});

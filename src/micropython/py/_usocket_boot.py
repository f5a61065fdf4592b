# Runs once per interpreter (install.ts): imports the bridge's modules from the folder they
# were installed in and puts them in sys.modules, so they win over the port's own `select`,
# `time`, `gc` and `asyncio` whatever sys.path a script sets later.
import sys


def install(lib, time, input, asyncio, hostfs):
    sys.path.insert(0, lib)
    try:
        for name in ('socket', 'select', 'usocket', 'uselect', 'network', 'asyncio', 'uasyncio', 'tls', 'ssl'):
            sys.modules.pop(name, None)
        import socket
        import select
        import network
        import tls
        import ssl
        mods = {'socket': socket, 'usocket': socket, 'select': select, 'uselect': select, 'network': network,
                'tls': tls, 'ssl': ssl}
        # hashlib with sha1/md5 and os.getenv & co., as the unix port has them
        for name in ('hashlib', 'uhashlib'):
            sys.modules.pop(name, None)
        import _usocket_hashlib
        import _usocket_host
        _usocket_host.install()
        mods['hashlib'] = mods['uhashlib'] = _usocket_hashlib
        import _usocket_gc
        mods['gc'] = _usocket_gc
        if time:
            import _usocket_time
            mods['time'] = mods['utime'] = _usocket_time
        if asyncio:
            # The port's frozen asyncio is driven by JavaScript's event loop; scripts get
            # the project's own, which waits on sockets through `select`.
            for name in list(sys.modules):
                if name.startswith('asyncio.'):
                    sys.modules.pop(name)
            import asyncio as aio
            mods['asyncio'] = mods['uasyncio'] = aio
    finally:
        sys.path.pop(0)
    sys.modules.update(mods)
    _host_errnos(hostfs)
    if input:
        import builtins
        builtins.input = _input


def _input(prompt=''):
    if prompt:
        sys.stdout.write(prompt)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line[:-1] if line[-1:] == '\n' else line


def _host_errnos(hostfs):
    # The file system answers with Emscripten's errno numbers; scripts compare them with the
    # host's (errno.ENOENT), so the functions that reach it translate what they raise.
    import builtins
    import io
    import os
    import _usocket as u
    table = {}
    for kv in u.fserrnos().split('\x01'):
        k, v = kv.split('=')
        if k != v:
            table[int(k)] = int(v)

    def wrap(f):
        def call(*args, **kw):
            try:
                return f(*args, **kw)
            except OSError as e:
                n = e.args[0] if e.args else None
                if type(n) is int and n in table:
                    raise OSError(table[n])
                raise
        return call

    builtins.open = io.open = wrap(io.open)
    for name in ('listdir', 'ilistdir', 'stat', 'statvfs', 'remove', 'unlink', 'rename', 'mkdir', 'rmdir',
                 'getcwd'):
        f = getattr(os, name, None)
        if f is not None:
            setattr(os, name, wrap(f))
    chdir = wrap(os.chdir)
    if hostfs:
        # the host's working directory follows, for relative AF_UNIX addresses
        def chdir_both(path):
            chdir(path)
            u.chdir(os.getcwd())
        os.chdir = chdir_both
    else:
        os.chdir = chdir

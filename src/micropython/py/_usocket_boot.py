# Runs once per interpreter (install.ts): imports the bridge's modules from the folder they
# were installed in and puts them in sys.modules, so they win over the port's own `select`,
# `time` and `asyncio` whatever sys.path a script sets later.
import sys


def install(lib, time, input, asyncio):
    sys.path.insert(0, lib)
    try:
        for name in ('socket', 'select', 'usocket', 'uselect', 'asyncio', 'uasyncio', 'tls', 'ssl'):
            sys.modules.pop(name, None)
        import socket
        import select
        import tls
        import ssl
        mods = {'socket': socket, 'usocket': socket, 'select': select, 'uselect': select, 'tls': tls, 'ssl': ssl}
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

# Runs the program of the command line (cli.ts) in __main__, as MicroPython's unix port does:
# sys.argv and sys.path set first, SystemExit turned into the exit status, any other
# exception's traceback printed (without the bridge's own frames), then sys.atexit's function.
import _usocket_sys as sys

# A byte written here opens the memory's last room (heap-limit.ts): bound now, as writing it
# must not allocate
_last_room = open('/dev/usocket-last-room', 'wb').write
_byte = b'\0'

# __main__'s globals, set by cli.ts (this port does not list __main__ in sys.modules)
main = None


def _find(name):
    # The file of module `name` on sys.path (or in its package's __path__), as import finds it.
    dot = name.rfind('.')
    if dot >= 0:
        parent = __import__(name[:dot])
        for part in name.split('.')[1:-1]:
            parent = getattr(parent, part)
        folders = getattr(parent, '__path__', None)
        folders = [folders] if type(folders) is str else folders or []
        leaf = name[dot + 1:]
    else:
        folders = sys.path
        leaf = name
    import os
    for d in folders:
        base = (d + '/' if d else '') + leaf
        for candidate in (base + '.py', base + '/__init__.py'):
            try:
                if os.stat(candidate)[0] & 0o170000 == 0o100000:
                    return candidate
            except OSError:
                pass
    raise ImportError("no module named '%s'" % name)


def _status(e, pyexec):
    # SystemExit: None is 0, an int is itself (low 8 bits). Otherwise a script or -c (the unix
    # port's pyexec) prints the value to stderr, bool included; -m and stdin do not; status 1.
    v = e.args[0] if e.args else None
    if v is None:
        return 0
    if type(v) is int:
        return v & 0xff
    if not pyexec and type(v) is bool:
        return int(v)
    if pyexec:
        sys.stderr.write(str(v) + '\n')
    return 1


def _report(e, out):
    sys.print_exception(e, out)


def _exec(filename, g):
    with open(filename) as f:
        text = f.read()
    g['__file__'] = filename
    exec(compile(text, filename, 'exec'), g)


def run(mode, text, filename, argv, path):
    """mode 'c': text is the code (a script or -c); 's': the code read from stdin; 'm': text is a
    module name; filename names the code in tracebacks."""
    import json
    sys.argv[:] = json.loads(argv)
    sys.path[:] = json.loads(path)
    status = _run(mode, text, filename)
    if callable(sys.exitfunc):
        try:
            sys.exitfunc()
        except BaseException as e:
            _report(e, sys.stderr)
    return status


def _run(mode, text, filename):
    g = main
    try:
        _script(mode, text, filename, g)
    except BaseException as e:
        # the port reclaims nothing before the script ends: a script that ended on MemoryError
        # leaves none for its traceback, so the memory's last room is opened (heap-limit.ts)
        _last_room(_byte)
        return _ended(e, mode)
    _last_room(_byte)
    return 0


def _script(mode, text, filename, g):
    if mode == 'm':
        _exec(_find(text), g)
        # a package runs its __main__ too, as `-m` does on the unix port
        init = g.get('__file__', '')
        if init.endswith('__init__.py'):
            g.clear()
            g['__name__'] = '__main__'
            try:
                open(init[:-11] + '__main__.py').close()
            except OSError:
                raise ImportError("no module named '%s.__main__'" % text)
            _exec(init[:-11] + '__main__.py', g)
    else:
        if filename != '<stdin>':
            g['__file__'] = filename
        exec(compile(text, filename, 'exec'), g)


def _ended(e, mode):
    if isinstance(e, SystemExit):
        return _status(e, mode == 'c')
    # A script or -c runs through the unix port's pyexec: the traceback goes to stdout and an
    # uncaught KeyboardInterrupt is status 130 (as a shell reports SIGINT); -m and standard
    # input keep the older rule: stderr and status 1.
    if mode == 'c':
        _report(e, sys.stdout)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    _report(e, sys.stderr)
    return 1

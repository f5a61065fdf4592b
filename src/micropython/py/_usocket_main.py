# Runs the program of the command line (cli.ts) in __main__, as MicroPython's unix port does:
# sys.argv and sys.path set first, SystemExit turned into the exit status, any other
# exception's traceback printed to stderr (without the bridge's own frames) and status 1.
import sys

_LIB = '/usocket/lib/'

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


def _status(e):
    # SystemExit: None is 0, an int (or bool) is itself, anything else is 1, as the unix port
    v = e.args[0] if e.args else None
    if v is None:
        return 0
    if type(v) is int or type(v) is bool:
        return int(v) & 0xff
    return 1


def _report(e):
    import io
    text = io.StringIO()
    sys.print_exception(e, text)
    lines = text.getvalue().split('\n')
    kept = [line for line in lines if not line.startswith('  File "' + _LIB)]
    if kept[0].startswith('Traceback') and not [line for line in kept if line.startswith('  File ')]:
        kept = kept[1:]  # no frame of the script's own: just the exception, as for a failed -m import
    sys.stderr.write('\n'.join(kept))


def _exec(filename, g):
    with open(filename) as f:
        text = f.read()
    g['__file__'] = filename
    exec(compile(text, filename, 'exec'), g)


def run(mode, text, filename, argv, path):
    """mode 'c': text is the code; 'm': text is a module name; filename names the code in tracebacks."""
    import json
    sys.argv[:] = json.loads(argv)
    sys.path[:] = json.loads(path)
    g = main
    try:
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
    except SystemExit as e:
        return _status(e)
    except BaseException as e:
        _report(e)
        return 1
    return 0

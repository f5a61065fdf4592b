# sys as a script on the unix port sees it: the port's own sys (its names are read-only)
# with the host's platform, print_exception without the bridge's frames, and atexit. The
# lists and streams are the same objects, so sys.path, sys.argv and sys.modules changes
# reach the interpreter.
import sys as _sys

for _name in dir(_sys):
    if _name[:2] != '__':
        globals()[_name] = getattr(_sys, _name)
path = _sys.path
platform = 'linux'
del _name

_LIB = '  File "/usocket/lib/'
# the function sys.atexit registered (_usocket_main calls it when the program ends)
exitfunc = None


def print_exception(exc, file=None):
    # The bridge's modules are C on the unix port, so their frames are not shown; a
    # traceback left with none of the program's frames is just the exception's line.
    import io
    text = io.StringIO()
    _sys.print_exception(exc, text)
    lines = [line for line in text.getvalue().split('\n') if not line.startswith(_LIB)]
    if lines[0].startswith('Traceback') and not [line for line in lines if line.startswith('  File ')]:
        lines = lines[1:]
    (_sys.stdout if file is None else file).write('\n'.join(lines))


def atexit(func):
    # as the unix port: one function, called with no arguments when the program ends if it
    # is callable; the one registered before is returned
    global exitfunc
    old, exitfunc = exitfunc, func
    return old

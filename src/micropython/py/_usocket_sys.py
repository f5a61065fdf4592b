# sys as a script on the unix port sees it: the port's own sys (its names are read-only)
# with the host's platform. The lists and streams are the same objects, so sys.path,
# sys.argv and sys.modules changes reach the interpreter.
import sys as _sys

for _name in dir(_sys):
    if _name[:2] != '__':
        globals()[_name] = getattr(_sys, _name)
path = _sys.path
platform = 'linux'
del _name

# hashlib as the unix port has it: the WebAssembly port's own (sha256), with sha1 and md5.
from hashlib import *  # noqa: F401,F403
from _usocket_host import md5, sha1  # noqa: F401

# ssl: MicroPython's ssl module, a thin layer over tls with its own defaults: an
# SSLContext starts with verify_mode = CERT_NONE, and a str given to load_cert_chain or
# load_verify_locations names a file while bytes are the data itself.
import tls as _tls
from tls import (
    CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED, PROTOCOL_DTLS_CLIENT, PROTOCOL_DTLS_SERVER, PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
)


def __getattr__(name):
    return getattr(_tls, name)


def _file_or_data(value):
    if type(value) is str:
        with open(value, 'rb') as f:
            return f.read()
    return value


class SSLContext:
    def __init__(self, *args):
        self._context = _tls.SSLContext(*args)
        self._context.verify_mode = CERT_NONE

    @property
    def verify_mode(self):
        return self._context.verify_mode

    @verify_mode.setter
    def verify_mode(self, mode):
        self._context.verify_mode = mode

    def __getattr__(self, name):
        # get_ciphers, set_ciphers, verify_callback, the PSK attributes: the tls context's
        return getattr(self._context, name)

    def load_cert_chain(self, certfile, keyfile):
        self._context.load_cert_chain(_file_or_data(certfile), _file_or_data(keyfile))

    def load_verify_locations(self, cafile=None, cadata=None):
        if cafile:
            cadata = _file_or_data(cafile)
        self._context.load_verify_locations(cadata)

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None, client_id=None):
        return self._context.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=do_handshake_on_connect,
                                         server_hostname=server_hostname, client_id=client_id)


def wrap_socket(sock, server_side=False, key=None, cert=None, cert_reqs=CERT_NONE, cadata=None, server_hostname=None,
                do_handshake=True):
    ctx = SSLContext(PROTOCOL_TLS_SERVER if server_side else PROTOCOL_TLS_CLIENT)
    if cert or key:
        ctx.load_cert_chain(cert, key)
    if cadata:
        ctx.load_verify_locations(cadata=cadata)
    ctx.verify_mode = cert_reqs
    return ctx.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=do_handshake,
                           server_hostname=server_hostname)

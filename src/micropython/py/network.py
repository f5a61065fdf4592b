# network: a board's WLAN/LAN interfaces as a stand-in that is already connected through the
# host, so a device script's start-up code (activate, connect, wait for isconnected, print
# the address) runs unmodified. The address is the host's, read locally (calls.ts netif);
# nothing is sent. Status numbers are the ESP32 port's.
import _usocket as _u

STA_IF = 0
AP_IF = 1

STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010
STAT_NO_AP_FOUND = 201
STAT_WRONG_PASSWORD = 202
STAT_BEACON_TIMEOUT = 200
STAT_ASSOC_FAIL = 203
STAT_HANDSHAKE_TIMEOUT = 204

AUTH_OPEN = 0
AUTH_WEP = 1
AUTH_WPA_PSK = 2
AUTH_WPA2_PSK = 3
AUTH_WPA_WPA2_PSK = 4

_hostname = None
_country = 'XX'


def _host():
    ip, mask, mac, gw, dns, name = _u.netif().split('\x01')
    return ip, mask, mac, gw, dns, name


def hostname(name=None):
    global _hostname
    if name is None:
        return _hostname if _hostname is not None else _host()[5]
    _hostname = name


def country(code=None):
    global _country
    if code is None:
        return _country
    _country = code


def ipconfig(*args, **kw):
    # module-level settings (dns, prefer): accepted, the host's stay in use
    if args:
        if args[0] == 'dns':
            return _host()[4]
        if args[0] == 'prefer':
            return 4
        raise ValueError('unknown config param')


class _Interface:
    def __init__(self, id=STA_IF):
        self._id = id
        self._active = True
        self._config = {'ssid': '', 'channel': 1, 'txpower': 20, 'reconnects': -1, 'security': AUTH_WPA2_PSK}

    def active(self, is_active=None):
        if is_active is None:
            return self._active
        self._active = bool(is_active)

    def connect(self, ssid=None, key=None, *, bssid=None):
        # already connected through the host: returns at once
        self._active = True
        if ssid is not None:
            self._config['ssid'] = ssid

    def disconnect(self):
        pass

    def isconnected(self):
        return self._active

    def status(self, param=None):
        if param is None:
            return STAT_GOT_IP if self._active else STAT_IDLE
        if param == 'rssi':
            return -40
        if param == 'stations':
            return []
        raise ValueError('unknown status param')

    def ifconfig(self, config=None):
        if config is not None:
            return  # a static configuration is accepted; the host's stays in use
        ip, mask, _, gw, dns, _ = _host()
        return (ip, mask, gw, dns)

    def ipconfig(self, *args, **kw):
        if not args:
            return
        ip, mask, _, gw, _, _ = _host()
        name = args[0]
        if name == 'addr4':
            return (ip, mask)
        if name == 'gw4':
            return gw
        if name == 'dhcp4':
            return True
        if name == 'addr6':
            return []
        if name == 'autoconf6' or name == 'has_dhcp4':
            return True
        if name == 'has_autoconf6':
            return False
        raise ValueError('unexpected key')

    def config(self, *args, **kw):
        if kw:
            for k in kw:
                if k == 'hostname' or k == 'dhcp_hostname':
                    hostname(kw[k])
                else:
                    self._config[k] = kw[k]
            return
        if len(args) != 1:
            raise TypeError('can query only one param')
        name = args[0]
        if name == 'mac':
            return bytes(int(x, 16) for x in _host()[2].split(':'))
        if name == 'hostname' or name == 'dhcp_hostname':
            return hostname()
        if name == 'essid':
            name = 'ssid'
        if name in self._config:
            return self._config[name]
        raise ValueError('unknown config param')

    def scan(self):
        return []


class WLAN(_Interface):
    IF_STA = STA_IF
    IF_AP = AP_IF
    PM_NONE = 0
    PM_PERFORMANCE = 1
    PM_POWERSAVE = 2


class LAN(_Interface):
    pass

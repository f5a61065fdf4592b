// UDP multicast on the loopback interface: two receivers join group 239.255.42.99 on
// 127.0.0.1 and share one port (SO_REUSEADDR); a sender sends three datagrams to the group
// and each receiver gets every one. The sender picks the loopback interface
// (IP_MULTICAST_IF) and TTL 0, so nothing leaves this machine.
//
//   node examples/udp-multicast.js
import * as socket from "usocket-node";

const GROUP = "239.255.42.99";
const LOOPBACK = "127.0.0.1";
/** struct ip_mreq: the group, then the interface's address, 4 bytes each. */
const membership = Buffer.concat([socket.inet_pton(socket.AF_INET, GROUP), socket.inet_pton(socket.AF_INET, LOOPBACK)]);

const receivers = [];
let port = 0;
for (const name of ["receiver A", "receiver B"]) {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  r.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  r.bind(["0.0.0.0", port]);
  port = r.getsockname()[1];
  r.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership);
  r.settimeout(2);
  receivers.push([name, r]);
  console.log(`${name}: joined ${GROUP} on ${LOOPBACK}, listening on port ${port}`);
}

const sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
try {
  sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_pton(socket.AF_INET, LOOPBACK));
  sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0);
  sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1);
  const messages = ["first", "second", "third"];
  for (const message of messages) sender.sendto(message, [GROUP, port]);
  console.log(`sender: sent ${messages.length} datagrams to ${GROUP}:${port}`);
  for (const [name, r] of receivers) {
    const got = messages.map(() => r.recvfrom(100)[0].toString());
    console.log(`${name}: received ${JSON.stringify(got)}`);
    if (got.join() !== messages.join()) throw new Error(`${name} missed a datagram`);
  }
} finally {
  sender.close();
  for (const [, r] of receivers) {
    r.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, membership);
    r.close();
  }
}

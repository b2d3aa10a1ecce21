"""A small authoritative DNS server for tests: TXT records from a dict, on 127.0.0.1 (UDP and TCP).

    server = DNSServer().start()
    server.txt["_dms-verify.order.example.test"] = ["dms-verify=abc"]
    ...
    server.stop()

Names in `txt` answer their TXT strings (an empty list: the name exists, without TXT records);
any other name is NXDOMAIN. With `silent = True` the server answers nothing (resolver timeouts).
"""

from __future__ import annotations

import socketserver
import threading

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        reply = self.server.dns.answer(data)
        if reply is not None:
            sock.sendto(reply, self.client_address)


class _TCPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        length = int.from_bytes(self.rfile.read(2), "big")
        reply = self.server.dns.answer(self.rfile.read(length))
        if reply is not None:
            self.wfile.write(len(reply).to_bytes(2, "big") + reply)


class _UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class DNSServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.port = 0
        self.txt: dict[str, list[str]] = {}
        self.silent = False
        self.queries: list[tuple[str, str]] = []  # (name, type) as asked
        self._servers: list[socketserver.BaseServer] = []

    def answer(self, wire: bytes) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        self.queries.append((name, dns.rdatatype.to_text(question.rdtype)))
        if self.silent:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if name not in self.txt:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.TXT and self.txt[name]:
            strings = [_quoted(value) for value in self.txt[name]]
            response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "TXT", *strings))
        return response.to_wire()

    def start(self) -> DNSServer:
        for _attempt in range(5):  # the free UDP port may be taken for TCP: try another
            udp = _UDPServer((self.host, 0), _UDPHandler)
            try:
                tcp = _TCPServer((self.host, udp.server_address[1]), _TCPHandler)
            except OSError:
                udp.server_close()
                continue
            break
        self.port = udp.server_address[1]
        for server in (udp, tcp):
            server.dns = self
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

"""A small S3-compatible object store on 127.0.0.1, enough for django-storages' S3Storage: PutObject (plain or
aws-chunked bodies), GetObject (with a Range), HeadObject, DeleteObject and ListObjectsV2, path-style URLs. It checks
that each request is signed (SigV4, with the fake's access key) without recomputing the signature, and keeps the
objects in memory."""

from __future__ import annotations

import hashlib
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape


def _dechunk(body: bytes) -> bytes:
    """The payload of an aws-chunked body: chunks of `<hex size>[;signature]` CRLF `<data>` CRLF, then a 0 chunk."""
    out, position = bytearray(), 0
    while True:
        end = body.index(b"\r\n", position)
        size = int(body[position:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += body[end + 2:end + 2 + size]
        position = end + 2 + size + 2


class S3Fake:
    def __init__(self, *, access_key: str = "fake-key", bucket: str = "dms-backups"):
        self.access_key, self.bucket = access_key, bucket
        self.objects: dict[str, bytes] = {}
        self.unsigned = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _target(self) -> tuple[str, str, dict]:
                url = urlsplit(self.path)
                bucket, _, key = unquote(url.path).lstrip("/").partition("/")
                return bucket, key, parse_qs(url.query, keep_blank_values=True)

            def _signed(self) -> bool:
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("AWS4-HMAC-SHA256 Credential=" + fake.access_key + "/"):
                    fake.unsigned += 1
                    return False
                return True

            def _answer(self, status: int, body: bytes = b"", headers: dict | None = None, *, head=False):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _error(self, status: int, code: str, *, head=False):
                body = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{code}</Message></Error>".encode()
                self._answer(status, body, {"Content-Type": "application/xml"}, head=head)

            def _body(self) -> bytes:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "aws-chunked" in self.headers.get("Content-Encoding", "") or self.headers.get(
                        "x-amz-content-sha256", "").startswith("STREAMING-"):
                    data = _dechunk(data)
                return data

            def do_PUT(self):
                bucket, key, _query = self._target()
                data = self._body()
                if not self._signed() or bucket != fake.bucket:
                    return self._error(403, "AccessDenied")
                fake.objects[key] = data
                self._answer(200, headers={"ETag": f'"{hashlib.md5(data).hexdigest()}"'})  # noqa: S324 - S3's ETag

            def _object_headers(self, data: bytes) -> dict:
                return {"ETag": f'"{hashlib.md5(data).hexdigest()}"', "Accept-Ranges": "bytes",  # noqa: S324
                        "Last-Modified": formatdate(usegmt=True), "Content-Type": "application/octet-stream"}

            def do_HEAD(self):
                bucket, key, _query = self._target()
                if not self._signed():
                    return self._error(403, "AccessDenied", head=True)
                if bucket != fake.bucket or key not in fake.objects:
                    return self._error(404, "NoSuchKey", head=True)
                data = fake.objects[key]
                self.send_response(200)
                for name, value in self._object_headers(data).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()

            def do_GET(self):
                bucket, key, query = self._target()
                if not self._signed() or bucket != fake.bucket:
                    return self._error(403, "AccessDenied")
                if not key:
                    return self._list(query)
                if key not in fake.objects:
                    return self._error(404, "NoSuchKey")
                data, status, headers = fake.objects[key], 200, {}
                wanted = self.headers.get("Range", "")
                if wanted.startswith("bytes="):
                    first, _, last = wanted[6:].partition("-")
                    start, stop = int(first), min(int(last) if last else len(data) - 1, len(data) - 1)
                    headers["Content-Range"] = f"bytes {start}-{stop}/{len(data)}"
                    data, status = data[start:stop + 1], 206
                self._answer(status, data, {**self._object_headers(fake.objects[key]), **headers})

            def _list(self, query: dict):
                prefix = query.get("prefix", [""])[0]
                delimiter = query.get("delimiter", [""])[0]
                keys, prefixes = [], set()
                for key in sorted(fake.objects):
                    if not key.startswith(prefix):
                        continue
                    rest = key[len(prefix):]
                    if delimiter and delimiter in rest:
                        prefixes.add(prefix + rest.split(delimiter)[0] + delimiter)
                    else:
                        keys.append(key)
                contents = "".join(
                    f"<Contents><Key>{escape(key)}</Key><Size>{len(fake.objects[key])}</Size>"
                    f"<LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>\"x\"</ETag></Contents>"
                    for key in keys)
                common = "".join(f"<CommonPrefixes><Prefix>{escape(p)}</Prefix></CommonPrefixes>"
                                 for p in sorted(prefixes))
                body = ("<?xml version='1.0' encoding='UTF-8'?><ListBucketResult>"
                        f"<Name>{fake.bucket}</Name><Prefix>{escape(prefix)}</Prefix><KeyCount>{len(keys)}</KeyCount>"
                        f"<IsTruncated>false</IsTruncated>{contents}{common}</ListBucketResult>").encode()
                self._answer(200, body, {"Content-Type": "application/xml"})

            def do_DELETE(self):
                bucket, key, _query = self._target()
                if not self._signed() or bucket != fake.bucket:
                    return self._error(403, "AccessDenied")
                fake.objects.pop(key, None)
                self._answer(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> S3Fake:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

"""A real HTTP destination on 127.0.0.1 for activation tests and the benchmark.

It records every request, answers scripted faults (status codes, Retry-After, slow responses),
and applies each idempotency key once, as a well-behaved receiver would, so a test can check
what the destination ended up holding as well as what went over the wire.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    applied: bool  # answered 2xx and its idempotency key was new

    def json(self) -> Any:
        return json.loads(self.body)

    def csv_rows(self) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.body.decode())))


@dataclass
class Fault:
    status: int = 200
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class RecordingServer:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.faults: deque[Fault] = deque()
        self.fail_all_with: int | None = None  # every later request answers this status
        self._keys: set[str] = set()
        self._lock = threading.Lock()
        self._jobs = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def applied(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.applied]

    def _respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[Fault, bytes]:
        with self._lock:
            fault = self.faults.popleft() if self.faults else Fault(self.fail_all_with or 200)
            ok = 200 <= fault.status < 300
            key = f"{method} {path} {headers.get('Idempotency-Key')}"
            applied = ok and key not in self._keys
            if ok:
                self._keys.add(key)
            self.requests.append(Received(method, path, headers, body, fault.status, applied))
            reply = b"{}"
            if ok and method == "POST" and path.endswith("/jobs/ingest"):
                self._jobs += 1
                reply = json.dumps({"id": f"job{self._jobs}", "state": "Open"}).encode()
        return fault, reply

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fault, reply = server._respond(self.command, self.path, dict(self.headers), body)
                time.sleep(fault.delay_s)
                try:
                    self.send_response(fault.status)
                    for name, value in fault.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away; it will retry

            do_POST = do_PUT = do_PATCH = _handle

            def log_message(self, *args: object) -> None:
                pass

        return Handler

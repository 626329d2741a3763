"""A stand-in for Eurostat's SDMX 2.1 dissemination API, on 127.0.0.1, serving a mirror folder.

It answers the requests the `eurostat` package makes (dataflow, datastructure, contentconstraint,
the JSON table of contents and TSV data with '+'-joined keys) and can be told to misbehave,
so the fetch layer's handling of Eurostat's failures is tested without the internet.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

PREFIX = "/eurostat/api/dissemination/sdmx/2.1/"
NS = (
    'xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
    'xmlns:s="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" '
    'xmlns:c="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"'
)
HTML_ERROR = b"<!DOCTYPE html><html><head><title>Service unavailable</title></head><body>Sorry</body></html>"


class Mirror:
    """The mirror's files, read once: header dimensions and rows per dataset."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        manifest = self.folder / "MIRROR.json"
        self.manifest = json.loads(manifest.read_text()) if manifest.exists() else {}
        self.datasets: dict[str, tuple[list[str], str, list[str]]] = {}
        for path in sorted(self.folder.glob("*.tsv*")):
            raw = path.read_bytes()
            text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
            lines = [line for line in text.replace("\r\n", "\n").split("\n") if line]
            dims = [d.lower() for d in lines[0].split("\t")[0].split("\\")[0].split(",")]
            self.datasets[path.name.split(".")[0]] = (dims, lines[0], lines[1:])

    def dims(self, code: str) -> list[str]:
        return self.datasets[code][0]

    def codes(self, code: str, dimension: str) -> list[str]:
        dims, _, rows = self.datasets[code]
        i = dims.index(dimension)
        return sorted({row.split("\t")[0].split(",")[i] for row in rows})

    def tsv(self, code: str, key: str) -> bytes:
        """The dataset filtered by an SDMX key (``A.I_X+I_Y..``), as Eurostat sends it."""
        dims, header, rows = self.datasets[code]
        parts = key.split(".") if key else [""] * len(dims)
        if len(parts) != len(dims):
            raise KeyError(f"key {key!r} has {len(parts)} parts, {code} has {len(dims)} dimensions")
        wanted = [set(p.split("+")) if p else None for p in parts]
        kept = [
            row
            for row in rows
            if all(w is None or c in w for w, c in zip(wanted, row.split("\t")[0].split(",")))
        ]
        if not kept:
            return b""
        return gzip.compress(("\r\n".join([header, *kept]) + "\r\n").encode("utf-8"), mtime=0)


def _dataflow_xml(code: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><m:Structure {NS}><m:Structures><s:Dataflows>'
        f'<s:Dataflow id="{code.upper()}" agencyID="ESTAT" version="1.0"><c:Name xml:lang="en">{code}</c:Name>'
        f'<s:Structure><Ref id="{code.upper()}" version="1.0" agencyID="ESTAT" class="DataStructure"/></s:Structure>'
        "</s:Dataflow></s:Dataflows></m:Structures></m:Structure>"
    )


def _datastructure_xml(dims: list[str]) -> str:
    dimensions = "".join(
        f'<s:Dimension id="{d}" position="{i}"><s:LocalRepresentation><s:Enumeration>'
        f'<Ref id="{d.upper()}" version="1.0" agencyID="ESTAT" class="Codelist"/></s:Enumeration>'
        "</s:LocalRepresentation></s:Dimension>"
        for i, d in enumerate(dims, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><m:Structure {NS}><m:Structures><s:DataStructures>'
        f'<s:DataStructure id="DSD"><s:DataStructureComponents><s:DimensionList id="DimensionDescriptor">'
        f'{dimensions}<s:TimeDimension id="TIME_PERIOD" position="{len(dims) + 1}"/></s:DimensionList>'
        "</s:DataStructureComponents></s:DataStructure></s:DataStructures></m:Structures></m:Structure>"
    )


def _constraint_xml(mirror: Mirror, code: str) -> str:
    key_values = "".join(
        f'<c:KeyValue id="{d}">' + "".join(f"<c:Value>{v}</c:Value>" for v in mirror.codes(code, d)) + "</c:KeyValue>"
        for d in mirror.dims(code)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><m:Structure {NS}><m:Structures><s:Constraints>'
        f'<s:ContentConstraint id="{code}"><s:CubeRegion include="true">{key_values}</s:CubeRegion>'
        "</s:ContentConstraint></s:Constraints></m:Structures></m:Structure>"
    )


class StandIn:
    """Run the stand-in in a thread: ``with StandIn(mirror) as api: api.base_url``.

    `faults` maps an endpoint kind ("dataflow", "data", ...) to a list of behaviours used in
    order, one per request; the last one repeats when it ends with '*' (e.g. "503*").
    Behaviours: "ok" (answer normally), "500", "503", "413", "html", "truncate", "slow", "close".
    """

    def __init__(self, mirror: Path, *, slow_seconds: float = 3.0):
        self.mirror = Mirror(mirror)
        self.faults: dict[str, list[str]] = {}
        self.requests: list[str] = []
        self.slow_seconds = slow_seconds
        self._lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"

    def __enter__(self) -> "StandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def next_fault(self, kind: str) -> str | None:
        with self._lock:
            queue = self.faults.get(kind)
            if not queue:
                return None
            fault = queue[0]
            if fault.endswith("*"):
                return fault[:-1]
            queue.pop(0)
            return fault

    def count(self, kind: str) -> int:
        return sum(1 for r in self.requests if r.startswith(PREFIX + kind + "/"))

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def send(self, status: int, body: bytes, content_type: str, length: int | None = None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802 - the http.server interface
                standin.requests.append(self.path)
                url = urlparse(self.path)
                if not url.path.startswith(PREFIX):
                    return self.send(404, b"not found", "text/plain")
                parts = url.path[len(PREFIX):].split("/")
                kind = parts[0]
                fault = standin.next_fault(kind)
                if fault == "slow":
                    time.sleep(standin.slow_seconds)
                elif fault == "close":
                    self.close_connection = True
                    return
                elif fault in ("500", "503", "413"):
                    return self.send(int(fault), b"<S:Fault>error</S:Fault>" if fault != "413" else b"too big", "text/xml")
                elif fault == "html":
                    return self.send(200, HTML_ERROR, "text/html")
                try:
                    status, body, content_type = self.answer(kind, parts[1:], parse_qs(url.query))
                except KeyError as exc:
                    return self.send(404, str(exc).encode(), "text/plain")
                if fault == "truncate":
                    return self.send(status, body[: len(body) // 2], content_type)
                return self.send(status, body, content_type)

            def answer(self, kind: str, rest: list[str], query: dict) -> tuple[int, bytes, str]:
                mirror = standin.mirror
                if kind == "dataflow":
                    code = rest[1].lower()
                    if code not in mirror.datasets:
                        raise KeyError(f"no dataflow {code}")
                    if query.get("format") == ["JSON"]:
                        entry = mirror.manifest.get("datasets", {}).get(code, {})
                        stamp = entry.get("last_update", "2026-01-01T00:00:00+0100")
                        toc = {
                            "label": entry.get("title", code),
                            "class": "dataset",
                            "extension": {
                                "id": code.upper(),
                                "annotation": [
                                    {"type": "UPDATE_DATA", "date": stamp},
                                    {"type": "UPDATE_STRUCTURE", "date": stamp},
                                ],
                            },
                        }
                        return 200, gzip.compress(json.dumps(toc).encode(), mtime=0), "application/octet-stream"
                    return 200, _dataflow_xml(code).encode(), "application/xml"
                if kind == "datastructure":
                    code = rest[1].lower()
                    if code not in mirror.datasets:
                        raise KeyError(f"no datastructure {code}")
                    return 200, _datastructure_xml(mirror.dims(code)).encode(), "application/xml"
                if kind == "contentconstraint":
                    code = rest[1].lower()
                    if code not in mirror.datasets:
                        raise KeyError(f"no constraint {code}")
                    return 200, _constraint_xml(mirror, code).encode(), "application/xml"
                if kind == "data":
                    code = rest[0].lower()
                    if code not in mirror.datasets:
                        raise KeyError(f"no dataset {code}")
                    key = rest[1] if len(rest) > 1 else ""
                    body = mirror.tsv(code, key)
                    if not body:
                        raise KeyError("No results found")
                    return 200, body, "application/octet-stream"
                raise KeyError(f"unknown endpoint {kind}")

        return Handler


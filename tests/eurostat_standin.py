"""A stand-in for Eurostat's SDMX 2.1 dissemination API, on 127.0.0.1, serving a mirror folder.

It answers the requests the `eurostat` package makes (dataflow, datastructure, contentconstraint,
the JSON table of contents, TSV data with '+'-joined keys, and the asynchronous endpoint) and can
be told to misbehave, so the fetch layer's handling of Eurostat's failures is tested without the
internet.

Every answer is traceable to a real recorded Eurostat answer in
../shared/eurostat-api-samples/ (read at run time, never copied here) or to Eurostat's
documentation; where no real answer was found, the form is marked INVENTED below:
- structure messages: SDMX 2.1 with the <m:Header> of the real dataflow sample (GOV_10Q_GGNFA);
- content constraint: shaped like the real DS-045409 one (type="Actual", a TIME_PERIOD KeyValue);
- TSV: as the mirror has it (CRLF, trailing space after each period and value, see FORMS.md); with
  `forms_2025` the cells of CONFIDENTIAL_GEOS take the 2025 confidentiality form (': @C', '7.0 p@C');
- SOAP faults 100, 140 and 413: the real bodies from errors/; fault 150: INVENTED body (no real
  one found), same envelope; the HTTP status paired with each fault: ASSUMED (404, 400, 400, 413);
- the queue: the data request answered with the real SUBMITTED envelope (errors/), then the
  status answers (asyncResponse, read by the package at env:Body/ns0:asyncResponse/ns1:status)
  and the data answer (gzip TSV) of the asynchronous endpoint: INVENTED (no real body found);
- maintenance: a 302 to an HTML "sorry" page, as Eurostat redirects to https://sorry.ec.europa.eu/;
  here the page is served by the stand-in itself (INVENTED host).
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler

from local_server import LocalServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

PREFIX = "/eurostat/api/dissemination/sdmx/2.1/"
ASYNC_PREFIX = "/eurostat/api/dissemination/1.0/async/"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "eurostat-api-samples"
CONFIDENTIAL_GEOS = ("LU", "MT")  # with forms_2025, their cells are written in the 2025 confidential form
HEADER = (
    "<m:Header><m:ID>DF1674729685</m:ID><m:Test>false</m:Test><m:Prepared>2026-01-26T10:41:25.169Z</m:Prepared>"
    '<m:Sender id="ESTAT"/></m:Header>'
)  # as in the real GOV_10Q_GGNFA dataflow message
FAULTS = {  # behaviour -> (HTTP status (ASSUMED), body: a real sample's file name, or INVENTED bytes)
    "fault100": (404, "errors/fault-100_ERR_NOT_FOUND_2__test-embedded.xml"),
    "fault140": (400, "errors/fault-140_INVALID_QUERY_NB_FILTERS__test-embedded.xml"),
    "fault413": (413, "errors/comext_fault-413_EXTRACTION_TOO_BIG.xml"),
    # INVENTED: no real fault 150 body was found; the envelope is the real one, the text made up
    "fault150": (
        400,
        b'<?xml version="1.0" encoding="UTF-8"?><S:Fault xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<faultcode>150</faultcode><faultstring>INVALID_QUERY_CODE: Code I_IUPOL1 is not allowed "
        b"for dimension indic_is &amp; dataset isoc_ci_ac_i</faultstring></S:Fault>",
    ),
}
QUEUE_ENVELOPE = "errors/async-queue-envelope_SUBMITTED__test-embedded.xml"


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: the real Eurostat samples in ../shared are needed")
    return path.read_bytes()


def async_status_xml(key: str, status: str) -> bytes:
    """INVENTED: the asynchronous status answer, in the shape the eurostat package reads."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
        '<env:Header/><env:Body><ns0:asyncResponse xmlns:ns0="http://estat.ec.europa.eu/disschain/soap/asynchronous">'
        '<ns1:status xmlns:ns1="http://estat.ec.europa.eu/disschain/asynchronous">'
        f"<ns1:key>{key}</ns1:key><ns1:status>{status}</ns1:status></ns1:status>"
        "</ns0:asyncResponse></env:Body></env:Envelope>"
    ).encode()


def cells_2025(line: str) -> str:
    """One TSV row with its cells in the 2025 confidential forms (': ' -> ': @C', '7.0 p' -> '7.0 p@C')."""
    key, *cells = line.split("\t")
    out = []
    for cell in cells:
        stripped = cell.rstrip()
        if stripped == ":":
            cell = ": @C"
        elif stripped and stripped[-1].isalpha():
            cell = stripped + "@C"
        out.append(cell)
    return "\t".join([key, *out])


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

    def tsv(self, code: str, key: str, forms_2025: bool = False) -> bytes:
        """The dataset filtered by an SDMX key (``A.I_X+I_Y..``), as Eurostat sends it."""
        dims, header, rows = self.datasets[code]
        parts = key.split(".") if key else [""] * len(dims)
        if len(parts) != len(dims):
            raise KeyError(f"key {key!r} has {len(parts)} parts, {code} has {len(dims)} dimensions")
        wanted = [set(p.split("+")) if p else None for p in parts]
        kept = [row for row in rows if all(w is None or c in w for w, c in zip(wanted, row.split("\t")[0].split(",")))]
        if not kept:
            return b""
        if forms_2025:
            geo = dims.index("geo")
            kept = [cells_2025(row) if row.split("\t")[0].split(",")[geo] in CONFIDENTIAL_GEOS else row for row in kept]
        return gzip.compress(("\r\n".join([header, *kept]) + "\r\n").encode("utf-8"), mtime=0)


def _dataflow_xml(code: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><m:Structure {NS}>{HEADER}<m:Structures><s:Dataflows>'
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
        f'<?xml version="1.0" encoding="UTF-8"?><m:Structure {NS}>{HEADER}<m:Structures><s:DataStructures>'
        f'<s:DataStructure id="DSD"><s:DataStructureComponents><s:DimensionList id="DimensionDescriptor">'
        f'{dimensions}<s:TimeDimension id="TIME_PERIOD" position="{len(dims) + 1}"/></s:DimensionList>'
        "</s:DataStructureComponents></s:DataStructure></s:DataStructures></m:Structures></m:Structure>"
    )


def _constraint_xml(mirror: Mirror, code: str) -> str:
    """Shaped like the real DS-045409 constraint: type Actual, attachment, a TIME_PERIOD KeyValue."""
    key_values = "".join(
        f'<c:KeyValue id="{d}">' + "".join(f"<c:Value>{v}</c:Value>" for v in mirror.codes(code, d)) + "</c:KeyValue>"
        for d in mirror.dims(code)
    )
    periods = mirror.datasets[code][1].split("\t")[1:]
    key_values += (
        '<c:KeyValue id="TIME_PERIOD">' + "".join(f"<c:Value>{p.strip()}</c:Value>" for p in periods) + "</c:KeyValue>"
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><m:Structure {NS}>{HEADER}<m:Structures><s:Constraints>"
        f'<s:ContentConstraint agencyID="ESTAT" id="{code.upper()}" isFinal="false" type="Actual" version="1.0">'
        f'<c:Name xml:lang="en">Cube description for dataflow {code.upper()}</c:Name><s:ConstraintAttachment><s:Dataflow>'
        f'<Ref agencyID="ESTAT" class="Dataflow" id="{code.upper()}" package="datastructure" version="1.0"/>'
        f'</s:Dataflow></s:ConstraintAttachment><s:CubeRegion include="true">{key_values}</s:CubeRegion>'
        "</s:ContentConstraint></s:Constraints></m:Structures></m:Structure>"
    )


class StandIn(LocalServer):
    """Run the stand-in in a thread: ``with StandIn(mirror) as api: api.base_url``.

    `faults` maps an endpoint kind ("dataflow", "data", ...) to a list of behaviours used in
    order, one per request; the last one repeats when it ends with '*' (e.g. "503*").
    Behaviours: "ok" (answer normally), "500", "503", "413", "html", "truncate", "slow", "close",
    "fault100", "fault140", "fault150", "fault413" (SOAP faults), "queue" (the data request is
    queued: `queue_polls` status answers PROCESSING, then AVAILABLE, then the data) and "sorry"
    (a redirect to an HTML maintenance page). `forms_2025` writes the cells of CONFIDENTIAL_GEOS
    in the 2025 confidential forms.
    """

    PREFIX = PREFIX

    def __init__(self, mirror: Path, *, slow_seconds: float = 3.0, forms_2025: bool = False, queue_polls: int = 2):
        self.mirror = Mirror(mirror)
        self.forms_2025 = forms_2025
        self.queue_polls = queue_polls
        self.queued: dict[str, dict] = {}  # key -> {"polls": n, "body": bytes}
        self.faults: dict[str, list[str]] = {}
        self.requests: list[str] = []
        self.slow_seconds = slow_seconds
        self._lock = threading.Lock()
        self.serve(self._handler())

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
                if url.path == "/sorry/":
                    return self.send(200, HTML_ERROR, "text/html; charset=UTF-8")
                if url.path.startswith(ASYNC_PREFIX):
                    return self.asynchronous(url.path[len(ASYNC_PREFIX) :].split("/"))
                if not url.path.startswith(PREFIX):
                    return self.send(404, b"not found", "text/plain")
                parts = url.path[len(PREFIX) :].split("/")
                kind = parts[0]
                fault = standin.next_fault(kind)
                if fault == "slow":
                    time.sleep(standin.slow_seconds)
                elif fault == "close":
                    self.close_connection = True
                    return
                elif fault in ("500", "503", "413"):
                    return self.send(
                        int(fault), b"<S:Fault>error</S:Fault>" if fault != "413" else b"too big", "text/xml"
                    )
                elif fault == "html":
                    return self.send(200, HTML_ERROR, "text/html")
                elif fault == "sorry":
                    self.send_response(302)
                    self.send_header("Location", "/sorry/")
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                elif fault in FAULTS:
                    status, body = FAULTS[fault]
                    return self.send(status, body if isinstance(body, bytes) else sample(body), "text/xml")
                try:
                    status, body, content_type = self.answer(kind, parts[1:], parse_qs(url.query))
                except KeyError as exc:
                    return self.send(404, str(exc).encode(), "text/plain")
                if fault == "truncate":
                    return self.send(status, body[: len(body) // 2], content_type)
                if fault == "queue" and kind == "data":
                    envelope = sample(QUEUE_ENVELOPE)
                    key = re.search(rb"<id>([^<]+)</id>", envelope).group(1).decode()
                    standin.queued[key] = {"polls": 0, "body": body}
                    return self.send(200, envelope, "text/xml")
                return self.send(status, body, content_type)

            def asynchronous(self, parts: list[str]):
                """INVENTED forms: the asynchronous status and data answers (see the module docstring)."""
                kind, key = parts[0], parts[1] if len(parts) > 1 else ""
                job = standin.queued.get(key)
                if job is None:
                    return self.send(200, async_status_xml(key, "UNKNOWN_REQUEST"), "text/xml")
                if kind == "status":
                    job["polls"] += 1
                    status = "AVAILABLE" if job["polls"] > standin.queue_polls else "PROCESSING"
                    return self.send(200, async_status_xml(key, status), "text/xml")
                return self.send(200, job["body"], "application/octet-stream")

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
                    body = mirror.tsv(code, key, standin.forms_2025)
                    if not body:
                        raise KeyError("No results found")
                    return 200, body, "application/octet-stream"
                raise KeyError(f"unknown endpoint {kind}")

        return Handler

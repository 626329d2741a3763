"""A stand-in for the OECD's SDMX API (sdmx.oecd.org/public/rest), on 127.0.0.1, answering data requests
for ICT Access and Usage by Individuals from a file of real SDMX-CSV rows.

Every answer is traceable to ../shared/oecd-api-samples/ (read at run time, never copied here):
- data: the rows of the served file that match the request's key (the dataflow's dimensions in the
  header's order, codes joined with '+', an empty position for all), written back byte for byte
  under the file's own header, as the API sends SDMX-CSV with labels;
- a bare ``Accept: text/csv`` answers HTTP 500 (recorded in a public project's log; body INVENTED);
- a selection without rows answers 404 (the SDMX-REST standard's "No results found", code 100; the
  OECD's exact body is unrecorded: the body below is INVENTED);
- over the limit, 429 with ``Retry-After`` (recorded in a public log; no body was recorded: the
  body is INVENTED, and so is the Content-Type of every answer).
"""

from __future__ import annotations

import csv
import io
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlparse

from local_server import LocalServer

PREFIX = "/public/rest/"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "oecd-api-samples"
REAL_ROWS = SAMPLES / "ict-individuals_D1B_I_KOR-JPN-USA__excerpt.csv"
KEY_ORDER = (
    "REF_AREA",
    "FREQ",
    "MEASURE",
    "UNIT_MEASURE",
    "GEO_AREA",
    "AGE",
    "SEX",
    "EDUCATION_LEVEL",
    "INCOME_GROUP",
    "EMP_STATUS",
)
CSV_TYPE = "application/vnd.sdmx.data+csv; charset=utf-8"  # INVENTED: no recorded Content-Type
NOT_FOUND = b"NoResultsFound: No data for the query"  # INVENTED body (SDMX-REST code 100)
TOO_MANY = b"Too Many Requests"  # INVENTED body


class OecdStandIn(LocalServer):
    """``with OecdStandIn(rows_file) as api: api.base_url``.

    `faults` lists behaviours used in order, one per data request ('*' at the end repeats the
    last): "ok", "429" (with `retry_after`), "500", "503" (the API down: the status the OECD's gateway
    sends then; its body is INVENTED), "truncate" (the body cut in the middle of a line, the connection
    closed short of its Content-Length), "html".
    """

    PREFIX = PREFIX

    def __init__(self, rows_file: Path = REAL_ROWS, *, retry_after: str = "1", faults: list[str] | None = None):
        if not Path(rows_file).exists():
            raise FileNotFoundError(f"{rows_file} not found: the real OECD rows in ../shared are needed")
        self.body = Path(rows_file).read_bytes()
        self.retry_after = retry_after
        self.faults: list[str] = list(faults or [])
        self.requests: list[str] = []
        self.accept: list[str] = []
        self._lock = threading.Lock()
        self.serve(self._handler())

    @property
    def data_requests(self) -> int:
        return sum(1 for r in self.requests if r.startswith(PREFIX + "data/"))

    def next_fault(self) -> str:
        with self._lock:
            if not self.faults:
                return "ok"
            fault = self.faults[0]
            if fault.endswith("*"):
                return fault[:-1]
            return self.faults.pop(0)

    def select(self, key: str) -> bytes:
        """The header and the lines whose codes match `key`, as the file has them."""
        lines = self.body.decode("utf-8").splitlines(keepends=True)
        header = next(csv.reader(io.StringIO(lines[0])))
        wanted = [set(part.split("+")) if part else None for part in key.split(".")]
        if len(wanted) != len(KEY_ORDER):
            return b""
        positions = [header.index(d) for d in KEY_ORDER]
        kept = [
            line
            for line in lines[1:]
            if all(
                codes is None or row[at] in codes
                for at, codes, row in ((a, c, next(csv.reader(io.StringIO(line)))) for a, c in zip(positions, wanted))
            )
        ]
        return "".join([lines[0], *kept]).encode("utf-8") if kept else b""

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def send(
                self,
                status: int,
                body: bytes,
                content_type: str,
                headers: dict | None = None,
                length: int | None = None,
            ):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802 - the http.server interface
                standin.requests.append(self.path)
                standin.accept.append(self.headers.get("Accept", ""))
                url = urlparse(self.path)
                if not url.path.startswith(PREFIX + "data/"):
                    return self.send(404, b"not found", "text/plain")
                fault = standin.next_fault()
                if fault == "429":
                    return self.send(429, TOO_MANY, "text/plain", {"Retry-After": standin.retry_after})
                if fault == "500" or self.headers.get("Accept", "").strip() == "text/csv":
                    return self.send(500, b"Internal Server Error", "text/plain")
                if fault == "503":
                    return self.send(503, b"Service Unavailable", "text/plain")
                if fault == "html":
                    return self.send(200, b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "text/html")
                parts = unquote(url.path[len(PREFIX + "data/") :]).split("/")
                flow = parts[0].split(",")
                if len(parts) < 2 or len(flow) < 2 or flow[1] != "DSD_ICT_HH_IND@DF_IND":
                    return self.send(404, NOT_FOUND, "text/plain")
                body = standin.select(parts[1])
                if not body:
                    return self.send(404, NOT_FOUND, "text/plain")
                if fault == "truncate":
                    cut = body[: len(body) // 2]
                    self.close_connection = True
                    return self.send(200, cut, CSV_TYPE, length=len(body))
                return self.send(200, body, CSV_TYPE)

        return Handler

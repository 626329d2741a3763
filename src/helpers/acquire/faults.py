"""Eurostat's failures, read as Eurostat writes them (SOAP faults, the maintenance page), and the
guard that bounds every request of a fetch (count, time, retries).
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

from helpers.acquire.retries import pause
from helpers.acquire.settings import FetchSettings
from helpers.base.errors import FetchError, ReportError, TransientError


class _Stopped(Exception):
    """Raised inside the eurostat package to stop it; the reason is kept in `Guard.stop`."""


FAULT_ADVICE = {
    "100": "the dataset does not exist or is not disseminated: check its code in src/helpers/catalogue/series.toml",
    "140": "the request names a different number of dimensions than the dataset has: its structure changed; "
    "compare the catalogue's filters with it",
    "150": "a code the catalogue asks for is not allowed in one of the dataset's dimensions",
    "413": "the extraction is too big: narrow the filters of the dataset in src/helpers/catalogue/series.toml",
}


def soap_fault(body: bytes) -> tuple[str, str] | None:
    """(faultcode, faultstring) of a SOAP fault body such as Eurostat's ``<S:Fault>``, else None."""
    if b"Fault" not in body[:4096]:
        return None
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    fault = (
        root
        if root.tag.endswith("}Fault") or root.tag == "Fault"
        else next((e for e in root.iter() if e.tag.endswith("}Fault")), None)
    )
    if fault is None:
        return None
    return (fault.findtext("faultcode") or "").strip(), " ".join((fault.findtext("faultstring") or "").split())


def is_maintenance_page(response) -> bool:
    """Eurostat's site, when down, redirects to an HTML 'sorry' page (sorry.ec.europa.eu)."""
    host = urlparse(response.url).hostname or ""
    content_type = response.headers.get("Content-Type", "")
    return (
        host.startswith("sorry.")
        or content_type.startswith("text/html")
        or response.content[:15].lower().startswith((b"<!doctype html", b"<html"))
    )


class Guard:
    """Every request the live path makes for one dataset goes through here (the package's too).

    It keeps the package from doing what a polite client must not: no detour to other agencies
    (COMEXT, COMP, EMPL, GROW) when the ESTAT request fails, no retry without pause inside the
    project's own attempts, no queue polling without pause; and it bounds the requests and the
    time spent on one dataset. The first failure is kept in `stop`, then every further request
    is refused without reaching the network, so the package gives up at once.
    """

    def __init__(self, settings: FetchSettings, code: str, *, sleep=time.sleep, clock=time.monotonic):
        self.settings, self.code, self.sleep, self.clock = settings, code, sleep, clock
        self.started = clock()
        self.responses: list = []
        self.stop: ReportError | None = None
        self.refused_detours = 0
        self.polls = 0
        self.queued_seconds = 0.0
        self.absent_required: dict[str, list[str]] = {}

    def __getattr__(self, name):  # the package uses `requests.get` and `requests.utils`
        import requests

        return getattr(requests, name)

    def _halt(self, error: ReportError):
        self.stop = self.stop or error
        raise _Stopped(str(error))

    def get(self, url: str, **kwargs):
        import requests

        settings = self.settings
        if self.stop is not None:
            raise _Stopped(str(self.stop))
        if not url.startswith((settings.api_base, settings.async_base)):
            self.refused_detours += 1
            raise _Stopped(f"not asked: {url}")
        if len(self.responses) >= settings.max_requests:
            self._halt(
                FetchError(
                    f"{self.code} needed more than {settings.max_requests} requests " "(EUROSTAT_MAX_REQUESTS); stopped"
                )
            )
        if self.clock() - self.started > settings.max_seconds:
            self._halt(
                TransientError(f"{self.code} took longer than {settings.max_seconds:g} s (EUROSTAT_MAX_SECONDS)")
            )
        if "/status/" in url:  # the package polls a queued extraction without pausing: pause here
            self.polls += 1
            delay = pause(settings.backoff, self.polls, longest=60.0)
            if self.queued_seconds + delay > settings.queue_wait:
                self._halt(
                    TransientError(
                        f"Eurostat queued the extraction of {self.code} and it was not ready after "
                        f"{self.queued_seconds:g} s (EUROSTAT_QUEUE_WAIT)"
                    )
                )
            self.sleep(delay)
            self.queued_seconds += delay
        kwargs["timeout"] = settings.timeout
        try:
            response = requests.get(url, **kwargs)
        except requests.Timeout:
            self._halt(TransientError(f"Eurostat did not answer within {settings.timeout:g} s ({url})"))
        except requests.ConnectionError as exc:
            reason = str(exc.args[0]) if exc.args else "connection failed"
            self._halt(TransientError(f"cannot connect to Eurostat at {settings.api_base} ({reason[:120]})"))
        self.responses.append(response)
        if is_maintenance_page(response):
            self._halt(
                TransientError(
                    f"Eurostat answered {self.code} with an HTML page ({response.url}), not SDMX: "
                    "the site is probably down for maintenance"
                )
            )
        fault = soap_fault(response.content)
        if fault or not response.ok:
            self._halt(self.classify(response, fault))
        return response

    def classify(self, response, fault: tuple[str, str] | None) -> ReportError:
        status = response.status_code
        if fault:
            code, text = fault
            advice = FAULT_ADVICE.get(code, "see Eurostat's API documentation")
            if code == "150" and self.absent_required:
                advice += ": " + "; ".join(f"{d} {', '.join(c)}" for d, c in self.absent_required.items())
            message = f"Eurostat refused {self.code} with fault {code} ({text}) - {advice}"
            return TransientError(message) if status >= 500 and code not in FAULT_ADVICE else FetchError(message)
        where = f"Eurostat answered HTTP {status} for {self.code}"
        if status == 413:
            return FetchError(f"{where}: {FAULT_ADVICE['413']}")
        if status == 404:
            return FetchError(f"{where}: no such dataset or no data for the catalogue's filters")
        if status >= 500 or status == 429:
            return TransientError(f"{where} (server busy or down)")
        return FetchError(f"{where} ({response.reason})")

    def data_responses(self) -> list:
        return [r for r in self.responses if "/data/" in r.url]

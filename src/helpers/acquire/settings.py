"""How to reach Eurostat's API: the base address, timeouts, retries and limits (environment variables
``EUROSTAT_*``; the tests point the base at a stand-in on 127.0.0.1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

EUROSTAT_API = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/"


@dataclass
class FetchSettings:
    """How to reach Eurostat; tests point `api_base` at a stand-in on 127.0.0.1."""

    api_base: str = EUROSTAT_API
    timeout: float = 60.0
    attempts: int = 4
    backoff: float = 2.0  # seconds before the 2nd try; doubled for each further try
    max_requests: int = 25  # per dataset and attempt: structure, constraint, data and queue polls
    max_seconds: float = 900.0  # per dataset and attempt, queue included
    queue_wait: float = 600.0  # the longest wait for a queued (asynchronous) extraction

    @property
    def async_base(self) -> str:
        """Eurostat's asynchronous endpoint, beside the SDMX one (…/dissemination/1.0/async/)."""
        return self.api_base.split("sdmx/2.1/")[0] + "1.0/async/"

    @classmethod
    def from_environment(cls) -> "FetchSettings":
        env = os.environ
        return cls(
            api_base=env.get("EUROSTAT_API_BASE", EUROSTAT_API),
            timeout=float(env.get("EUROSTAT_TIMEOUT", 60)),
            attempts=int(env.get("EUROSTAT_ATTEMPTS", 4)),
            backoff=float(env.get("EUROSTAT_BACKOFF", 2.0)),
            max_requests=int(env.get("EUROSTAT_MAX_REQUESTS", 25)),
            max_seconds=float(env.get("EUROSTAT_MAX_SECONDS", 900)),
            queue_wait=float(env.get("EUROSTAT_QUEUE_WAIT", 600)),
        )

"""How to reach Eurostat's API: the base address, timeouts, retries and limits (environment variables
``EUROSTAT_*``; the tests point the base at a stand-in on 127.0.0.1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance  # the type checker's own name for "a dataclass"

S = TypeVar("S", bound="DataclassInstance")

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
        return settings_from_environment(cls, "EUROSTAT")


def settings_from_environment(cls: type[S], prefix: str) -> S:
    """`cls` (a dataclass of settings with defaults) with each field read from ``<PREFIX>_<FIELD>``
    where that variable is set (EUROSTAT_TIMEOUT=30), as the default's type; else the default."""
    values: dict[str, Any] = {}
    for field in fields(cls):
        raw = os.environ.get(f"{prefix}_{field.name.upper()}")
        if raw is not None:
            as_default: Callable[[str], Any] = type(field.default)
            values[field.name] = as_default(raw)
    return cls(**values)

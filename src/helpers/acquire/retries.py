"""The one retry policy of both API clients, Eurostat's and the OECD's (on tenacity): a `TransientError`
(5xx, 429, a timeout, a refused or cut connection, a maintenance page) is tried again, up to `attempts`
tries, after `backoff` seconds doubled for each further try, or after the wait a 429 names (`RetryAfter`)
when it is within `max_retry_after` (beyond it, the fetch ends at once). Any other error is an answer,
never tried again. The last failure ends in one line: "... - gave up after N tries".
"""

from __future__ import annotations

import datetime as dt
import math
import time
from email.utils import parsedate_to_datetime
from typing import Callable, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from helpers.base.errors import TransientError

T = TypeVar("T")


class RetryAfter(TransientError):
    """A 429 answer that names how long to wait (`wait`, seconds, from its Retry-After)."""

    def __init__(self, message: str, wait: float):
        super().__init__(message)
        self.wait = wait


def pause(backoff: float, tries: int, longest: float = math.inf) -> float:
    """The pause after `tries` tries (or queue polls): `backoff`, doubled for each further one, at most `longest`."""
    return min(backoff * 2 ** (tries - 1), longest)


def retry_after_seconds(header: str | None) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); 60 when absent or unreadable."""
    if header is None:
        return 60.0
    try:
        return max(0.0, float(header))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(header) - dt.datetime.now(dt.timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return 60.0


def with_retries(
    action: Callable[[int], T], *, attempts: int, backoff: float, max_retry_after: float = math.inf, sleep=time.sleep
) -> T:
    """`action(n)` for tries n = 1, 2, ... until it returns or fails for good (see the module's docstring)."""

    def failure_of(state: RetryCallState) -> BaseException | None:
        return state.outcome.exception() if state.outcome else None  # tenacity sets it before it waits or gives up

    def give_up(state: RetryCallState) -> T:
        failure = failure_of(state)
        if isinstance(failure, RetryAfter):
            raise failure  # its line already says to try later
        raise TransientError(f"{failure} - gave up after {state.attempt_number} tries") from None

    for attempt in Retrying(
        stop=stop_after_attempt(attempts),
        retry=retry_if_exception(lambda e: isinstance(e, TransientError) and getattr(e, "wait", 0) <= max_retry_after),
        wait=lambda state: getattr(failure_of(state), "wait", pause(backoff, state.attempt_number)),
        retry_error_callback=give_up,
        sleep=sleep,
    ):
        with attempt:
            return action(attempt.retry_state.attempt_number)
    raise AssertionError("unreachable: tenacity returns, raises or tries again")

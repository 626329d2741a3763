"""Errors meant for people: each names what failed and how to fix it."""

from __future__ import annotations

import errno


class ReportError(Exception):
    """An expected failure, reported as one line without a traceback."""


class MalformedFile(ReportError):
    """A file or response is not in Eurostat's TSV layout."""


class FetchError(ReportError):
    """A dataset could not be fetched; the previous data was left in place."""


class TransientError(FetchError):
    """A failure worth retrying: a 5xx answer, a timeout, a refused connection."""


class ValidationError(ReportError):
    """Tidy data broke a rule; nothing was written."""


class UnknownCode(ReportError):
    """A country, group or other code is not one the report knows."""


class MissingData(ReportError):
    """A series, year or country has no data in the store."""


class StaleVerdicts(ReportError):
    """A verdicts file was computed from other data, another claims registry or other settings than the page's."""


DISK_FULL = "the disk is full; nothing was replaced: free some space and run make again"


def disk_full(exc: BaseException) -> bool:
    """A write failed for want of space: said in one line (DISK_FULL), never as a traceback."""
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC

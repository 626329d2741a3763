"""The one retry policy of both API clients (helpers.acquire.retries), without a network: which failures
are tried again, after which pauses, and the one line that ends them."""

import pytest

from helpers.acquire.retries import RetryAfter, pause, retry_after_seconds, with_retries
from helpers.base.errors import FetchError, TransientError


def failing(*failures, result="done"):
    """An action that raises `failures` in turn, then returns `result`; `tries` records each try's number."""
    queue = list(failures)

    def action(tries):
        action.tries.append(tries)
        if queue:
            raise queue.pop(0)
        return result

    action.tries = []
    return action


def test_a_transient_failure_is_tried_again_after_doubling_pauses():
    action, waits = failing(TransientError("HTTP 503"), TransientError("HTTP 502")), []
    assert with_retries(action, attempts=3, backoff=2.0, sleep=waits.append) == "done"
    assert action.tries == [1, 2, 3] and waits == [2.0, 4.0]


def test_the_last_transient_failure_ends_in_one_line_naming_the_tries():
    action, waits = failing(*[TransientError("the OECD answered HTTP 503")] * 4), []
    with pytest.raises(TransientError) as caught:
        with_retries(action, attempts=4, backoff=0.5, sleep=waits.append)
    assert str(caught.value) == "the OECD answered HTTP 503 - gave up after 4 tries"
    assert action.tries == [1, 2, 3, 4] and waits == [0.5, 1.0, 2.0]


def test_an_answer_that_is_not_transient_is_never_tried_again():
    action = failing(FetchError("fault 150"))
    with pytest.raises(FetchError, match="^fault 150$"):
        with_retries(action, attempts=4, backoff=1.0, sleep=lambda s: pytest.fail("waited"))
    assert action.tries == [1]


def test_a_retry_after_within_the_bound_is_waited_for_then_the_back_off_goes_on():
    action, waits = failing(RetryAfter("429", 7.0), TransientError("HTTP 503")), []
    assert with_retries(action, attempts=3, backoff=2.0, max_retry_after=300, sleep=waits.append) == "done"
    assert waits == [7.0, 4.0]  # the server's wait, then the pause after two tries


def test_a_retry_after_beyond_the_bound_ends_at_once_with_its_own_line():
    action = failing(RetryAfter("429: asks to wait 3600 s: try later", 3600.0))
    with pytest.raises(RetryAfter, match="^429: asks to wait 3600 s: try later$"):
        with_retries(action, attempts=3, backoff=2.0, max_retry_after=300, sleep=lambda s: pytest.fail("waited"))
    assert action.tries == [1]


def test_a_429_on_the_last_try_keeps_its_own_line():
    action = failing(*[RetryAfter("429: try later", 1.0)] * 2)
    with pytest.raises(RetryAfter, match="^429: try later$"):
        with_retries(action, attempts=2, backoff=2.0, max_retry_after=300, sleep=lambda s: None)


def test_the_queue_pause_doubles_up_to_its_longest():
    assert [pause(2.0, n, longest=60.0) for n in range(1, 8)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


@pytest.mark.parametrize(
    "header, seconds",
    [(None, 60.0), ("", 60.0), ("7", 7.0), ("-3", 0.0), ("soon", 60.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_is_read_as_seconds_or_a_date(header, seconds):
    assert retry_after_seconds(header) == seconds

"""The shared retry rules: backoff growth and cap, Retry-After in seconds and as an HTTP date."""

from __future__ import annotations

import datetime as dt
import email.utils

from biblio.retry import BACKOFF_CAP_S, RETRYABLE, backoff, retry_after


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    for n in range(1, 6):
        w = backoff(n)
        assert 2 ** (n - 1) * 0.5 <= w <= 2 ** (n - 1)
    assert max(backoff(20) for _ in range(50)) <= BACKOFF_CAP_S


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after({"Retry-After": "12"}) == 12.0
    assert retry_after({"Retry-After": "-3"}) == 0.0
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=90)
    got = retry_after({"Retry-After": email.utils.format_datetime(when, usegmt=True)})
    assert got is not None and 80 <= got <= 91
    assert retry_after({"Retry-After": "soon"}) is None and retry_after({}) is None and retry_after(None) is None


def test_only_rate_limits_and_server_errors_are_retried() -> None:
    assert {429, 503} <= RETRYABLE and not ({400, 401, 403, 404} & RETRYABLE)

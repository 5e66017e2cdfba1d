"""One HTTP request, retried with exponential backoff on 429, 5xx, timeouts and dropped connections.

Standard library only. The caller passes the same idempotency key on every attempt, so a
receiver that did process an attempt whose response was lost can drop the repeat.
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_RETRY_AFTER_S = 600.0


@dataclass(frozen=True)
class Retry:
    max_retries: int = 5
    backoff_s: float = 1.0  # first wait; doubles on each retry
    max_backoff_s: float = 60.0
    timeout_s: float = 30.0  # per request; a slower response counts as a retryable failure


class DeliveryError(RuntimeError):
    """The destination did not accept a request. `retryable` means it may succeed later unchanged."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def request(method: str, url: str, body: bytes | None, headers: dict[str, str], retry: Retry) -> bytes:
    """Returns the response body of the first 2xx answer."""
    attempt = 0
    while True:
        try:
            req = urllib.request.Request(url, data=body, headers=headers, method=method)
            with urllib.request.urlopen(req, timeout=retry.timeout_s) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            exc.read()
            retryable = exc.code == 429 or exc.code >= 500
            problem = f"{method} {url} answered HTTP {exc.code}"
            wait = _retry_after(exc.headers.get("Retry-After"))
            exc.close()
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as exc:
            retryable, problem, wait = True, f"{method} {url} failed: {getattr(exc, 'reason', exc)}", None
        if not retryable:
            raise DeliveryError(problem, retryable=False)
        if attempt == retry.max_retries:
            raise DeliveryError(f"{problem} (gave up after {attempt + 1} attempts)", retryable=True)
        # The server's Retry-After wins over our own backoff, within reason.
        wait = min(retry.backoff_s * 2**attempt, retry.max_backoff_s) if wait is None else min(wait, MAX_RETRY_AFTER_S)
        log.warning("%s; retry %d/%d in %.2fs", problem, attempt + 1, retry.max_retries, wait)
        time.sleep(wait)
        attempt += 1


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())

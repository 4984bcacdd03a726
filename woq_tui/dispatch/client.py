"""The httpx client of the dispatch API (docs/dispatch-api.md).

One call per command, `reassign` and `reclassify` (both through `send`), which never
raises for what the network or the server does: it returns an Outcome that says what the outbox should do (confirmed, conflict, refused,
or transient: try again). The bearer token is read from the environment variable that
`[dispatch] token_env` names, sent only in the Authorization header, and scrubbed from
every text this module produces.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx

from woq_tui import __version__
from woq_tui.config import DispatchSettings
from woq_tui.domain.clock import Clock, SystemClock

Kind = Literal["confirmed", "conflict", "refused", "transient"]
_TRANSIENT_STATUS = {408, 425, 429}


class DispatchOff(Exception):
    """[dispatch] base_url is not set: reassignment is off."""


@dataclass(frozen=True)
class Reassignment:
    """What one request carries; the outbox entry's id is the Idempotency-Key."""

    key: str
    ticket_no: str
    to_station: str
    reason: str
    operator: str
    expected_version: int
    requested_at: datetime


@dataclass(frozen=True)
class Reclassification:
    """A reclassification: the same request as a reassignment, with a type code of
    docs/sla.md as its target (docs/dispatch-api.md, "Reclassification")."""

    key: str
    ticket_no: str
    to_type: str
    reason: str
    operator: str
    expected_version: int
    requested_at: datetime


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    status: int | None = None
    # The server's JSON answer (a dict), when there was one.
    body: dict[str, Any] | None = None
    # One line for the outbox's last_error: the server's reason or the network error.
    error: str | None = None
    # Seconds the server asked us to wait (Retry-After), if it did.
    retry_after: float | None = None

    @property
    def response_text(self) -> str | None:
        return None if self.body is None else json.dumps(self.body, ensure_ascii=False, sort_keys=True)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "<Bearer ***>"


def read_token(settings: DispatchSettings) -> str | None:
    """The token from the environment, or None when unset or not a valid header value."""
    token = (os.environ.get(settings.token_env) or "").strip()
    if not token or not token.isascii() or not token.isprintable():
        return None
    return token


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


class DispatchClient:
    def __init__(
        self,
        settings: DispatchSettings,
        *,
        zone: tzinfo = timezone.utc,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not settings.base_url:
            raise DispatchOff("[dispatch] base_url is not set")
        self._token = read_token(settings)
        self._timeout = settings.timeout_seconds
        self._zone = zone
        self._clock = clock or SystemClock()
        self._http = httpx.Client(
            base_url=settings.base_url,
            timeout=settings.timeout_seconds,
            verify=settings.verify_tls,
            auth=_Bearer(self._token) if self._token else None,
            headers={"User-Agent": f"woq-console/{__version__}"},
            follow_redirects=False,
            transport=transport,
        )

    @property
    def has_token(self) -> bool:
        return self._token is not None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DispatchClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _scrub(self, text: str) -> str:
        text = " ".join(text.split())
        return text.replace(self._token, "***") if self._token else text

    def reassign(self, request: Reassignment, timeout: float | None = None) -> Outcome:
        """One POST; `timeout` shortens `[dispatch] timeout_seconds` for this one
        (the `reassign` command's time limit)."""
        return self.send(request, timeout)

    def reclassify(self, request: Reclassification, timeout: float | None = None) -> Outcome:
        return self.send(request, timeout)

    def send(self, request: Reassignment | Reclassification, timeout: float | None = None) -> Outcome:
        """One POST of either command, to its path, with its target field."""
        if isinstance(request, Reclassification):
            action, target = "reclassify", {"to_type": request.to_type}
        else:
            action, target = "reassign", {"to_station": request.to_station}
        body = {
            **target,
            "reason": request.reason,
            "operator": request.operator,
            "expected_version": request.expected_version,
            "requested_at": request.requested_at.astimezone(self._zone).isoformat(timespec="seconds"),
        }
        try:
            response = self._http.post(
                f"/tickets/{quote(request.ticket_no, safe='')}/{action}",
                json=body,
                headers={"Idempotency-Key": request.key},
                timeout=self._timeout if timeout is None else min(self._timeout, timeout),
            )
        except httpx.TimeoutException as exc:
            return Outcome("transient", error=self._scrub(f"timeout ({type(exc).__name__})"))
        except httpx.TransportError as exc:
            return Outcome("transient", error=self._scrub(f"{type(exc).__name__}: {exc}"))
        return self._classify(response)

    def _classify(self, response: httpx.Response) -> Outcome:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        body = data if isinstance(data, dict) else None
        if 200 <= status < 300:
            return Outcome("confirmed", status, body)
        if status == 409:
            return Outcome("conflict", status, body, self._reason(status, body, response))
        if status in _TRANSIENT_STATUS or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self._clock.now())
            return Outcome("transient", status, body, self._reason(status, body, response), retry_after)
        return Outcome("refused", status, body, self._reason(status, body, response))

    def _reason(self, status: int, body: dict[str, Any] | None, response: httpx.Response) -> str:
        if body and body.get("error"):
            text = f"HTTP {status} {body['error']}"
            if body.get("detail"):
                text += f": {body['detail']}"
            if body.get("error") == "version_conflict":
                text += f" (current version {body.get('current_version')}, station {body.get('current_station')}"
                text += f", type {body['current_type']})" if "current_type" in body else ")"
        else:
            text = f"HTTP {status} {response.reason_phrase}".rstrip()
        return self._scrub(text)[:500]

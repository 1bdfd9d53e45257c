"""HTTP client for the services behind the gateway (their internal APIs)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from bespoke_gateway.domain.errors import UpstreamUnavailable
from bespoke_platform.credentials import CredentialSigner, signed

_LOST_ANSWER = (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError)


PASSED_ON_HEADERS = frozenset(
    {
        "idempotent-replayed",
        "content-disposition",
        "cache-control",
        "content-security-policy",
        "etag",
        "x-content-type-options",
    }
)
"""What of a service's own headers reaches the client: a replay's mark, and how a
document (a job ticket, a stamp's artwork) is to be shown, (not) kept, and (not) run."""


class UpstreamResponse:
    """A service's answer, passed on to the client as it is (problem details included)."""

    def __init__(self, response: httpx.Response, streamed: bool = False) -> None:
        """``streamed``: the body is passed on as it streams, not kept here."""
        self.status_code = response.status_code
        self.content = b"" if streamed else response.content
        self.media_type = response.headers.get("content-type", "application/json")
        self.headers = {k: v for k, v in response.headers.items() if k.lower() in PASSED_ON_HEADERS}

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


class ServiceClient:
    """Calls one service's internal API on behalf of a brand (or an operator), each call
    with a credential the gateway signs for that service alone."""

    def __init__(
        self, name: str, client: httpx.AsyncClient, signer: CredentialSigner | None = None
    ) -> None:
        self.name = name
        self._client = client
        self._signer = signer

    async def request(
        self,
        method: str,
        path: str,
        account_id: str,
        request_id: str,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        content: bytes | AsyncIterable[bytes] | None = None,
        actor: str | None = None,
        role: str | None = None,
        realm: str | None = None,
    ) -> UpstreamResponse:
        """``account_id``: the brand the call acts for ("" for none: the gateway's own
        call, e.g. relaying Stripe's webhook)."""
        # Retried once: a request that never reached the service (connection refused),
        # and, for reads only, one whose answer was lost. Writes whose answer was lost are
        # not retried here: the client retries them with its Idempotency-Key.
        for attempt in (1, 2):
            try:
                response = await self._client.request(
                    method,
                    quote(path, safe="/"),  # ids from the public path, as they came
                    json=json,
                    content=content,
                    params=params,
                    headers={
                        "X-Request-Id": request_id,
                        **signed(self._signer, self.name, account_id or None, actor, role, realm),
                        **(headers or {}),
                    },
                )
                break
            except httpx.HTTPError as error:
                # A streamed body cannot be sent twice: it was read as it went.
                retriable = isinstance(content, bytes | None) and (
                    isinstance(error, httpx.ConnectError)
                    or (method in ("GET", "HEAD") and isinstance(error, _LOST_ANSWER))
                )
                if attempt == 1 and retriable:
                    await asyncio.sleep(0.2)
                    continue
                raise UpstreamUnavailable(
                    f"the {self.name} service is not answering ({type(error).__name__}); "
                    "try again shortly"
                ) from error
        return UpstreamResponse(response)

    async def download(
        self,
        path: str,
        account_id: str,
        request_id: str,
        actor: str | None = None,
        role: str | None = None,
        realm: str | None = None,
    ) -> StreamedResponse:
        """A GET whose answer (a file) is passed on as it arrives, never held whole; an
        error answer (problem details) is read, as small as it is."""
        request = self._client.build_request(
            "GET",
            quote(path, safe="/"),
            headers={
                "X-Request-Id": request_id,
                **signed(self._signer, self.name, account_id or None, actor, role, realm),
            },
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as error:
            raise UpstreamUnavailable(
                f"the {self.name} service is not answering ({type(error).__name__}); "
                "try again shortly"
            ) from error
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            return StreamedResponse(UpstreamResponse(response), None)

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.aiter_raw():
                    yield chunk
            finally:
                await response.aclose()

        head = UpstreamResponse(response, streamed=True)
        if "content-length" in response.headers:  # the file's, as it streams unchanged
            head.headers["content-length"] = response.headers["content-length"]
        return StreamedResponse(head, body())

    async def aclose(self) -> None:
        await self._client.aclose()


@dataclass(frozen=True)
class StreamedResponse:
    """A service's answer to a download: its status and headers, and its body as it
    streams (None for an error, whose problem details are in ``head.content``)."""

    head: UpstreamResponse
    body: AsyncIterator[bytes] | None

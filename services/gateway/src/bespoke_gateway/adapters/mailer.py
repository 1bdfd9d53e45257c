"""Account emails through the notifications service's internal API."""

from __future__ import annotations

import httpx

from bespoke_contracts.api.notifications import AccountEmailRequest
from bespoke_gateway.domain.errors import UpstreamUnavailable
from bespoke_platform.credentials import CredentialSigner, signed


class NotificationsMailer:
    """``PUT /internal/account-emails/{link_id}``: the service records the email in its
    send log (once per link) and its courier sends it, retrying SMTP as it does for every
    email."""

    def __init__(self, client: httpx.AsyncClient, signer: CredentialSigner | None) -> None:
        self._client, self._signer = client, signer

    async def send(self, link_id: str, email: AccountEmailRequest) -> None:
        try:
            response = await self._client.put(
                f"/internal/account-emails/{link_id}",
                content=email.model_dump_json(),
                headers={
                    "content-type": "application/json",
                    **signed(self._signer, "notifications"),
                },
            )
        except httpx.HTTPError as error:
            raise UpstreamUnavailable(
                f"the email could not be queued ({type(error).__name__}); try again shortly"
            ) from error
        if response.status_code >= 300:
            raise UpstreamUnavailable(
                f"the email could not be queued (notifications answered {response.status_code}); "
                "try again shortly"
            )

    async def aclose(self) -> None:
        await self._client.aclose()

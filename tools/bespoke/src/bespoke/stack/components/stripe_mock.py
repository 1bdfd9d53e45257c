"""stripe-mock: Stripe's API, stateless, on loopback."""

from __future__ import annotations

from bespoke.stack.components.component import http_ok
from bespoke.stack.components.go import GoBinary
from bespoke.stack.processes import ProcessSpec


class StripeMock(GoBinary):
    name = "stripe-mock"
    module = "stripe-mock"
    package = "github.com/stripe/stripe-mock"

    def spec(self) -> ProcessSpec:
        c = self.config
        # stripe-mock opens an HTTPS listener too, on every interface unless given an
        # address: bind it to loopback on a port of ours like everything else.
        return self._spec(
            [
                str(self.binary),
                "-http-addr",
                f"{c.host}:{c.stripe_mock_port}",
                "-https-addr",
                f"{c.host}:{c.stripe_mock_https_port}",
            ]
        )

    async def ready(self) -> bool:
        return await http_ok(
            f"{self.config.stripe_api_base}/v1/customers",
            headers={"Authorization": "Bearer sk_test_local"},
        )

    def address(self) -> str:
        return self.config.stripe_api_base

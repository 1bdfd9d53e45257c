"""A bare Litestar endpoint that validates a checkout body and returns it: the framework's
own ceiling, to compare the real checkout against (run by bench/checkout.py)."""

from __future__ import annotations

import sys

import uvicorn
from litestar import Litestar, post
from litestar.params import JSONBody

from bespoke_contracts.api.orders import CheckoutRequest


@post("/api/v1/orders", status_code=201)
async def echo(data: JSONBody[CheckoutRequest]) -> CheckoutRequest:
    """Validate and return the body."""
    return data


app = Litestar([echo])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)

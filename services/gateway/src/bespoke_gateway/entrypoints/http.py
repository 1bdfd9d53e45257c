"""The public backoffice API: one Litestar app in front of the services."""

from __future__ import annotations

from litestar import Litestar, Router
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from bespoke_gateway.bootstrap import GatewayRuntime, bootstrap
from bespoke_gateway.domain import errors
from bespoke_gateway.entrypoints.auth import (
    PUBLIC_PATHS,
    AddressRateLimit,
    BearerTokenMiddleware,
    authorize,
)
from bespoke_gateway.entrypoints.design import (
    CatalogController,
    DesignsController,
    EstimatesController,
    GalleryController,
    SharedDesignController,
)
from bespoke_gateway.entrypoints.ops import OpsSessionController
from bespoke_gateway.entrypoints.orders import OrdersController
from bespoke_gateway.entrypoints.passwords import PasswordController
from bespoke_gateway.entrypoints.payments import (
    GroupPaymentController,
    InvoicesController,
    OrderPaymentController,
    StripeWebhookController,
)
from bespoke_gateway.entrypoints.production import OpsOrdersController, OpsShipmentsController
from bespoke_gateway.entrypoints.session import SessionController
from bespoke_gateway.entrypoints.shipping import (
    OrderShipmentController,
    ShippingGroupsController,
)
from bespoke_gateway.entrypoints.stamps import OpsStampsController, StampsController
from bespoke_gateway.entrypoints.tokens import TokensController
from bespoke_gateway.entrypoints.users import UsersController
from bespoke_gateway.ui import PUBLIC_PREFIXES, template_config, ui_router
from bespoke_platform.app import service_app

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
"""On every gateway response: pages run only the gateway's own scripts and styles, may
not be framed (clickjacking), send no Referer (nothing of an address leaves the
backoffice), and are never sniffed into another type."""


def create_app(runtime: GatewayRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(
        mongo=runtime.mongo,
        route_handlers=[
            # Every brand route: its action must be one the caller's role may take.
            Router(
                path="/",
                guards=[authorize],
                route_handlers=[
                    CatalogController,
                    DesignsController,
                    GalleryController,
                    EstimatesController,
                    OrdersController,
                    OrderPaymentController,
                    GroupPaymentController,
                    InvoicesController,
                    ShippingGroupsController,
                    OrderShipmentController,
                    StampsController,
                    TokensController,
                    UsersController,
                ],
            ),
            SessionController,
            PasswordController,
            OpsSessionController,
            OpsOrdersController,
            OpsShipmentsController,
            OpsStampsController,
            SharedDesignController,
            StripeWebhookController,
            ui_router(),
        ],
        template_config=template_config(),
        response_headers=SECURITY_HEADERS,
        state={"runtime": runtime},
        on_startup=[runtime.accounts.ensure_indexes, runtime.ensure_indexes, runtime.start],
        on_shutdown=[runtime.close],
        middleware=[
            AddressRateLimit(),
            DefineMiddleware(BearerTokenMiddleware, exclude=[*PUBLIC_PATHS, *PUBLIC_PREFIXES]),
        ],
        domain_errors={
            errors.InvalidAccount: 422,
            errors.Forbidden: 403,
            errors.ApiTokenNotFound: 404,
            errors.UserNotFound: 404,
            errors.UserExists: 409,
            errors.PasswordLinkInvalid: 400,
            errors.CsrfTokenInvalid: 403,
            errors.SignInFailed: 401,
            errors.InvalidUser: 422,
            errors.WeakPassword: 422,
            errors.IdempotencyKeyMissing: 428,
            errors.RateLimited: 429,
            errors.UpstreamUnavailable: 503,
            errors.UploadTooLarge: 413,
            errors.NotMultipart: 415,
        },
        openapi_config=OpenAPIConfig(
            path="/api/v1/schema",
            # The document itself; no viewer page, since each of Litestar's loads its
            # scripts from a CDN (the strict policy above would refuse them anyway).
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
            title="Bespoke backoffice API",
            version="1",
            description="Design shoes, check out orders, pay and group them, follow them "
            "into production. Errors are RFC 9457 problem details.",
            components=Components(
                security_schemes={
                    "brandToken": SecurityScheme(type="http", scheme="bearer"),
                    "brandSession": SecurityScheme(
                        type="apiKey",
                        name="bespoke_session",
                        security_scheme_in="cookie",
                        description="A signed-in user's session (`POST /api/v1/session`); "
                        "its POST, PUT, PATCH and DELETE requests need `X-CSRF-Token`.",
                    ),
                }
            ),
            security=[{"brandToken": []}, {"brandSession": []}],
        ),
    )

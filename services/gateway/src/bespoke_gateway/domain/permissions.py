"""Who may do what in a brand's backoffice: the roles, the actions, and the one matrix
that says which role may take which action (docs/api.md, "Roles and permissions").

Every public route names its action (``ROUTE_ACTIONS``, by OpenAPI ``operationId``), and
the gateway refuses a role the matrix does not allow with ``403`` before calling the
service. A test walks every route of the committed OpenAPI document, so a new route
cannot be added without deciding who may call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from bespoke_gateway.domain.errors import Forbidden


class Role(StrEnum):
    """A brand user's role; a brand's own token acts as its ``owner``."""

    OWNER = "owner"
    ADMIN = "admin"
    DESIGNER = "designer"
    FINANCE = "finance"
    VIEWER = "viewer"


class Action(StrEnum):
    """What a route does, in the words of the matrix."""

    READ = "read"
    """See the brand's catalog, designs, orders, groups, invoices and shipments."""
    DESIGN = "design"
    """Create, edit, archive, clone, publish designs."""
    ESTIMATE = "estimate"
    """Price a design or an order without creating anything."""
    CHECK_OUT = "check_out"
    EDIT_ORDER = "edit_order"
    CANCEL_ORDER = "cancel_order"
    """Cancel an order pending payment (and a paid one)."""
    CANCEL_PAID_ORDER = "cancel_paid_order"
    """Cancel a paid order, which refunds it (less the fee for its stage)."""
    GROUP_SHIPPING = "group_shipping"
    """Preview, form and dissolve shipping groups."""
    PAY = "pay"
    """Start the payment of an order or a shipping group."""
    STAMPS = "stamps"
    """Send stamp artwork, approve the factory's proof or ask for changes."""
    MANAGE_USERS = "manage_users"
    MANAGE_TOKENS = "manage_tokens"


_EVERYTHING = frozenset(Action)

PERMISSIONS: Final[Mapping[Role, frozenset[Action]]] = MappingProxyType(
    {
        Role.OWNER: _EVERYTHING,
        # Everything but changing an owner (a rule of user management, not of routes).
        Role.ADMIN: _EVERYTHING,
        Role.DESIGNER: frozenset({Action.READ, Action.DESIGN, Action.ESTIMATE}),
        Role.FINANCE: frozenset({Action.READ, Action.PAY, Action.CANCEL_PAID_ORDER}),
        Role.VIEWER: frozenset({Action.READ}),
    }
)

ROUTE_ACTIONS: Final[Mapping[str, Action]] = MappingProxyType(
    {
        "getCatalog": Action.READ,
        "listDesigns": Action.READ,
        "getDesign": Action.READ,
        "getDesignPreview": Action.READ,
        "shareDesign": Action.DESIGN,
        "listDesignShares": Action.READ,
        "revokeDesignShare": Action.DESIGN,
        "getGalleryPreview": Action.READ,
        "browseGallery": Action.READ,
        "createDesign": Action.DESIGN,
        "updateDesign": Action.DESIGN,
        "archiveDesign": Action.DESIGN,
        "publishDesign": Action.DESIGN,
        "unpublishDesign": Action.DESIGN,
        "cloneGalleryDesign": Action.DESIGN,
        "previewDesign": Action.ESTIMATE,
        "estimateOrder": Action.ESTIMATE,
        "listOrders": Action.READ,
        "getOrder": Action.READ,
        "getOrderHistory": Action.READ,
        "getOrderPayment": Action.READ,
        "listInvoices": Action.READ,
        "getInvoice": Action.READ,
        "getInvoicePdf": Action.READ,
        "getOrderShipment": Action.READ,
        "checkOut": Action.CHECK_OUT,
        "cloneOrder": Action.CHECK_OUT,
        "editOrder": Action.EDIT_ORDER,
        # Who may cancel at all; a pending order needs CANCEL_ORDER too (the route asks).
        "cancelOrder": Action.CANCEL_PAID_ORDER,
        "startOrderPayment": Action.PAY,
        "listShippingGroups": Action.READ,
        "getShippingGroup": Action.READ,
        "getShippingGroupPayment": Action.READ,
        "getShippingGroupShipment": Action.READ,
        "previewShippingGroup": Action.GROUP_SHIPPING,
        "groupShipping": Action.GROUP_SHIPPING,
        "dissolveShippingGroup": Action.GROUP_SHIPPING,
        "startShippingGroupPayment": Action.PAY,
        "listStamps": Action.READ,
        "getStamp": Action.READ,
        "getStampArtwork": Action.READ,
        "getStampProof": Action.READ,
        "getStampThumbnail": Action.READ,
        "uploadStamp": Action.STAMPS,
        "replaceArtwork": Action.STAMPS,
        "approveStamp": Action.STAMPS,
        "requestStampChanges": Action.STAMPS,
        "createApiToken": Action.MANAGE_TOKENS,
        "listApiTokens": Action.MANAGE_TOKENS,
        "revokeApiToken": Action.MANAGE_TOKENS,
        "listUsers": Action.MANAGE_USERS,
        "inviteUser": Action.MANAGE_USERS,
        "changeUser": Action.MANAGE_USERS,
        "deactivateUser": Action.MANAGE_USERS,
    }
)

UNGUARDED_OPERATIONS: Final = frozenset(
    {
        "stripeWebhook",
        "signIn",
        "getSession",
        "signOut",
        "signInOperator",
        "requestPasswordReset",
        "setPassword",
        "getSharedDesign",
    }
)
"""Routes no role check applies to: Stripe's webhook (verified by its signature), signing
in and setting a password from an emailed link (before there is a caller; the link's
secret is the proof), a caller's own session (whoever they are), and a shared design's
page (its link's secret is the proof)."""


def allowed(role: Role, action: Action) -> bool:
    """Whether ``role`` may take ``action``."""
    return action in PERMISSIONS[role]


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: a brand, in a role, for a named actor."""

    account_id: str
    role: Role
    actor: str
    """Recorded with the changes the request makes, e.g. ``token:acc_…``."""

    @classmethod
    def brand_token(cls, account_id: str) -> Principal:
        """The brand's own token (`bespoke accounts create`): its owner."""
        return cls(account_id, Role.OWNER, f"token:{account_id}")

    def require(self, operation_id: str) -> None:
        """Refuse (``Forbidden``) a route this principal's role may not call; a route with
        no rule is refused too, so a forgotten rule fails closed."""
        action = ROUTE_ACTIONS.get(operation_id)
        if action is None:
            raise Forbidden(f"`{operation_id}` has no permission rule; nobody may call it")
        if not allowed(self.role, action):
            raise Forbidden(
                f"your role `{self.role.value}` may not {action.value.replace('_', ' ')}; "
                f"ask an owner or admin of your brand"
            )

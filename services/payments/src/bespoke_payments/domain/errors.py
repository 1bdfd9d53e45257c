"""What can go wrong with invoices and payments."""

from __future__ import annotations


class PaymentsError(Exception):
    code = "payments-error"


class InvoiceNotFound(PaymentsError):
    code = "invoice-not-found"


class InvoiceNotPayable(PaymentsError):
    """The invoice is paid, void or superseded: nothing to pay."""

    code = "invoice-not-payable"


class InvalidWebhook(PaymentsError):
    """The webhook's signature, timestamp or body is not Stripe's."""

    code = "invalid-webhook"


class PaymentProviderUnavailable(PaymentsError):
    code = "payment-provider-unavailable"

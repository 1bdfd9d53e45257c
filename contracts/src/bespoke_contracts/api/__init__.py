"""Shapes of the public HTTP API (docs/api.md), shared by the gateway and the service behind it.

The gateway publishes them in its OpenAPI document; the owning service validates with the
same models, so the two never disagree.
"""

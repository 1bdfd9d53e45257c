"""Shapes of the public HTTP API (API.md), shared by the gateway and the service behind it.

The gateway publishes them in its OpenAPI document; the owning service validates with the
same models, so the two never disagree.
"""

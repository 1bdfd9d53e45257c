"""MongoDB client settings shared by every service (FerretDB locally, MongoDB in production)."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

Document = dict[str, Any]


def connect(url: str) -> AsyncMongoClient[Document]:
    """A client that returns timezone-aware (UTC) datetimes and fails fast when unreachable."""
    return AsyncMongoClient(
        url, tz_aware=True, connectTimeoutMS=5000, serverSelectionTimeoutMS=5000
    )

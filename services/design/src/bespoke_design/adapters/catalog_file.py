"""The catalog and gallery data files shipped inside the service."""

from __future__ import annotations

import json
from importlib import resources

from bespoke_contracts.api.design import DesignRequest
from bespoke_design.domain.catalog import Catalog


def load_catalog(name: str = "catalog.json") -> Catalog:
    """Parse and cross-check the catalog data file (a broken file stops the service)."""
    text = resources.files("bespoke_design.data").joinpath(name).read_text()
    return Catalog.model_validate_json(text)


def load_gallery_seeds(name: str = "gallery.json") -> list[tuple[str, DesignRequest]]:
    """The factory's own Get Inspired designs: (design id, design)."""
    raw = json.loads(resources.files("bespoke_design.data").joinpath(name).read_text())
    return [(item["id"], DesignRequest.model_validate(item["design"])) for item in raw["designs"]]

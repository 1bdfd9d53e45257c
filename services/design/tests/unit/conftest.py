from __future__ import annotations

from typing import Any

import pytest

from bespoke_contracts.api.design import DesignRequest, DesignSpec
from bespoke_design.adapters.catalog_file import load_catalog
from bespoke_design.domain.catalog import Catalog

from .fakes import Fakes


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def oxford(**changes: Any) -> dict[str, Any]:
    """A buildable design as a request body; ``changes`` override fields."""
    body: dict[str, Any] = {
        "name": "Office oxford",
        "style": "oxford",
        "construction": "goodyear_welted",
        "last": "LC-101",
        "sole_unit": "leather_single",
        "materials": {
            "upper": {"material": "box_calf", "colour": "black"},
            "lining": {"material": "nappa_lining", "colour": "natural"},
        },
        "elements": [{"element": "laces", "option": "waxed_cotton_black"}],
    }
    body.update(changes)
    return body


def spec(**changes: Any) -> DesignSpec:
    body = oxford(**changes)
    body.pop("name")
    return DesignSpec.model_validate(body)


def request(**changes: Any) -> DesignRequest:
    return DesignRequest.model_validate(oxford(**changes))


@pytest.fixture
def fakes(catalog: Catalog) -> Fakes:
    return Fakes(catalog)


@pytest.fixture
def make_spec() -> Any:
    """``make_spec(**changes)``: a buildable oxford's specification, changed."""
    return spec


@pytest.fixture
def make_request() -> Any:
    """``make_request(**changes)``: a buildable oxford as a create/update body, changed."""
    return request

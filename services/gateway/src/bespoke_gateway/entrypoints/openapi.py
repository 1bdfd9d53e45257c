"""Writes the public API's OpenAPI document, generated from the app (never edited by hand).

``uv run python -m bespoke_gateway.entrypoints.openapi services/gateway/openapi.json``;
a test fails when the committed file drifts from the code.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bespoke_gateway.entrypoints.http import create_app


def render() -> str:
    app = create_app()
    return json.dumps(app.openapi_schema.to_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "target", nargs="?", type=Path, default=Path("services/gateway/openapi.json")
    )
    target = parser.parse_args().target
    target.write_text(render())
    print(target)

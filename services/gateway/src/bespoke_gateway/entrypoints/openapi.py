"""Writes the public API's OpenAPI document, generated from the app (never edited by hand).

``uv run python -m bespoke_gateway.entrypoints.openapi services/gateway/openapi.json``;
a test fails when the committed file drifts from the code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bespoke_gateway.entrypoints.http import create_app


def render() -> str:
    app = create_app()
    return json.dumps(app.openapi_schema.to_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "services/gateway/openapi.json")
    target.write_text(render())
    print(target)

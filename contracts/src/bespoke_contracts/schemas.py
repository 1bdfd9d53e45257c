"""JSON Schema export of every event, for consumers we did not write.

Run ``uv run python -m bespoke_contracts.schemas contracts/schemas`` to regenerate the
committed files; a test fails when they drift from the models.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bespoke_contracts.topics import EVENT_TYPES


def render() -> dict[str, str]:
    """File name to JSON Schema text, one file per event type and schema version."""
    files: dict[str, str] = {}
    for topic, event in EVENT_TYPES.items():
        version = event.model_fields["schema_version"].default
        schema = event.json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"urn:bespoke:event:{topic}:v{version}"
        schema["x-kafka-topic"] = topic
        files[f"{topic}.v{version}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return files


def export(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render().items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", type=Path, default=Path("contracts/schemas"))
    target = parser.parse_args().target
    for path in export(target):
        print(path)

"""Counters read from the services' own metrics (``GET /metrics`` on each service's
metrics port, Prometheus text)."""

from __future__ import annotations

from collections import Counter

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bespoke.stack.components import SERVICE_NAMES
from bespoke.stack.config import StackConfig


def commands_by_name(text: str) -> Counter[str]:
    """Database commands sent so far, by command name (every database and outcome)."""
    counts: Counter[str] = Counter()
    for family in text_string_to_metric_families(text):
        if family.name != "bespoke_mongo_command_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_count"):
                counts[sample.labels["command"]] += int(sample.value)
    return counts


async def database_commands(config: StackConfig) -> dict[str, Counter[str]]:
    """Each service's database commands so far, by command name."""
    found = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for name in SERVICE_NAMES:
            response = await client.get(config.metrics_url(name))
            response.raise_for_status()
            found[name] = commands_by_name(response.text)
    return found


def per_operation(
    before: dict[str, Counter[str]], after: dict[str, Counter[str]], operations: int
) -> dict[str, dict[str, float]]:
    """Commands per operation between two readings, by service then command name; each
    service's ``total`` first. Services that sent none are left out."""
    result = {}
    ops = max(operations, 1)
    for name, counts in after.items():
        sent = counts - before.get(name, Counter())
        if not sent:
            continue
        result[name] = {"total": round(sum(sent.values()) / ops, 1)} | {
            command: round(n / ops, 1) for command, n in sent.most_common()
        }
    return result

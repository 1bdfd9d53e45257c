"""The benchmarks' arithmetic: a profile's self time goes to the innermost frame, inclusive
time to every package on the stack once per sample; database round trips per operation;
when a pipeline's rate meets the target; a failed connection counted, not raised."""

from __future__ import annotations

import asyncio
import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any


def _bench(module: str) -> ModuleType:
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module(f"bench.{module}")


def _profile() -> ModuleType:
    return _bench("profile")


def _metrics() -> ModuleType:
    return _bench("metrics")


COLLAPSED = "\n".join(
    [
        'process 7:"python -m bespoke_orders";'
        "run (uvicorn/main.py:1);find (pymongo/cursor.py:5);decode (bson/__init__.py:9) 6",
        "run (uvicorn/main.py:1);check_out (bespoke_orders/handlers.py:7);"
        "validate (pydantic/main.py:3) 3",
        "run (uvicorn/main.py:1);wait (uvicorn/main.py:2) 1",
        'process 8:"python -m bespoke_orders" 5',
        "not a sample line",
    ]
)


def test_self_time_is_the_innermost_frame() -> None:
    summary = _profile().summarize(COLLAPSED)

    assert summary["samples"] == 10
    assert summary["self_percent_by_package"] == {"bson": 60.0, "pydantic": 30.0, "uvicorn": 10.0}
    assert summary["self_percent_by_function"]["decode (bson/__init__.py)"] == 60.0


def test_inclusive_time_counts_a_package_once_per_sample() -> None:
    summary = _profile().summarize(COLLAPSED)

    inclusive = summary["inclusive_percent_by_package"]
    assert inclusive["uvicorn"] == 100.0  # on every stack, twice on the last one
    assert inclusive["pymongo"] == 60.0
    assert inclusive["bespoke_orders"] == 30.0
    assert not any(name.startswith("process ") for name in inclusive)  # py-spy's root frame


def test_no_samples_is_said_not_divided_by() -> None:
    assert _profile().summarize("") == {"samples": 0}


METRICS = """# HELP bespoke_mongo_command_seconds Database commands sent.
# TYPE bespoke_mongo_command_seconds histogram
bespoke_mongo_command_seconds_bucket{command="find",database="d",le="+Inf",outcome="ok"} 7.0
bespoke_mongo_command_seconds_count{command="find",database="d",outcome="ok"} 7.0
bespoke_mongo_command_seconds_sum{command="find",database="d",outcome="ok"} 0.01
bespoke_mongo_command_seconds_count{command="find",database="e",outcome="error"} 1.0
bespoke_mongo_command_seconds_count{command="insert",database="d",outcome="ok"} 2.0
# HELP bespoke_outbox_published_total Events published.
# TYPE bespoke_outbox_published_total counter
bespoke_outbox_published_total{collection="orders"} 9.0
"""


def test_database_commands_per_operation_from_the_services_metrics() -> None:
    metrics = _metrics()
    before = {"orders": metrics.commands_by_name(METRICS)}
    after = {
        "orders": metrics.commands_by_name(METRICS.replace(" 7.0", " 27.0")),
        "design": metrics.commands_by_name(METRICS),
    }
    assert before["orders"] == {"find": 8, "insert": 2}

    result = metrics.per_operation({**before, "design": after["design"]}, after, operations=10)

    assert result == {"orders": {"total": 2.0, "find": 2.0}}  # design sent none meanwhile


def test_a_pipeline_rate_meets_the_target_only_with_both_p99s_within_it() -> None:
    meets_target = _bench("run").meets_target

    def result(submitted: float | None, paid: float | None) -> dict[str, Any]:
        def p99(value: float | None) -> dict[str, float]:
            return {} if value is None else {"p99_ms": value}

        return {
            "targets": {"p99_ms_at_most": 150},
            "checkout_to_order_submitted": {"commit_to_consumed": p99(submitted)},
            "webhook_to_work_in_process": {"webhook_to_work_in_process_committed": p99(paid)},
        }

    assert meets_target(result(40, 150))
    assert not meets_target(result(40, 151))
    assert not meets_target(result(151, 40))
    assert not meets_target(result(40, None)), "no sample is no evidence"


async def test_a_dropped_connection_is_an_error_counted_not_the_end_of_the_run() -> None:
    """A server that reads each request and hangs up without an answer."""
    checkout = _bench("checkout")

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, checkout.load_client(f"http://127.0.0.1:{port}", {}, 2) as c:
        assert await checkout.post_order(c, {}) is None
        load = await checkout.saturate(c, {}, 0.05, 2)
    assert (load["ok"], load["errors"] > 0) == (0, True)


def test_a_paced_phase_runs_long_enough_for_its_p99() -> None:
    reporting = _bench("reporting")
    assert reporting.paced_seconds(12, 5) == 25, "300 latencies at 12 a second"
    assert reporting.paced_seconds(900, 5) == 5, "the phase's own length gathers more"
    assert reporting.percentile([float(n) for n in range(300)], 99) == 296

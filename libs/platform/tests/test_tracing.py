"""One trace from an HTTP request, through calls to other services and the outbox, to
every consumer of the events it caused."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pymongo import AsyncMongoClient

from bespoke_contracts import examples
from bespoke_platform import observability, tracing
from bespoke_platform.app import service_app
from bespoke_platform.credentials import CredentialVerifier
from bespoke_platform.messaging import consume
from bespoke_platform.outbox import outbox_entries

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


def hex_ids(span: ReadableSpan) -> tuple[str, str | None]:
    parent = span.parent
    return (
        format(span.context.trace_id, "032x"),
        format(parent.span_id, "016x") if parent is not None else None,
    )


def ids(traceparent: str) -> tuple[str, str]:
    """Trace id and parent span id of a ``traceparent`` header (the flags vary)."""
    _, trace_id, span_id, _ = traceparent.split("-")
    return trace_id, span_id


def only(spans: InMemorySpanExporter, kind: SpanKind) -> ReadableSpan:
    [span] = [s for s in spans.get_finished_spans() if s.kind == kind]
    return span


async def test_a_request_continues_the_caller_s_trace(spans: InMemorySpanExporter) -> None:
    @get("/orders/{number:str}")
    async def order(number: FromPath[str]) -> dict[str, str]:
        return {"number": number, "traceparent": tracing.current_carrier()["traceparent"]}

    app = service_app(
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", connect=False), route_handlers=[order]
    )
    async with AsyncTestClient(app) as client:
        answer = await client.get("/orders/BF-000001", headers={"traceparent": TRACEPARENT})
        await client.get("/health/live")

    server = only(spans, SpanKind.SERVER)  # probes make no spans
    assert hex_ids(server) == (TRACE_ID, PARENT_ID)
    assert server.name == "GET /orders/{number}"
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200
    # the handler ran inside the server span
    assert answer.json()["traceparent"] == f"00-{TRACE_ID}-{server.context.span_id:016x}-01"


async def test_a_failing_request_s_span_is_an_error(spans: InMemorySpanExporter) -> None:
    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("no")

    app = service_app(
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", connect=False), route_handlers=[boom]
    )
    async with AsyncTestClient(app) as client:
        assert (await client.get("/boom")).status_code == 500
    server = only(spans, SpanKind.SERVER)
    assert server.status.status_code == trace.StatusCode.ERROR


def orders_app(**options: Any) -> Litestar:
    """A service that answers ``GET /orders``, made with ``options``."""

    @get("/orders")
    async def orders() -> list[str]:
        return []

    return service_app(
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", connect=False),
        route_handlers=[orders],
        **options,
    )


async def test_a_request_refused_before_its_handler_has_one_span_with_its_answer(
    spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    """A refusal raised in a middleware (here the credential check's 401) is answered by
    the app's outermost exception handler, after the request's span block: the span
    still carries the answer's status, records no exception (a refusal is an answer, not
    a failure: no traceback formatted for each of a flood of bad credentials) and nothing
    is written to an ended span (each write logged a warning)."""

    app = orders_app(credentials=CredentialVerifier("orders", {}))
    with caplog.at_level(logging.WARNING, logger="opentelemetry"):
        async with AsyncTestClient(app) as client:
            assert (await client.get("/orders")).status_code == 401

    server = only(spans, SpanKind.SERVER)
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 401
    assert server.status.status_code != trace.StatusCode.ERROR
    assert server.events == ()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("opentelemetry")] == []


async def test_a_failure_past_the_span_is_recorded_on_it(spans: InMemorySpanExporter) -> None:
    """An unexpected error raised in a middleware is answered 500 after the span block:
    the span is an error with the exception recorded."""

    class Broken:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            raise RuntimeError("no")

    app = orders_app(middleware=[Broken])
    async with AsyncTestClient(app) as client:
        assert (await client.get("/orders")).status_code == 500

    server = only(spans, SpanKind.SERVER)
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 500
    assert server.status.status_code == trace.StatusCode.ERROR
    assert [event.name for event in server.events] == ["exception"]


async def test_calls_to_other_services_carry_the_trace(spans: InMemorySpanExporter) -> None:
    seen: list[str] = []

    def other_service(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("traceparent", ""))
        return httpx.Response(200, json={})

    client = httpx.AsyncClient(
        base_url="http://shipping:8104",
        transport=tracing.TracedTransport(httpx.MockTransport(other_service)),
    )
    with trace.get_tracer("test").start_as_current_span("checkout"):
        await client.post("/internal/quotes", json={})
    await client.aclose()

    call = only(spans, SpanKind.CLIENT)
    [parent] = [s for s in spans.get_finished_spans() if s.name == "checkout"]
    assert call.parent is not None
    assert call.parent.span_id == parent.context.span_id
    assert [ids(header) for header in seen] == [
        (f"{call.context.trace_id:032x}", f"{call.context.span_id:016x}")
    ]


def test_events_keep_the_trace_of_the_change_that_caused_them(
    spans: InMemorySpanExporter,
) -> None:
    with trace.get_tracer("test").start_as_current_span("checkout") as span:
        [entry] = outbox_entries([examples.order_submitted()], 0)
    context = span.get_span_context()
    assert ids(entry["trace"]["traceparent"]) == (
        f"{context.trace_id:032x}",
        f"{context.span_id:016x}",
    )
    # outside any span there is nothing to keep
    assert outbox_entries([examples.order_submitted()], 0)[0]["trace"] == {}


def test_publishing_an_entry_is_a_producer_span_child_of_the_stored_context(
    spans: InMemorySpanExporter,
) -> None:
    with tracing.producer_span("order.submitted", {"traceparent": TRACEPARENT}, {}) as headers:
        pass
    producer = only(spans, SpanKind.PRODUCER)
    assert hex_ids(producer) == (TRACE_ID, PARENT_ID)
    assert headers == {"traceparent": f"00-{TRACE_ID}-{producer.context.span_id:016x}-01"}


@dataclass
class Record:
    headers: Sequence[tuple[str, bytes]]
    topic: str = "order.submitted"
    partition: int = 3
    offset: int = 41
    key: bytes | None = b"BF-000001"
    value: bytes | None = examples.order_submitted().to_json()


class Parked:
    async def publish(self, *args: Any) -> None:
        return None


async def test_consumers_handle_an_event_in_its_trace_and_log_the_ids(
    spans: InMemorySpanExporter, capsys: pytest.CaptureFixture[str]
) -> None:
    observability.configure_logging("orders")
    inside: list[str] = []

    async def handle(_: Any) -> None:
        inside.append(tracing.current_carrier()["traceparent"])
        logging.getLogger("test").info("handled")

    record = Record(headers=[("traceparent", TRACEPARENT.encode()), ("event_id", b"x")])
    await consume(record, examples.order_submitted().from_json, handle, Parked())

    consumer = only(spans, SpanKind.CONSUMER)
    assert hex_ids(consumer) == (TRACE_ID, PARENT_ID)
    assert consumer.name == "process order.submitted"
    assert inside == [f"00-{TRACE_ID}-{consumer.context.span_id:016x}-01"]
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["trace_id"] == TRACE_ID
    assert line["span_id"] == f"{consumer.context.span_id:016x}"


async def test_a_dead_lettered_event_s_span_is_an_error(spans: InMemorySpanExporter) -> None:
    async def fail(_: Any) -> None:
        raise RuntimeError("down")

    await consume(Record(headers=[]), examples.order_submitted().from_json, fail, Parked(), 1)
    consumer = only(spans, SpanKind.CONSUMER)
    assert consumer.parent is None  # no trace came with it: a new one starts
    assert consumer.status.status_code == trace.StatusCode.ERROR


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def collector() -> Iterator[str]:
    """A stand-in OTLP/HTTP collector on loopback that records what it receives."""
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_spans_are_exported_over_otlp_when_an_endpoint_is_set(
    collector: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector)
    provider = tracing.tracer_provider("orders")
    with provider.get_tracer("test").start_as_current_span("checkout"):
        pass
    assert provider.force_flush(5_000)
    provider.shutdown()

    [(path, content_type, body)] = _Collector.received
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    request = ExportTraceServiceRequest.FromString(body)
    [resource_spans] = request.resource_spans
    attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert attributes["service.name"] == "bespoke-orders"
    assert [s.name for s in resource_spans.scope_spans[0].spans] == ["checkout"]


def test_without_an_endpoint_nothing_is_exported(
    collector: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in tracing.EXPORT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    provider = tracing.tracer_provider("orders")
    with provider.get_tracer("test").start_as_current_span("checkout"):
        pass
    provider.force_flush(1_000)
    provider.shutdown()
    assert _Collector.received == []

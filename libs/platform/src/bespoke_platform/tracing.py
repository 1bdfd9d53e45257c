"""Traces across HTTP and Kafka: OpenTelemetry with W3C trace context (``traceparent``).

- Every HTTP request a service answers is a SERVER span, the child of the caller's
  ``traceparent`` if it sent one (:func:`server_span`, run by the platform's middleware).
- Every call to another service is a CLIENT span whose context travels in the request's
  ``traceparent`` (:func:`service_client`).
- Events cross Kafka later than the change that caused them (the outbox), so the change's
  trace context is stored with each outbox entry (:func:`current_carrier`); the relay
  publishes the entry in a PRODUCER span, child of that stored context, and sends the
  span's context in the message's ``traceparent`` header (:func:`producer_span`);
  consumers handle the message in a CONSUMER span, its child (:func:`consumer_span`). So
  one trace runs from a checkout's request to every service that reacted to it.
- Export: OTLP over HTTP (protobuf) when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set (the standard OpenTelemetry variables,
  headers, timeouts and ``OTEL_TRACES_SAMPLER`` included); otherwise spans are still made,
  so ids propagate and logs carry ``trace_id``, but nothing is sent anywhere.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

_tracer = trace.get_tracer("bespoke")
EXPORT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


def configure_tracing(service: str, processors: Sequence[SpanProcessor] = ()) -> TracerProvider:
    """Make this process's spans with :func:`tracer_provider`. Call once per process."""
    provider = tracer_provider(service, processors)
    trace.set_tracer_provider(provider)
    return provider


def tracer_provider(service: str, processors: Sequence[SpanProcessor] = ()) -> TracerProvider:
    """Spans of service ``bespoke-<service>`` (unless ``OTEL_SERVICE_NAME`` says otherwise),
    exported over OTLP if an endpoint is set; ``processors`` add others (tests keep spans
    in memory)."""
    name = os.environ.get("OTEL_SERVICE_NAME") or f"bespoke-{service}"
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    if any(os.environ.get(variable) for variable in EXPORT_VARIABLES):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    for processor in processors:
        provider.add_span_processor(processor)
    return provider


def current_carrier() -> dict[str, str]:
    """The current trace context as headers (``traceparent``, maybe ``tracestate``);
    empty outside a span."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def log_ids(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: ``trace_id`` and ``span_id`` of the current span, if any."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
        event.setdefault("span_id", format(context.span_id, "016x"))
    return event


@contextmanager
def server_span(method: str, headers: Mapping[str, str], path: str) -> Iterator[Span]:
    """A SERVER span for one HTTP request, current within the block (renamed to
    ``METHOD /route/{param}`` once the route is known).

    Its answer ends it (:func:`finish_server_span`, as the response starts), not the
    block: an error raised out of the block is answered after it, by the application's
    outermost exception handler, and that answer's status belongs on the span. So an
    error leaves the span open for its answer; the caller records it if it is a failure
    (:func:`record_failure`). A block that ends with no answer begun ends the span."""
    span = _tracer.start_span(
        method,
        context=propagate.extract(headers),
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "url.path": path},
    )
    with trace.use_span(
        span, end_on_exit=False, record_exception=False, set_status_on_exception=False
    ):
        try:
            yield span
        except Exception:
            raise  # answered after the block: the answer ends the span
        except BaseException:
            _end(span)  # cancelled: nothing will answer
            raise
    _end(span)  # a block with no answer (its answer has ended it already)


def _end(span: Span) -> None:
    if span.is_recording():
        span.end()


def record_failure(span: Span, error: BaseException) -> None:
    """``error`` on the request's span, unless its answer has ended the span already."""
    if span.is_recording():
        span.record_exception(error)


def finish_server_span(span: Span, method: str, route: str | None, status: int) -> None:
    """The answer's route and status on the request's span, which it ends."""
    if not span.is_recording():
        return
    if route:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
    span.end()


@contextmanager
def producer_span(
    topic: str, stored: Mapping[str, str], attributes: Mapping[str, Any]
) -> Iterator[dict[str, str]]:
    """A PRODUCER span for publishing an outbox entry, child of the context ``stored``
    with the entry; yields the headers that carry the span's own context."""
    with _tracer.start_as_current_span(
        f"publish {topic}",
        context=propagate.extract(stored),
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": topic, **attributes},
    ):
        yield current_carrier()


@contextmanager
def consumer_span(
    topic: str, headers: Sequence[tuple[str, bytes]] | None, attributes: Mapping[str, Any]
) -> Iterator[Span]:
    """A CONSUMER span for handling one message, child of its ``traceparent`` if any."""
    carrier = {name: value.decode("latin-1") for name, value in headers or () if value is not None}
    with _tracer.start_as_current_span(
        f"process {topic}",
        context=propagate.extract(carrier),
        kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": topic, **attributes},
    ) as span:
        yield span


_ORPHANS: set[asyncio.Task[None]] = set()
"""Closings of answers whose caller was cancelled, kept until done."""


def _close_orphan(sending: asyncio.Task[httpx.Response]) -> None:
    """The answer of a request whose caller gave up: closed, so its connection returns to
    the pool."""
    if sending.cancelled() or sending.exception() is not None:
        return
    closing = asyncio.get_running_loop().create_task(sending.result().aclose())
    _ORPHANS.add(closing)
    closing.add_done_callback(_ORPHANS.discard)


class TracedTransport(httpx.AsyncBaseTransport):
    """Wraps a transport: each request is a CLIENT span and carries ``traceparent``.

    httpcore (1.0.9) leaks a connection slot for good when a request waiting for a
    connection of a full pool is cancelled or times out (encode/httpcore#1093, #550): a
    service whose callee slowed down under load ended with every slot leaked and every
    call refused with ``PoolTimeout`` until restarted (``make chaos`` found it). So the
    pool here never makes a request wait: its connections are not limited, and at most
    ``max_connections`` requests are sent at once, the rest waiting here (as long as the
    request's pool timeout) for one of them to be answered. A request runs in a task of
    its own that its caller's cancellation does not reach; it ends by itself within the
    client's timeouts, and an answer nobody waits for any more is closed.

    Every connection is kept open for the next request (up to ``max_connections``):
    httpcore closes an idle connection whenever its pool holds more connections than the
    keep-alive limit, so a lower limit made a caller busier than it connect again for
    nearly every request. An idle connection is closed after 4 s, before the callee's
    server (uvicorn: 5 s) closes it under a request.
    """

    def __init__(
        self, inner: httpx.AsyncBaseTransport | None = None, max_connections: int = 100
    ) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport(
            limits=httpx.Limits(
                max_connections=None,
                max_keepalive_connections=max_connections,
                keepalive_expiry=4.0,
            )
        )
        self._sending = asyncio.Semaphore(max_connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _tracer.start_as_current_span(
            f"{request.method} {request.url.host}",
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": request.method,
                "server.address": request.url.host,
                "url.path": request.url.path,
            },
        ) as span:
            for name, value in current_carrier().items():
                request.headers[name] = value
            timeouts = request.extensions.get("timeout", {})
            try:
                async with asyncio.timeout(timeouts.get("pool")):
                    await self._sending.acquire()
            except TimeoutError as error:
                raise httpx.PoolTimeout(
                    "too many requests under way to this service", request=request
                ) from error
            sending = asyncio.ensure_future(self._send(request))
            try:
                response = await asyncio.shield(sending)
            except asyncio.CancelledError:
                sending.add_done_callback(_close_orphan)
                raise
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response

    async def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        finally:
            self._sending.release()

    async def aclose(self) -> None:
        await self._inner.aclose()


def service_client(base_url: str, timeout: httpx.Timeout | float) -> httpx.AsyncClient:
    """An HTTP client for calling another service, traced."""
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=TracedTransport())

"""`bespoke`: the local stack, brand accounts and local payment simulation.

Progress goes to stderr; results are JSON on stdout, so scripts can parse them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from pymongo.errors import PyMongoError

from bespoke.stack.components import InstallFailed, MissingTool
from bespoke.stack.config import StackConfig
from bespoke.stack.lifecycle import Stack, StartFailed
from bespoke_contracts import ProductionStage, is_order_number
from bespoke_gateway.domain.operators import OperatorRole
from bespoke_gateway.domain.permissions import Role

app = typer.Typer(help="Bespoke backoffice tools.", no_args_is_help=True, add_completion=False)
stack_app = typer.Typer(
    help="The local stack: real servers as local processes.", no_args_is_help=True
)
accounts_app = typer.Typer(help="Brand accounts.", no_args_is_help=True)
payments_app = typer.Typer(help="Payments on local stacks.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")
app.add_typer(accounts_app, name="accounts")
users_app = typer.Typer(help="Brand users: people who sign in.", no_args_is_help=True)
app.add_typer(users_app, name="users")
operators_app = typer.Typer(help="The factory's operators.", no_args_is_help=True)
app.add_typer(operators_app, name="operators")
app.add_typer(payments_app, name="payments")
keys_app = typer.Typer(help="Keys the services sign their calls with.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
kafka_app = typer.Typer(help="The local Kafka's principals.", no_args_is_help=True)
app.add_typer(kafka_app, name="kafka")
kafka_credentials_app = typer.Typer(help="Credentials of a principal.", no_args_is_help=True)
kafka_app.add_typer(kafka_credentials_app, name="credentials")
floor_app = typer.Typer(help="The factory floor's stations.", no_args_is_help=True)
app.add_typer(floor_app, name="floor")
orders_app = typer.Typer(help="The orders service's data.", no_args_is_help=True)
app.add_typer(orders_app, name="orders")
browser_app = typer.Typer(help="The browser the web UI tests drive.", no_args_is_help=True)
app.add_typer(browser_app, name="browser")


@browser_app.command("install")
def browser_install() -> None:
    """Install Debian's Chromium and axe-core if missing (`make test` runs this); prints
    Chromium's path."""
    from bespoke.browser import BrowserUnavailable, install, install_axe
    from bespoke.stack.config import StackConfig

    try:
        path = install(lambda line: typer.echo(line, err=True))
        install_axe(StackConfig().stack_dir, lambda line: typer.echo(line, err=True))
    except BrowserUnavailable as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(path)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2))


def _fail(message: str, code: int = 1) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code)


def _quiet_client_logs() -> None:
    # Readiness probes expect refused connections; the clients would log each one.
    for name in ("aiokafka", "pymongo", "httpx"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


@stack_app.command("up")
def stack_up(
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Start just these components.")
    ] = None,
    infra_only: Annotated[
        bool, typer.Option("--infra-only", help="Kafka, FerretDB, stripe-mock and Mailpit only.")
    ] = False,
    started_file: Annotated[
        Path | None,
        typer.Option(help="Write the names of the components this call started (one per line)."),
    ] = None,
) -> None:
    """Install what is missing, start what is not running, and wait until each is ready."""
    _quiet_client_logs()
    stack = Stack(StackConfig())
    names = only
    if infra_only:
        names = [c.name for c in stack.components() if c.kind == "infrastructure"]
    started: list[str] = []
    try:
        started = asyncio.run(_up(stack, names, started))
    except (MissingTool, InstallFailed, StartFailed, ValueError) as error:
        raise _fail(str(error), 2 if isinstance(error, MissingTool) else 1) from None
    finally:
        if started_file is not None:
            started_file.parent.mkdir(parents=True, exist_ok=True)
            started_file.write_text("".join(f"{n}\n" for n in started))
    _print_json({"started": started, **stack.info()})


async def _up(stack: Stack, names: list[str] | None, started: list[str]) -> list[str]:
    # `started` is filled as we go, so a failure half-way still records what to stop.
    return await stack.up(_say, names, started)


@stack_app.command("down")
def stack_down(
    started_file: Annotated[
        Path | None,
        typer.Option(
            help="Stop only the components listed in this file (from `up --started-file`)."
        ),
    ] = None,
) -> None:
    """Stop the stack's processes; nothing is left running."""
    stack = Stack(StackConfig())
    names: list[str] | None = None
    if started_file is not None:
        names = started_file.read_text().split() if started_file.exists() else []
    stopped = stack.down(_say, names)
    if started_file is not None:
        started_file.unlink(missing_ok=True)
    _print_json({"stopped": stopped})


@stack_app.command("status")
def stack_status() -> None:
    """What runs, where, with which pid, and where its log is."""
    _quiet_client_logs()
    _print_json(asyncio.run(Stack(StackConfig()).status()))


@stack_app.command("info")
def stack_info() -> None:
    """Where everything of the local stack listens."""
    _print_json(Stack(StackConfig()).info())


@accounts_app.command("create")
def accounts_create(
    name: Annotated[str, typer.Option(help="The brand's name.")],
    email: Annotated[str, typer.Option(help="The brand admin's email.")],
) -> None:
    """Create a brand with an admin token; prints `account_id` and `token` (shown once)."""
    from bespoke import accounts

    _accounts_action(accounts.create_account(name=name, email=email))


def _accounts_action(work: Coroutine[Any, Any, Mapping[str, object]]) -> None:
    """Run one change to the services' data; print its result, or one line saying why not."""
    _quiet_client_logs()
    try:
        result = asyncio.run(work)
    except ValueError as error:
        raise _fail(str(error)) from None
    except PyMongoError as error:
        raise _fail(
            f"cannot reach MongoDB ({type(error).__name__}); start the stack with `make up`"
        ) from None
    _print_json(result)


@accounts_app.command("revoke")
def accounts_revoke(
    account_id: Annotated[str, typer.Argument(help="The brand, e.g. `acc_1a2b3c4d5e6f7a8b`.")],
) -> None:
    """Revoke the brand's token: it stops working within a second on every gateway (the
    brand's data stays)."""
    from bespoke import accounts

    _accounts_action(accounts.revoke_token(account_id))


@accounts_app.command("token")
def accounts_token(
    account_id: Annotated[str, typer.Argument(help="The brand, e.g. `acc_1a2b3c4d5e6f7a8b`.")],
) -> None:
    """Issue a new token for the brand (shown once); the previous one stops working."""
    from bespoke import accounts

    _accounts_action(accounts.issue_token(account_id))


@users_app.command("create")
def users_create(
    account: Annotated[str, typer.Option(help="The brand, e.g. `acc_1a2b3c4d5e6f7a8b`.")],
    email: Annotated[str, typer.Option(help="The person's email (unique, any case).")],
    role: Annotated[Role, typer.Option(help="What they may do in the brand.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    name: Annotated[str, typer.Option(help="Their name (default: from the email).")] = "",
) -> None:
    """Create a brand user who signs in with a password read from standard input (never
    an argument: arguments show in process lists). Prints `user_id`, `account_id`,
    `email`, `role`."""
    from bespoke import accounts

    password = _password_from_stdin(password_stdin)
    _accounts_action(accounts.create_user(account, email, role, password, name))


def _password_from_stdin(password_stdin: bool) -> str:
    if not password_stdin:
        raise _fail("give the password on standard input with --password-stdin")
    return sys.stdin.readline().rstrip("\r\n")


@operators_app.command("create")
def operators_create(
    email: Annotated[str, typer.Option(help="The operator's email (unique, any case).")],
    role: Annotated[OperatorRole, typer.Option(help="Their job at the factory.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    name: Annotated[str, typer.Option(help="Their name (default: from the email).")] = "",
) -> None:
    """Create a factory operator who signs in at /ops with a password read from standard
    input. Prints `operator_id`, `email`, `role` and `token` (an operator API token,
    shown once)."""
    from bespoke import accounts

    password = _password_from_stdin(password_stdin)
    _accounts_action(accounts.create_operator(email, role, password, name))


@kafka_credentials_app.command("downstream")
def kafka_credentials_downstream() -> None:
    """The principal of the factory's downstream systems on the local Kafka: reads every
    event topic, writes only `production.stage_reported`. Prints `bootstrap_servers`,
    `security_protocol`, `sasl_mechanism`, `username`, `password`, and for the same
    sign-in over TLS `tls_bootstrap_servers` (`SASL_SSL`) with `ssl_ca_file`, the stack's
    CA."""
    from bespoke.stack.config import StackConfig
    from bespoke.stack.kafka_security import login
    from bespoke.stack.kafka_tls import certificates
    from bespoke_contracts.topics import DOWNSTREAM

    config = StackConfig()
    found = login(config, DOWNSTREAM)
    _print_json(
        {
            "bootstrap_servers": config.kafka_bootstrap,
            "security_protocol": found.security_protocol,
            "sasl_mechanism": found.sasl_mechanism,
            "username": found.username,
            "password": found.password,
            "tls_bootstrap_servers": config.kafka_tls_bootstrap,
            "ssl_ca_file": str(certificates(config).ca_file),
        }
    )


@floor_app.command("scan")
def floor_scan(
    order_number: Annotated[str, typer.Argument(help="The order whose job ticket is scanned.")],
    stage: Annotated[ProductionStage, typer.Argument(help="Where its pairs are now.")],
    station: Annotated[
        str | None, typer.Option(help="The station that scans, e.g. `cutting-2`.")
    ] = None,
) -> None:
    """Scan an order at a stage, as a station on the floor does: publishes
    `production.stage_reported` to the local Kafka as the downstream principal. Orders
    applies it once; one it cannot apply goes to `production.stage_reported.dlq`. Prints
    the report's `event_id`, `order_number`, `stage`, `station`."""
    from aiokafka.errors import KafkaError

    from bespoke.floor import scan

    _quiet_client_logs()
    if not is_order_number(order_number):
        raise _fail(f"{order_number!r} is not an order number (e.g. BF-000042)", 2)
    try:
        report = asyncio.run(scan(StackConfig(), order_number, stage, station))
    except (KafkaError, OSError) as error:
        raise _fail(f"Kafka did not take the scan: {error} (is the stack up?)") from None
    _print_json(
        {
            "event_id": str(report.event_id),
            "order_number": order_number,
            "stage": stage.value,
            "station": station,
        }
    )


@keys_app.command("create")
def keys_create(
    service: Annotated[str, typer.Option(help="The service that signs with it, e.g. `gateway`.")],
    key_id: Annotated[str, typer.Option(help="Its id, new for each key, e.g. `gateway-2`.")],
) -> None:
    """A new Ed25519 key for a service's calls to others. Prints `key_id`,
    `private_key_pem` (the service's `SIGNING_KEY` secret) and `public_jwk` (add it to the
    `TRUSTED_KEYS` of every service that service calls, before it signs with it)."""
    from bespoke_platform.credentials import new_key, private_pem, public_jwk

    key = new_key()
    _print_json(
        {
            "service": service,
            "key_id": key_id,
            "private_key_pem": private_pem(key),
            "public_jwk": public_jwk(key_id, key),
        }
    )


@keys_app.command("compose-env")
def keys_compose_env() -> None:
    """New keys for every signing service and each service's trusted callers, and a new
    password for every Kafka principal, as the `.env` file docker compose reads:
    `uv run bespoke keys compose-env > .env`."""
    import json
    import secrets

    from bespoke.stack.kafka_security import PRINCIPALS
    from bespoke_platform.addresses import CALLERS, SIGNERS
    from bespoke_platform.credentials import new_key, private_pem, public_jwk

    keys = {signer: (f"{signer}-1", new_key()) for signer in SIGNERS}
    lines = {}
    for signer, (key_id, key) in keys.items():
        lines[f"BESPOKE_{signer.upper()}_SIGNING_KEY"] = private_pem(key)
        lines[f"BESPOKE_{signer.upper()}_SIGNING_KEY_ID"] = key_id
    for service, callers in CALLERS.items():
        trusted = {caller: [public_jwk(*keys[caller])] for caller in callers}
        lines[f"BESPOKE_{service.upper()}_TRUSTED_KEYS"] = json.dumps(trusted)
    for principal in PRINCIPALS:
        lines[f"KAFKA_PASSWORD_{principal.upper()}"] = secrets.token_urlsafe(24)
    for name, value in lines.items():
        quoted = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        print(f'{name}="{quoted}"')


@payments_app.command("simulate-success")
def payments_simulate_success(
    target: Annotated[str, typer.Argument(help="An order number (or a shipping group id).")],
) -> None:
    """Local stacks only: send the gateway a signed Stripe `payment_intent.succeeded` webhook
    for TARGET's open invoice, as Stripe would after a successful card payment."""
    from bespoke.payments import SimulationFailed, simulate_success

    _quiet_client_logs()
    try:
        result = asyncio.run(simulate_success(target))
    except (SimulationFailed, httpx.HTTPError) as error:
        raise _fail(str(error)) from None
    _print_json(result)


@orders_app.command("rebuild-pool")
def orders_rebuild_pool() -> None:
    """Write every order's summary (what the order pool and the board read) from the order
    itself and remove summaries whose order is gone; safe while the system runs. Prints
    how many orders, summaries written and removed."""
    from bespoke import pool

    _accounts_action(pool.rebuild())


@orders_app.command("check-pool")
def orders_check_pool() -> None:
    """Compare every order's summary with the order; prints how many differ (and the
    first 100 order numbers) and exits 1 if any does."""
    from bespoke import pool

    _quiet_client_logs()
    try:
        result = asyncio.run(pool.check())
    except PyMongoError as error:
        raise _fail(
            f"cannot reach MongoDB ({type(error).__name__}); start the stack with `make up`"
        ) from None
    _print_json(result)
    if result["differing"]:
        raise typer.Exit(1)


@app.command("demo")
def demo() -> None:
    """Create a demo brand and push one order through the running system."""
    from bespoke.demo import DemoFailed, run_demo

    _quiet_client_logs()
    config = StackConfig()
    try:
        result = asyncio.run(run_demo(config))
    except (DemoFailed, httpx.HTTPError, PyMongoError) as error:
        raise _fail(f"{error} (is the stack up? `uv run bespoke stack status`)") from None
    order = result["demo_order"]["order_number"]
    _say(
        "\n".join(
            [
                "",
                "Bespoke backoffice is up.",
                f"  API:          {result['backoffice_api']}   (docs: {result['api_docs']})",
                f"  Demo brand:   {result['brand']['name']} ({result['brand']['account_id']})",
                f"  Sign in:      {result['sign_in']['url']} as {result['sign_in']['email']}, "
                f"password {result['sign_in']['password']} (the brand's owner)",
                f"  Token:        {result['token']}   (for scripts: the brand's own token)",
                f"  Demo design:  {result['demo_design']['name']} ({result['demo_design']['id']})",
                f"  Demo order:   {order} - paid (simulated Stripe webhook), now "
                f"{result['demo_order']['status']} at {result['demo_order']['production_stage']} "
                f"(floor scans: {', '.join(result['demo_order']['floor_scans'])}), total "
                f"{result['demo_order']['currency']} {result['demo_order']['total'] / 100:.2f}",
                f"  Operators:    {result['operator_console']['url']} as "
                f"{result['operator_console']['email']}, password "
                f"{result['operator_console']['password']} (the factory's console: the "
                "production board, job tickets, shipping)",
                f"  Unpaid order: {result['pending_order']['order_number']} - pending_payment; "
                f"Pay page {result['pending_order']['pay_page']}",
                f"  Group:        {result['shipping_group']['id']} - "
                f"{' + '.join(result['shipping_group']['order_numbers'])} ship together, "
                f"saving {result['demo_order']['currency']} "
                f"{result['shipping_group']['saving'] / 100:.2f}; "
                f"Pay page {result['shipping_group']['pay_page']}",
                f"  Its email:    {result['email']['mailpit_api']}",
                f"  All emails:   {result['email']['all_emails']}",
                "  Try:          curl -H 'Authorization: Bearer <token>' "
                f"{result['backoffice_api']}/orders/{order}",
                f"  A floor scan: uv run bespoke floor scan {order} lasting --station lasting-1",
                "  Stop with:    make down",
                "",
            ]
        )
    )
    _print_json(result)


if __name__ == "__main__":
    app()

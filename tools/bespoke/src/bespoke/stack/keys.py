"""The local stack's keys between services: one Ed25519 key per service, made once in
``.stack/secrets/keys/`` (readable by this user only) and handed to each service's
process with the public keys of the callers it trusts (``CALLERS``). In a cluster the
same settings come from the deployment's secrets (docs/operations/kubernetes.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bespoke.stack.config import StackConfig
from bespoke.stack.secret_files import secrets_dir, write_private
from bespoke_platform.addresses import CALLERS, SIGNERS
from bespoke_platform.credentials import (
    OPERATORS,
    CredentialSigner,
    load_private_key,
    new_key,
    private_pem,
    public_jwk,
)


def key_of(config: StackConfig, service: str) -> tuple[str, Ed25519PrivateKey]:
    """``service``'s key and its id, made on first use."""
    path = secrets_dir(config, "keys") / f"{service}.pem"
    if not path.exists():
        write_private(path, private_pem(new_key()), replace=False)
    key = load_private_key(path.read_text())
    public = json.dumps(public_jwk("", key), sort_keys=True).encode()
    return f"{service}-{hashlib.sha256(public).hexdigest()[:12]}", key


def service_env(config: StackConfig, service: str) -> dict[str, str]:
    """The key settings of ``service``'s process: its own key, if it calls others, and
    the public keys of the callers it answers."""
    prefix = f"BESPOKE_{service.upper()}_"
    env: dict[str, str] = {}
    if service in SIGNERS:
        key_id, key = key_of(config, service)
        env[prefix + "SIGNING_KEY"] = private_pem(key)
        env[prefix + "SIGNING_KEY_ID"] = key_id
    trusted = {caller: [public_jwk(*key_of(config, caller))] for caller in CALLERS.get(service, ())}
    env[prefix + "TRUSTED_KEYS"] = json.dumps(trusted)
    return env


class CallsAsGateway(httpx.Auth):
    """Local tools calling a service's own port as the gateway would on someone's behalf:
    the factory's operators (simulating a payment, moving a shipment on), or with
    ``account_id`` a brand. Each request to ``audience`` gets a fresh credential signed
    with the local gateway's key, so this works only where that key is at hand: a local
    stack."""

    def __init__(
        self,
        config: StackConfig,
        audience: str,
        account_id: str | None = None,
        actor: str = "operator:local-tools",
    ) -> None:
        key_id, key = key_of(config, "gateway")
        self._signer = CredentialSigner("gateway", key_id, key)
        self._audience, self._account_id, self._actor = audience, account_id, actor

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._account_id is None:
            token = self._signer.mint(
                self._audience, realm=OPERATORS, actor=self._actor, role="admin"
            )
        else:
            token = self._signer.mint(
                self._audience, account_id=self._account_id, actor=self._actor, role="owner"
            )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

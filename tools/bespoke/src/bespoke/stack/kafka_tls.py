"""The local Kafka's TLS listener (`SASL_SSL`): a private CA made for this stack only and
the broker's certificate it signs, so clients that set ``KAFKA_SECURITY_PROTOCOL=SASL_SSL``
and ``KAFKA_CA_FILE`` are exercised against a real broker.

Both live in ``.stack/secrets/kafka-tls/`` (this user's only): ``ca.pem`` (the CA's
certificate, what clients trust) and ``broker.pem`` (the broker's key and certificate
chain, the PEM keystore Kafka reads). They are made once and made again when the host
changes or they come within a month of expiring.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bespoke.stack.config import StackConfig
from bespoke.stack.secret_files import secrets_dir, write_private

VALID_FOR = dt.timedelta(days=365)
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class KafkaTls:
    ca_file: Path
    """What clients trust: the CA's certificate (PEM)."""
    keystore: Path
    """The broker's private key and certificate chain (PEM), read by Kafka."""


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bespoke local stack"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _alt_names(host: str) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _current(tls: KafkaTls, host: str) -> bool:
    if not (tls.ca_file.exists() and tls.keystore.exists()):
        return False
    broker = x509.load_pem_x509_certificates(tls.keystore.read_bytes())[0]
    fresh = broker.not_valid_after_utc - dt.datetime.now(dt.UTC) > RENEW_BEFORE
    names = broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return fresh and names == _alt_names(host)


def certificates(config: StackConfig) -> KafkaTls:
    """The CA and the broker's certificate for ``config.host``, made if missing or due."""
    folder = secrets_dir(config, "kafka-tls")
    tls = KafkaTls(ca_file=folder / "ca.pem", keystore=folder / "broker.pem")
    if _current(tls, config.host):
        return tls
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Bespoke local Kafka CA"))
        .issuer_name(_name("Bespoke local Kafka CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    broker_key = ec.generate_private_key(ec.SECP256R1())
    broker = (
        x509.CertificateBuilder()
        .subject_name(_name("kafka"))
        .issuer_name(ca.subject)
        .public_key(broker_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(_alt_names(config.host), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key = broker_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = broker.public_bytes(pem) + ca.public_bytes(pem)
    write_private(tls.keystore, (key + chain).decode(), replace=True)
    write_private(tls.ca_file, ca.public_bytes(pem).decode(), replace=True)
    return tls

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bespoke_platform.kafka import KafkaLogin
from bespoke_platform.settings import KafkaServiceSettings


def private_ca(path: Path) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Kafka CA")])
    now = dt.datetime.now(dt.UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return str(path)


def test_a_tls_login_trusts_the_private_ca_it_is_given(tmp_path: Path) -> None:
    settings = KafkaServiceSettings(
        http_port=8102,
        mongodb_database="bespoke_test",
        kafka_security_protocol="SASL_SSL",
        kafka_username="orders",
        kafka_password="secret",
        kafka_ca_file=private_ca(tmp_path / "ca.pem"),
    )
    login = KafkaLogin.of(settings)
    context = login.aiokafka()["ssl_context"]
    trusted = [dict(part[0] for part in ca["subject"]) for ca in context.get_ca_certs()]
    assert trusted == [{"commonName": "Test Kafka CA"}]
    assert context.check_hostname
    security = login.faststream()
    assert security is not None
    assert security.use_ssl
    assert security.ssl_context is not None
    assert security.ssl_context.get_ca_certs() == context.get_ca_certs()


def test_a_plaintext_login_has_no_tls() -> None:
    login = KafkaLogin("orders", "secret")
    assert "ssl_context" not in login.aiokafka()
    assert login.ssl_context() is None

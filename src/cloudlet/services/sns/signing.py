"""Message signatures (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) over AWS's canonical string.

HTTP/S deliveries are really signed (when the ``cryptography`` package is installed) with a key kept in
SNS's blob dir; its self-signed certificate is served at SigningCertURL
(``/_cloudlet/sns/SimpleNotificationService-cloudlet.pem``), so an endpoint can verify what it gets.
SQS envelopes carry a signature-shaped value derived from a digest of the same string: RSA signing
costs milliseconds, which would dominate the cost of fan-out.
"""
from __future__ import annotations

import base64
import datetime
import hashlib

from cloudlet.http import Response
from cloudlet.services.sns.common import service

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "SequenceNumber", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
CERT_NAME = "SimpleNotificationService-cloudlet.pem"
CERT_PATH = f"/_cloudlet/sns/{CERT_NAME}"

_keys: dict = {}  # "key" and "cert" (PEM bytes), loaded or made when first needed


def string_to_sign(message: dict) -> bytes:
    fields = NOTIFICATION_FIELDS if message["Type"] == "Notification" else CONFIRMATION_FIELDS
    return "".join(f"{name}\n{message[name]}\n" for name in fields if name in message).encode()


def _signing_key():
    """The private key, made (with its self-signed certificate) on first use and kept on disk."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    if "key" in _keys:
        return _keys["key"]
    key_file, cert_file = service.blob_dir / "signing-key.pem", service.blob_dir / CERT_NAME
    if key_file.exists() and cert_file.exists():
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com (cloudlet)")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=3650)).sign(key, hashes.SHA256()))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _keys["key"] = key
    return key


def sign(message: dict, version: str, real: bool) -> str:
    data = string_to_sign(message)
    if real:
        try:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding
        except ImportError:
            real = False
        else:
            algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
            return base64.b64encode(_signing_key().sign(data, padding.PKCS1v15(), algorithm)).decode()
    digest = hashlib.sha256(data).digest()
    return base64.b64encode(digest * 8).decode()  # 256 bytes, like an RSA-2048 signature


def add_signature(message: dict, version: str, base_url: str, real: bool) -> None:
    """Adds SignatureVersion, Signature and SigningCertURL to a message dict (in AWS's key order)."""
    message["SignatureVersion"] = version
    message["Signature"] = sign(message, version, real)
    message["SigningCertURL"] = base_url + CERT_PATH


async def serve_certificate(request, path: str):
    if path != CERT_NAME or request.method not in ("GET", "HEAD"):
        return None
    try:
        _signing_key()
    except ImportError:
        return None
    body = (service.blob_dir / CERT_NAME).read_bytes()
    return Response(200, [("Content-Type", "application/x-x509-ca-cert")], body)


service.internal_hook = serve_certificate


@service.on_reset
def _forget_key(svc) -> None:
    _keys.clear()

"""Message signatures (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) over AWS's canonical string.

HTTP/S deliveries are really signed with an RSA key generated when first needed (when the
``cryptography`` package is installed). SQS envelopes, read by code that cannot fetch a certificate
from AWS anyway, carry a signature-shaped value derived from a digest of the same string: RSA signing
costs milliseconds, which would dominate the cost of fan-out.
"""
from __future__ import annotations

import base64
import hashlib

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "SequenceNumber", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
CERT_PATH = "/_cloudlet/sns/SimpleNotificationService-cloudlet.pem"

_key = None


def string_to_sign(message: dict) -> bytes:
    fields = NOTIFICATION_FIELDS if message["Type"] == "Notification" else CONFIRMATION_FIELDS
    return "".join(f"{name}\n{message[name]}\n" for name in fields if name in message).encode()


def _private_key():
    global _key
    if _key is None:
        from cryptography.hazmat.primitives.asymmetric import rsa
        _key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _key


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
            return base64.b64encode(_private_key().sign(data, padding.PKCS1v15(), algorithm)).decode()
    digest = hashlib.sha256(data).digest()
    return base64.b64encode(digest * 8).decode()  # 256 bytes, like an RSA-2048 signature


def add_signature(message: dict, version: str, base_url: str, real: bool) -> None:
    """Adds SignatureVersion, Signature and SigningCertURL to a message dict (in AWS's key order)."""
    message["SignatureVersion"] = version
    message["Signature"] = sign(message, version, real)
    message["SigningCertURL"] = base_url + CERT_PATH

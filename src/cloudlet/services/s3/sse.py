"""Server-side encryption as S3 reports it: SSE-S3, SSE-KMS (key ARNs; the seam for a KMS service)
and SSE-C, whose bytes are really encrypted at rest with the customer's key (never stored)."""
from __future__ import annotations

import base64
import hashlib
import uuid

from cloudlet.services.s3.common import get_config
from cloudlet.services.s3.errors import AccessDenied, InvalidArgument, InvalidRequest

DEFAULT_RULE = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}


def kms_key_arn(ctx, key_id: str | None) -> str:
    """The ARN S3 reports for a KMS key id (the aws/s3 managed key when none is given).

    When cloudlet has a KMS service, this is where the key is looked up and checked."""
    if not key_id:
        return f"arn:aws:kms:{ctx.region}:{ctx.account}:key/{uuid.uuid5(uuid.NAMESPACE_URL, f'aws/s3/{ctx.account}/{ctx.region}')}"
    if key_id.startswith("arn:"):
        return key_id
    return f"arn:aws:kms:{ctx.region}:{ctx.account}:{key_id if key_id.startswith('alias/') else 'key/' + key_id}"


def customer_key(params: dict, prefix: str = "SSECustomer") -> tuple[bytes, str] | None:
    algorithm = params.get(f"{prefix}Algorithm")
    raw = params.get(f"{prefix}Key")
    if not algorithm and not raw:
        return None
    if algorithm != "AES256":
        raise InvalidArgument("The encryption algorithm specified is not valid.",
                              ArgumentName="x-amz-server-side-encryption-customer-algorithm",
                              ArgumentValue=algorithm or "null")
    try:
        key = base64.b64decode(raw or "", validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise InvalidArgument("The secret key was invalid for the specified algorithm.",
                              ArgumentName="x-amz-server-side-encryption-customer-key", ArgumentValue="null")
    md5 = base64.b64encode(hashlib.md5(key).digest()).decode()
    given = params.get(f"{prefix}KeyMD5")
    if given and given != md5:
        raise InvalidArgument("The calculated MD5 hash of the key did not match the hash that was provided.",
                              ArgumentName="x-amz-server-side-encryption-customer-key-MD5")
    return key, md5


def for_put(ctx, bucket: str, params: dict) -> tuple[dict, bytes | None]:
    """(the object's stored encryption settings, the SSE-C key to encrypt with)."""
    c = customer_key(params)
    if c:
        if params.get("ServerSideEncryption"):
            raise InvalidArgument("Server Side Encryption with Customer provided key is incompatible with the "
                                  "encryption method specified", ArgumentName="x-amz-server-side-encryption",
                                  ArgumentValue=params["ServerSideEncryption"])
        _check_sse_c_allowed(ctx, bucket, params)
        return {"c_md5": c[1]}, c[0]
    algorithm = params.get("ServerSideEncryption")
    key_id = params.get("SSEKMSKeyId")
    bucket_key = params.get("BucketKeyEnabled")
    if key_id and not (algorithm or "").startswith("aws:kms"):
        raise InvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header "
                              "x-amz-server-side-encryption : aws:kms",
                              ArgumentName="x-amz-server-side-encryption-aws-kms-key-id", ArgumentValue=key_id)
    if not algorithm:
        rule = (get_config(bucket, "encryption") or {"Rules": [DEFAULT_RULE]})["Rules"][0]
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        algorithm = default.get("SSEAlgorithm", "AES256")
        key_id = key_id or default.get("KMSMasterKeyID")
        if bucket_key is None:
            bucket_key = rule.get("BucketKeyEnabled")
    if algorithm not in ("AES256", "aws:kms", "aws:kms:dsse"):
        raise InvalidArgument("The encryption method specified is not supported",
                              ArgumentName="x-amz-server-side-encryption", ArgumentValue=algorithm)
    out = {"alg": algorithm}
    if algorithm.startswith("aws:kms"):
        out["key"] = kms_key_arn(ctx, key_id)
        if bucket_key:
            out["bucket_key"] = True
    return out, None


def _check_sse_c_allowed(ctx, bucket: str, params: dict) -> None:
    """A bucket whose encryption configuration blocks SSE-C refuses writes that ask for it."""
    rule = (get_config(bucket, "encryption") or {"Rules": [DEFAULT_RULE]})["Rules"][0]
    if "SSE-C" in (rule.get("BlockedEncryptionTypes") or {}).get("EncryptionType", []):
        who = ctx.principal.arn if ctx.principal else f"arn:aws:iam::{ctx.account}:root"
        raise AccessDenied(f'User: {who} is not authorized to perform: s3:PutObject on resource: '
                           f'"arn:aws:s3:::{bucket}/{params.get("Key", "")}" because this bucket has blocked upload '
                           'requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please '
                           'specify a different server-side encryption type')


def output(sse: dict) -> dict:
    if "c_md5" in sse:
        return {"SSECustomerAlgorithm": "AES256", "SSECustomerKeyMD5": sse["c_md5"]}
    out = {"ServerSideEncryption": sse.get("alg", "AES256")}
    if "key" in sse:
        out["SSEKMSKeyId"] = sse["key"]
    if sse.get("bucket_key"):
        out["BucketKeyEnabled"] = True
    return out


def key_for_read(meta: dict, params: dict, prefix: str = "SSECustomer"):
    """(key, segments) to decrypt an SSE-C object with, after checking the caller's key; segments
    are (size, nonce) pairs: one nonce for a PUT object, one per part for a multipart one."""
    encryption = meta.get("sse") or {}
    if "c_md5" not in encryption:
        return None
    c = customer_key(params, prefix)
    if c is None:
        raise InvalidRequest("The object was stored using a form of Server Side Encryption. The correct "
                             "parameters must be provided to retrieve the object.")
    if c[1] != encryption["c_md5"]:
        raise AccessDenied("Access Denied")
    if "part_nonces" in meta:
        return c[0], [(size, bytes.fromhex(n)) for size, n in zip(meta["parts"], meta["part_nonces"])]
    return c[0], [(None, bytes.fromhex(meta.get("nonce") or ""))]


def key_for_part(encryption: dict, params: dict) -> bytes | None:
    """The SSE-C key a part of an SSE-C multipart upload is encrypted with: the one given at creation."""
    if "c_md5" not in encryption:
        return None
    c = customer_key(params)
    if c is None:
        raise InvalidRequest("The multipart upload initiate requested encryption. Subsequent part requests must "
                             "include the appropriate encryption parameters.")
    if c[1] != encryption["c_md5"]:
        raise InvalidArgument("The provided encryption parameters did not match the ones used originally.",
                              ArgumentName="x-amz-server-side-encryption-customer-key", ArgumentValue="null")
    return c[0]

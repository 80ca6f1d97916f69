"""Details where S3 answers in a particular way that real AWS clients notice (2025-2026 behaviour)."""
import base64
import datetime
import hashlib
import json
import time
import zlib

import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from s3_helpers import error_of

from cloudlet.services.s3 import checksums

PART = b"p" * (5 * 1024 * 1024)
TAIL = b"the last part"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def crc32(data: bytes) -> str:
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def sha256(data: bytes) -> str:
    return b64(hashlib.sha256(data).digest())


def upload_parts(s3, bucket, key, algorithm=None, bodies=(PART, TAIL), **create):
    """Create an upload and send its parts; (upload id, parts as CompleteMultipartUpload wants them)."""
    if algorithm:
        create["ChecksumAlgorithm"] = algorithm
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    parts = []
    for number, body in enumerate(bodies, 1):
        extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        part = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body, **extra)
        done = {"PartNumber": number, "ETag": part["ETag"]}
        if algorithm:
            done[f"Checksum{algorithm}"] = part[f"Checksum{algorithm}"]
        parts.append(done)
    return upload_id, parts


def test_listings_report_last_modified_in_whole_seconds_like_head_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    head = s3.head_object(Bucket=bucket, Key="k")
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["LastModified"] == head["LastModified"]
    assert listed["LastModified"].microsecond == 0
    assert s3.list_objects(Bucket=bucket)["Contents"][0]["LastModified"] == head["LastModified"]
    assert s3.list_object_versions(Bucket=bucket)["Versions"][0]["LastModified"] == head["LastModified"]
    created = next(b for b in s3.list_buckets()["Buckets"] if b["Name"] == bucket)["CreationDate"]
    assert created.microsecond == 0


def test_full_object_crc32_multipart_checksum_is_the_crc_of_the_whole_object(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "full", "CRC32", ChecksumType="FULL_OBJECT")
    listed = s3.list_parts(Bucket=bucket, Key="full", UploadId=upload_id)
    assert (listed["ChecksumAlgorithm"], listed["ChecksumType"]) == ("CRC32", "FULL_OBJECT")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    whole = crc32(PART + TAIL)
    assert (done["ChecksumCRC32"], done["ChecksumType"]) == (whole, "FULL_OBJECT")
    head = s3.head_object(Bucket=bucket, Key="full", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC32"], head["ChecksumType"]) == (whole, "FULL_OBJECT")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="full", ObjectAttributes=["Checksum", "ObjectParts"])
    assert attrs["Checksum"] == {"ChecksumCRC32": whole, "ChecksumType": "FULL_OBJECT"}
    assert attrs["ObjectParts"] == {"TotalPartsCount": 2}   # parts are listed for COMPOSITE objects only


def test_full_object_checksum_given_on_complete_is_checked(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "full", "CRC32", ChecksumType="FULL_OBJECT")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload_id,
                                     MultipartUpload={"Parts": parts}, ChecksumCRC32=crc32(b"other"))
    assert error_of(exc) == ("BadDigest", 400)
    assert exc.value.response["Error"]["Message"] == "The crc32 you specified did not match the calculated checksum."
    done = s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts}, ChecksumCRC32=crc32(PART + TAIL))
    assert done["ChecksumCRC32"] == crc32(PART + TAIL)


def test_crc64nvme_uploads_are_full_object_by_default(s3, bucket):
    created = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC64NVME")
    assert (created["ChecksumAlgorithm"], created["ChecksumType"]) == ("CRC64NVME", "FULL_OBJECT")
    upload_id = created["UploadId"]
    parts = []
    for number, body in enumerate((PART, TAIL), 1):
        value = checksums.compute("CRC64NVME", body)
        part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=body,
                              ChecksumCRC64NVME=value)
        assert part["ChecksumCRC64NVME"] == value
        parts.append({"PartNumber": number, "ETag": part["ETag"], "ChecksumCRC64NVME": value})
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert done["ChecksumCRC64NVME"] == checksums.compute("CRC64NVME", PART + TAIL)
    assert done["ChecksumType"] == "FULL_OBJECT"


@pytest.mark.parametrize("algorithm,checksum_type", [("SHA256", "FULL_OBJECT"), ("SHA1", "FULL_OBJECT"),
                                                     ("CRC64NVME", "COMPOSITE")])
def test_checksum_types_an_algorithm_cannot_have(s3, bucket, algorithm, checksum_type):
    with pytest.raises(ClientError) as exc:
        s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm=algorithm, ChecksumType=checksum_type)
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        f"The {checksum_type} checksum type cannot be used with the {algorithm.lower()} checksum algorithm.")


def test_checksum_type_needs_an_algorithm(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumType="FULL_OBJECT")
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")


def test_list_multipart_uploads_shows_the_checksum_algorithm_and_type(s3, bucket):
    s3.create_multipart_upload(Bucket=bucket, Key="with", ChecksumAlgorithm="SHA1")
    s3.create_multipart_upload(Bucket=bucket, Key="without")
    uploads = {u["Key"]: u for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]}
    assert (uploads["with"]["ChecksumAlgorithm"], uploads["with"]["ChecksumType"]) == ("SHA1", "COMPOSITE")
    assert "ChecksumAlgorithm" not in uploads["without"]


def test_upload_part_with_another_algorithm_than_the_upload_is_a_mismatch(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"abc",
                       ChecksumCRC32=crc32(b"abc"))
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32")


def test_composite_checksum_on_complete_is_checked_with_or_without_the_part_count(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", "SHA256")
    composite = sha256(b"".join(base64.b64decode(p["ChecksumSHA256"]) for p in parts))
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts},
                                     ChecksumSHA256=sha256(b"not it"))
    assert error_of(exc) == ("BadDigest", 400)
    assert exc.value.response["Error"]["Message"] == "The sha256 you specified did not match the calculated checksum."
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts},
                                     ChecksumSHA256=composite + "-a")
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == "Value for x-amz-checksum-sha256 header is invalid."
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts}, ChecksumSHA256=composite)
    assert (done["ChecksumSHA256"], done["ChecksumType"]) == (composite + "-2", "COMPOSITE")


def test_get_object_attributes_of_a_composite_object(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", "SHA256")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert done["ChecksumSHA256"].endswith("-2")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum", "ObjectParts"])
    assert attrs["Checksum"] == {"ChecksumSHA256": done["ChecksumSHA256"][:-2], "ChecksumType": "COMPOSITE"}
    assert attrs["ObjectParts"]["TotalPartsCount"] == 2
    assert attrs["ObjectParts"]["Parts"] == [
        {"PartNumber": 1, "Size": len(PART), "ChecksumSHA256": sha256(PART)},
        {"PartNumber": 2, "Size": len(TAIL), "ChecksumSHA256": sha256(TAIL)}]
    page = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectParts"], MaxParts=1)
    assert page["ObjectParts"]["IsTruncated"] is True
    assert [p["PartNumber"] for p in page["ObjectParts"]["Parts"]] == [1]


def test_bad_part_checksums_on_complete(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", "CRC32")
    wrong = [dict(parts[0], ChecksumCRC32=crc32(b"other")), parts[1]]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": wrong})
    assert error_of(exc) == ("InvalidPart", 400)
    assert exc.value.response["Error"]["ETag"] == parts[0]["ETag"].strip('"')
    malformed = [dict(parts[0], ChecksumCRC32="y/Q5Jh=="), parts[1]]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": malformed})
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "Invalid Base64 or multiple checksums present in request"
    assert exc.value.response["Error"]["ArgumentValue"] == "CRC32:y/Q5Jh==;"


def test_parts_with_checksums_must_be_numbered_without_gaps(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", "CRC32", bodies=(PART, PART, TAIL))
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                     MultipartUpload={"Parts": [parts[0], parts[2]]})
    assert error_of(exc) == ("InvalidPartOrder", 400)


def test_checksum_header_of_another_algorithm_than_the_sdk_names(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ChecksumAlgorithm="SHA256", ChecksumCRC32=crc32(b"hello"))
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == "Value for x-amz-sdk-checksum-algorithm header is invalid."


def test_non_canonical_base64_checksum_is_invalid(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ChecksumCRC32="y/Q5Jh==")
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == "Value for x-amz-checksum-crc32 header is invalid."


def test_a_range_covering_the_whole_object_keeps_its_checksum(s3, bucket):
    body = b"hello world"
    s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm="SHA256")
    whole = s3.get_object(Bucket=bucket, Key="k", Range=f"bytes=0-{len(body) - 1}", ChecksumMode="ENABLED")
    assert whole["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert (whole["ChecksumSHA256"], whole["ChecksumType"]) == (sha256(body), "FULL_OBJECT")
    head = s3.head_object(Bucket=bucket, Key="k", Range=f"bytes=0-{len(body) - 1}", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha256(body)
    part = s3.get_object(Bucket=bucket, Key="k", Range="bytes=1-", ChecksumMode="ENABLED")
    assert "ChecksumSHA256" not in part and "ChecksumType" not in part


def test_invalid_checksum_mode(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", ChecksumMode="INVALID")
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == "Value for x-amz-checksum-mode header is invalid."
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="k", ChecksumMode="INVALID")
    assert error_of(exc) == ("400", 400)


def test_conditional_writes_take_if_none_match_star_only(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"y", IfNoneMatch=etag)
    assert error_of(exc) == ("NotImplemented", 501)
    assert exc.value.response["Error"]["Message"] == (
        "A header you provided implies functionality that is not implemented")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="new", Body=b"y", IfNoneMatch="*", IfMatch=etag)
    assert error_of(exc) == ("NotImplemented", 501)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"y", IfNoneMatch="*")
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_multipart_upload_without_checksum_gets_the_default_full_object_crc64nvme(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = []
    for number, body in enumerate((PART, TAIL), 1):
        part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=body)
        assert "ChecksumCRC64NVME" not in part   # the default is the object's, never echoed for a part
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)
    assert "ChecksumAlgorithm" not in listed
    assert all("ChecksumCRC64NVME" not in part for part in listed["Parts"])
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    whole = checksums.compute("CRC64NVME", PART + TAIL)
    assert (done["ChecksumCRC64NVME"], done["ChecksumType"]) == (whole, "FULL_OBJECT")
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"]) == (whole, "FULL_OBJECT")
    item = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert (item["ChecksumAlgorithm"], item["ChecksumType"]) == (["CRC64NVME"], "FULL_OBJECT")


def test_anonymous_requests_learn_that_a_bucket_does_not_exist(server, client, unique_name):
    missing = unique_name("missing")
    response = requests.get(f"{server.url}/{missing}/key", timeout=30)
    assert response.status_code == 404
    assert "<Code>NoSuchBucket</Code>" in response.text and f"<BucketName>{missing}</BucketName>" in response.text
    anonymous = client("s3", config=Config(signature_version=UNSIGNED))
    with pytest.raises(ClientError) as exc:
        anonymous.list_objects_v2(Bucket=missing)
    assert error_of(exc) == ("NoSuchBucket", 404)


def test_sigv4_presigned_url_valid_for_more_than_a_week(server, client, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    signer = client("s3", config=Config(signature_version="s3v4"))
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=604801)
    response = requests.get(url, timeout=30)
    assert response.status_code == 400
    assert "<Code>AuthorizationQueryParametersError</Code>" in response.text
    assert ("<Message>X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
            "less than 604800 seconds</Message>") in response.text
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=604800)
    assert requests.get(url, timeout=30).content == b"x"


def test_lifecycle_keeps_the_transition_default_minimum_object_size(s3, bucket):
    rules = [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "a/"}, "Expiration": {"Days": 3}}]
    put = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert put["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    put = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules},
                                                TransitionDefaultMinimumObjectSize="varies_by_storage_class")
    assert put["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"


def test_complete_must_use_the_checksum_type_of_the_upload(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", "CRC32")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts},
                                     ChecksumType="FULL_OBJECT")
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"].startswith(
        "The upload was created using the COMPOSITE checksum mode.")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts},
                                        ChecksumType="COMPOSITE")
    assert done["ChecksumType"] == "COMPOSITE"


def test_public_policy_blocked_names_the_caller_and_the_bucket(client, s3, bucket):
    caller = client("sts").get_caller_identity()["Arn"]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert error_of(exc) == ("AccessDenied", 403)
    assert exc.value.response["Error"]["Message"] == (
        f'User: {caller} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::{bucket}" '
        "because public policies are blocked by the BlockPublicPolicy block public access setting.")


@pytest.mark.parametrize("encryption", [{}, {"ServerSideEncryption": "AES256"}])
def test_kms_key_id_without_kms_encryption_header(s3, bucket, encryption):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", SSEKMSKeyId="alias/mine", **encryption)
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == (
        "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")


def test_reading_a_part_of_a_composite_object_gives_that_parts_checksum(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", "SHA256")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    got = s3.get_object(Bucket=bucket, Key="k", PartNumber=2, ChecksumMode="ENABLED")
    assert got["Body"].read() == TAIL
    assert (got["ChecksumSHA256"], got["ChecksumType"]) == (sha256(TAIL), "COMPOSITE")
    head = s3.head_object(Bucket=bucket, Key="k", PartNumber=1, ChecksumMode="ENABLED")
    assert (head["ChecksumSHA256"], head["PartsCount"]) == (sha256(PART), 2)


def test_a_part_of_a_full_object_multipart_object_has_no_checksum(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", "CRC32", ChecksumType="FULL_OBJECT")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    head = s3.head_object(Bucket=bucket, Key="k", PartNumber=2, ChecksumMode="ENABLED")
    assert "ChecksumCRC32" not in head and "ChecksumType" not in head


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_bucket_created_with_the_eu_constraint(client, unique_name, region):
    s3 = client("s3", region=region)
    name = unique_name("eu")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "EU"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "EU"
    assert s3.head_bucket(Bucket=name)["BucketRegion"] == "eu-west-1"


def _public_reads(s3, bucket, actions=("s3:GetObject",)):
    s3.delete_public_access_block(Bucket=bucket)
    statements = [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]
    if "s3:ListBucket" in actions:
        statements.append({"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
                           "Resource": f"arn:aws:s3:::{bucket}"})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))


def test_anonymous_get_cannot_override_response_headers(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="public.txt", Body=b"hi")
    _public_reads(s3, bucket)
    response = requests.get(f"{server.url}/{bucket}/public.txt?response-content-type=text/html", timeout=30)
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text
    assert ("<Message>Request specific response headers cannot be used for anonymous GET requests.</Message>"
            in response.text)
    assert requests.get(f"{server.url}/{bucket}/public.txt", timeout=30).content == b"hi"


def test_anonymous_get_of_a_missing_key_needs_list_bucket_to_learn_it_is_missing(server, s3, bucket):
    _public_reads(s3, bucket)
    response = requests.get(f"{server.url}/{bucket}/missing", timeout=30)
    assert response.status_code == 403 and "<Code>AccessDenied</Code>" in response.text
    _public_reads(s3, bucket, ("s3:GetObject", "s3:ListBucket"))
    response = requests.get(f"{server.url}/{bucket}/missing", timeout=30)
    assert response.status_code == 404 and "<Code>NoSuchKey</Code>" in response.text


def test_copy_source_naming_a_delete_marker_by_version_id(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "k", "VersionId": marker})
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        "The source of a copy request may not specifically refer to a delete marker by version id.")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "k"})
    assert error_of(exc) == ("NoSuchKey", 404)


def test_expected_bucket_owner_of_another_account_is_access_denied(client, s3, bucket):
    owner = client("sts").get_caller_identity()["Account"]
    other = "111122223333" if owner != "111122223333" else "444455556666"
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ExpectedBucketOwner=owner)
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=other)
    assert error_of(exc) == ("403", 403)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", ExpectedBucketOwner=other)
    assert error_of(exc) == ("AccessDenied", 403)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="k2", CopySource={"Bucket": bucket, "Key": "k"},
                       ExpectedSourceBucketOwner=other)
    assert error_of(exc) == ("AccessDenied", 403)
    s3.copy_object(Bucket=bucket, Key="k2", CopySource={"Bucket": bucket, "Key": "k"},
                   ExpectedSourceBucketOwner=owner, ExpectedBucketOwner=owner)


def _queue_arn(client, unique_name):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=unique_name("events"))["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_notification_events_and_filters_are_validated(client, s3, bucket, unique_name):
    arn = _queue_arn(client, unique_name)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:Bogus"]}]})
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "The event is not supported for notifications"
    assert exc.value.response["Error"]["ArgumentValue"] == "s3:ObjectCreated:Bogus"
    rules = [{"Name": "prefix", "Value": "a/"}, {"Name": "prefix", "Value": "b/"}]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                                     "Filter": {"Key": {"FilterRules": rules}}}]})
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "Cannot specify more than one prefix rule in a filter."


def test_tagging_acl_and_restore_events(client, s3, bucket, unique_name):
    sqs = client("sqs")
    arn = _queue_arn(client, unique_name)
    url = sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": arn, "Events": ["s3:ObjectTagging:*", "s3:ObjectAcl:Put", "s3:ObjectRestore:*"]}]})
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="GLACIER")["ETag"].strip('"')
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="private")
    s3.restore_object(Bucket=bucket, Key="k", RestoreRequest={"Days": 1})
    records = []
    deadline = time.monotonic() + 20
    while len(records) < 4 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            records.extend(json.loads(message["Body"]).get("Records", []))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert sorted(r["eventName"] for r in records) == [
        "ObjectAcl:Put", "ObjectRestore:Post", "ObjectTagging:Delete", "ObjectTagging:Put"]
    assert all(r["s3"]["object"]["key"] == "k" and r["s3"]["object"]["eTag"] == etag for r in records)


def test_listings_report_restore_status_when_asked(s3, bucket, advance):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Bulk"}})
    plain = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert all("RestoreStatus" not in item for item in plain)
    listed = {i["Key"]: i for i in s3.list_objects_v2(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])[
        "Contents"]}
    assert listed["cold"]["RestoreStatus"] == {"IsRestoreInProgress": True}
    assert "RestoreStatus" not in listed["warm"]
    advance(13 * 3600)
    for listing in (s3.list_objects(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Contents"],
                    s3.list_object_versions(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Versions"]):
        cold = next(i for i in listing if i["Key"] == "cold")
        assert cold["RestoreStatus"]["IsRestoreInProgress"] is False
        assert cold["RestoreStatus"]["RestoreExpiryDate"] > cold["LastModified"]


def test_delete_objects_with_etags_deletes_only_matching_objects(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="match", Body=b"x")["ETag"]
    s3.put_object(Bucket=bucket, Key="other", Body=b"y")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "match", "ETag": etag},
                                                                  {"Key": "other", "ETag": etag}]})
    assert result["Deleted"] == [{"Key": "match"}]
    assert result["Errors"] == [{"Key": "other", "Code": "PreconditionFailed",
                                 "Message": "At least one of the pre-conditions you specified did not hold"}]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["other"]


def test_conditional_copy_checks_the_destination(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"new")
    etag = s3.put_object(Bucket=bucket, Key="dst", Body=b"old")["ETag"]
    source = {"Bucket": bucket, "Key": "src"}
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=source, IfNoneMatch="*")
    assert error_of(exc) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=source, IfMatch='"0123456789abcdef0123456789abcdef"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"old"
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=source, IfMatch=etag)
    s3.copy_object(Bucket=bucket, Key="fresh", CopySource=source, IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"new"


def test_head_object_reports_the_tag_count(s3, bucket):
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"x", Tagging="a=1&b=2")
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="tagged")["TagCount"] == 2
    assert "TagCount" not in s3.head_object(Bucket=bucket, Key="plain")


def test_list_buckets_gives_each_bucket_arn(s3, bucket):
    listed = next(b for b in s3.list_buckets()["Buckets"] if b["Name"] == bucket)
    assert listed["BucketArn"] == f"arn:aws:s3:::{bucket}"


def test_website_redirect_location_must_be_a_url_or_a_path(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"", WebsiteRedirectLocation="elsewhere")
    assert error_of(exc) == ("InvalidRedirectLocation", 400)
    assert exc.value.response["Error"]["Message"] == (
        "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.")
    s3.put_object(Bucket=bucket, Key="k", Body=b"", WebsiteRedirectLocation="/other")
    assert s3.head_object(Bucket=bucket, Key="k")["WebsiteRedirectLocation"] == "/other"


def test_request_signed_too_far_from_the_real_time(server, bucket, monkeypatch):
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    skewed = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: skewed)
    request = AWSRequest(method="GET", url=f"{server.url}/{bucket}")
    botocore.auth.S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    response = requests.get(f"{server.url}/{bucket}", headers=dict(request.headers.items()), timeout=30)
    assert response.status_code == 403
    assert "<Code>RequestTimeTooSkewed</Code>" in response.text
    assert ("<Message>The difference between the request time and the current time is too large.</Message>"
            in response.text)
    assert f"<RequestTime>{skewed.strftime('%Y%m%dT%H%M%SZ')}</RequestTime>" in response.text
    assert "<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>" in response.text


def test_retried_complete_multipart_upload_answers_the_same(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", "SHA256")
    first = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    again = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    for name in ("ETag", "ChecksumSHA256", "ChecksumType", "Location", "Key"):
        assert again[name] == first[name]
    with pytest.raises(ClientError) as exc:   # other parts: the upload is gone
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts[:1]})
    assert error_of(exc) == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)
    assert error_of(exc) == ("NoSuchUpload", 404)
    aborted = s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    assert aborted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object(Bucket=bucket, Key="k")["ContentLength"] == len(PART) + len(TAIL)


def test_uploads_a_lifecycle_rule_will_abort_report_when(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "tidy", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]})
    created = s3.create_multipart_upload(Bucket=bucket, Key="tmp/k")
    assert created["AbortRuleId"] == "tidy"
    initiated = s3.list_multipart_uploads(Bucket=bucket)["Uploads"][0]["Initiated"]
    midnight = (initiated + datetime.timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    expected = midnight if midnight == initiated + datetime.timedelta(days=2) else midnight + datetime.timedelta(days=1)
    assert created["AbortDate"] == expected
    listed = s3.list_parts(Bucket=bucket, Key="tmp/k", UploadId=created["UploadId"])
    assert (listed["AbortDate"], listed["AbortRuleId"]) == (expected, "tidy")
    other = s3.create_multipart_upload(Bucket=bucket, Key="keep/k")
    assert "AbortDate" not in other and "AbortRuleId" not in other


def test_overwrite_during_an_if_match_upload_is_a_conflict(server, s3, bucket):
    import http.client
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"first")["ETag"]
    body = b"x" * 200_000
    netloc = server.url.split("://", 1)[1]
    request = AWSRequest(method="PUT", url=f"{server.url}/{bucket}/k", data=body, headers={"If-Match": etag})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    connection = http.client.HTTPConnection(netloc, timeout=30)
    connection.putrequest("PUT", f"/{bucket}/k", skip_accept_encoding=True, skip_host=True)
    for name, value in [("Host", netloc), ("Content-Length", str(len(body))), *request.headers.items()]:
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(body[:1000])
    time.sleep(0.5)                                   # the upload has begun with If-Match holding...
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")   # ...when another write replaces the object
    connection.send(body[1000:])
    response = connection.getresponse()
    text = response.read().decode()
    assert response.status == 409, text
    assert "<Code>ConditionalRequestConflict</Code>" in text
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"


MFA = "arn:aws:iam::000000000000:mfa/root-account-mfa-device 123456"


def test_mfa_delete_needs_the_mfa_header(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})
    assert error_of(exc) == ("AccessDenied", 403)
    assert exc.value.response["Error"]["Message"] == "Mfa Authentication must be used for this request"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"},
                             MFA=MFA)
    got = s3.get_bucket_versioning(Bucket=bucket)
    assert (got["Status"], got["MFADelete"]) == ("Enabled", "Enabled")
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket=bucket, Key="k")   # a delete marker needs no MFA
    assert marker["DeleteMarker"] is True
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=bucket, Key="k", VersionId=version)
    assert error_of(exc) == ("AccessDenied", 403)
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": version}]})
    assert result["Errors"][0]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert error_of(exc) == ("AccessDenied", 403)
    s3.delete_object(Bucket=bucket, Key="k", VersionId=version, MFA=MFA)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Disabled"},
                             MFA=MFA)
    assert s3.get_bucket_versioning(Bucket=bucket)["MFADelete"] == "Disabled"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker["VersionId"])


def test_sse_c_with_another_encryption_header_is_refused(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey=b"k" * 32,
                      ServerSideEncryption="AES256")
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == (
        "Server Side Encryption with Customer provided key is incompatible with the encryption method specified")


def test_object_lock_puts_need_an_integrity_check(client, s3, unique_name):
    from botocore.config import Config
    name = unique_name("locked")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    bare = client("s3", config=Config(request_checksum_calculation="when_required"))
    with pytest.raises(ClientError) as exc:
        bare.put_object(Bucket=name, Key="k", Body=b"x")
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters")
    bare.put_object(Bucket=name, Key="k", Body=b"x", ContentMD5=b64(hashlib.md5(b"x").digest()))
    s3.put_object(Bucket=name, Key="k", Body=b"x")   # today's SDKs send a CRC32 anyway


@pytest.mark.parametrize("storage_class", ["EXPRESS_ONEZONE", "OUTPOSTS", "SNOW"])
def test_storage_classes_of_other_kinds_of_storage_are_invalid_here(s3, bucket, storage_class):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass=storage_class)
    assert error_of(exc) == ("InvalidStorageClass", 400)
    assert exc.value.response["Error"]["StorageClassRequested"] == storage_class


@pytest.mark.parametrize("number", [0, 10001])
def test_get_object_part_number_out_of_range(s3, bucket, number):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", PartNumber=number)
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "Part number must be an integer between 1 and 10000, inclusive"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", PartNumber=2)
    assert error_of(exc) == ("InvalidPartNumber", 416)

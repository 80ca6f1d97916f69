"""Multipart uploads: create/upload/complete/abort, part listing, upload listing, size and order
rules, multipart ETags, GET/HEAD by partNumber, UploadPartCopy, checksums and a large streamed
upload through boto3's transfer manager."""
import base64
import hashlib
import os

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from s3_helpers import error_of

MiB = 1024 * 1024
PART = 5 * MiB


def multipart_etag(parts):
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return '"%s-%d"' % (hashlib.md5(digests).hexdigest(), len(parts))


@pytest.fixture(scope="module")
def big_parts():
    return [os.urandom(PART), os.urandom(1024)]


def upload(s3, bucket, key, parts, **create_kwargs):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create_kwargs)["UploadId"]
    etags = []
    for number, data in enumerate(parts, start=1):
        etags.append(s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data)["ETag"])
    return upload_id, [{"ETag": e, "PartNumber": n} for n, e in enumerate(etags, start=1)]


def test_multipart_upload_round_trip(s3, bucket, big_parts):
    created = s3.create_multipart_upload(Bucket=bucket, Key="big.bin", ContentType="application/x-test",
                                         Metadata={"origin": "multipart"})
    assert created["Bucket"] == bucket
    assert created["Key"] == "big.bin"
    upload_id = created["UploadId"]
    assert upload_id

    parts = []
    for number, data in enumerate(big_parts, start=1):
        response = s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload_id, PartNumber=number, Body=data)
        assert response["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        parts.append({"ETag": response["ETag"], "PartNumber": number})

    completed = s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload_id,
                                             MultipartUpload={"Parts": parts})
    assert completed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert completed["Bucket"] == bucket
    assert completed["Key"] == "big.bin"
    assert completed["ETag"] == multipart_etag(big_parts)
    assert "big.bin" in completed["Location"]

    got = s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["Body"].read() == b"".join(big_parts)
    assert got["ETag"] == multipart_etag(big_parts)
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"origin": "multipart"}
    assert got["ContentLength"] == PART + 1024


def test_single_part_upload_etag_has_suffix(s3, bucket):
    upload_id, parts = upload(s3, bucket, "one", [b"tiny"])
    completed = s3.complete_multipart_upload(Bucket=bucket, Key="one", UploadId=upload_id,
                                             MultipartUpload={"Parts": parts})
    assert completed["ETag"] == multipart_etag([b"tiny"])
    assert completed["ETag"].endswith('-1"')


def test_list_parts(s3, bucket):
    upload_id, _ = upload(s3, bucket, "lp", [b"aaaa", b"bbbbbb", b"cc"])
    listing = s3.list_parts(Bucket=bucket, Key="lp", UploadId=upload_id)
    assert listing["Bucket"] == bucket
    assert listing["Key"] == "lp"
    assert listing["UploadId"] == upload_id
    assert listing["StorageClass"] == "STANDARD"
    assert listing["IsTruncated"] is False
    assert listing["PartNumberMarker"] == 0
    assert listing["NextPartNumberMarker"] == 3
    assert listing["MaxParts"] == 1000
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in listing["Parts"]] == [
        (1, 4, '"%s"' % hashlib.md5(b"aaaa").hexdigest()),
        (2, 6, '"%s"' % hashlib.md5(b"bbbbbb").hexdigest()),
        (3, 2, '"%s"' % hashlib.md5(b"cc").hexdigest()),
    ]
    assert "ID" in listing["Owner"] and "ID" in listing["Initiator"]

    first = s3.list_parts(Bucket=bucket, Key="lp", UploadId=upload_id, MaxParts=1)
    assert first["IsTruncated"] is True
    assert first["NextPartNumberMarker"] == 1
    assert [p["PartNumber"] for p in first["Parts"]] == [1]
    rest = s3.list_parts(Bucket=bucket, Key="lp", UploadId=upload_id, PartNumberMarker=1)
    assert [p["PartNumber"] for p in rest["Parts"]] == [2, 3]
    assert rest["PartNumberMarker"] == 1


def test_list_parts_of_fresh_upload(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="fresh")["UploadId"]
    listing = s3.list_parts(Bucket=bucket, Key="fresh", UploadId=upload_id)
    assert "Parts" not in listing
    assert listing["IsTruncated"] is False
    assert listing["NextPartNumberMarker"] == 0


def test_uploading_a_part_again_replaces_it(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="re")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="re", UploadId=upload_id, PartNumber=1, Body=b"old")
    etag = s3.upload_part(Bucket=bucket, Key="re", UploadId=upload_id, PartNumber=1, Body=b"new!")["ETag"]
    parts = s3.list_parts(Bucket=bucket, Key="re", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts] == [(1, 4, etag)]
    s3.complete_multipart_upload(Bucket=bucket, Key="re", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]})
    assert s3.get_object(Bucket=bucket, Key="re")["Body"].read() == b"new!"


def test_list_multipart_uploads(s3, bucket):
    ids = {}
    for key in ["logs/a", "logs/b", "logs/a", "other/c"]:
        ids.setdefault(key, []).append(s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    listing = s3.list_multipart_uploads(Bucket=bucket)
    assert listing["Bucket"] == bucket
    assert listing["IsTruncated"] is False
    uploads = listing["Uploads"]
    # Sorted by key, then by initiation time.
    assert [(u["Key"], u["UploadId"]) for u in uploads] == (
        [("logs/a", i) for i in ids["logs/a"]] + [("logs/b", ids["logs/b"][0]), ("other/c", ids["other/c"][0])])
    assert all(u["StorageClass"] == "STANDARD" and u["Initiated"] for u in uploads)

    prefixed = s3.list_multipart_uploads(Bucket=bucket, Prefix="logs/")
    assert {u["Key"] for u in prefixed["Uploads"]} == {"logs/a", "logs/b"}
    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["logs/", "other/"]
    assert "Uploads" not in grouped

    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1)
    assert page["IsTruncated"] is True
    assert page["NextKeyMarker"] == "logs/a"
    assert page["NextUploadIdMarker"] == ids["logs/a"][0]


def test_completed_and_aborted_uploads_disappear(s3, bucket):
    done_id, parts = upload(s3, bucket, "done", [b"x"])
    aborted_id = s3.create_multipart_upload(Bucket=bucket, Key="aborted")["UploadId"]
    s3.complete_multipart_upload(Bucket=bucket, Key="done", UploadId=done_id, MultipartUpload={"Parts": parts})
    response = s3.abort_multipart_upload(Bucket=bucket, Key="aborted", UploadId=aborted_id)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="done", UploadId=done_id)
    assert error_of(exc) == ("NoSuchUpload", 404)


def test_operations_on_an_aborted_upload(s3, bucket):
    upload_id, parts = upload(s3, bucket, "ab", [b"part"])
    s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=upload_id)
    for call in [
        lambda: s3.list_parts(Bucket=bucket, Key="ab", UploadId=upload_id),
        lambda: s3.upload_part(Bucket=bucket, Key="ab", UploadId=upload_id, PartNumber=2, Body=b"x"),
        lambda: s3.complete_multipart_upload(Bucket=bucket, Key="ab", UploadId=upload_id,
                                             MultipartUpload={"Parts": parts}),
        lambda: s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=upload_id),
    ]:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("NoSuchUpload", 404)
        assert exc.value.response["Error"]["Message"] == (
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
            "aborted or completed.")
        assert exc.value.response["Error"]["UploadId"] == upload_id
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="ab")
    assert error_of(exc) == ("404", 404)


def test_parts_must_be_at_least_5_mib_except_the_last(s3, bucket):
    upload_id, parts = upload(s3, bucket, "small", [b"data", b"data"])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert error_of(exc) == ("EntityTooSmall", 400)
    error = exc.value.response["Error"]
    assert error["Message"] == "Your proposed upload is smaller than the minimum allowed size"
    assert error["MinSizeAllowed"] == "5242880"
    assert error["ProposedSize"] == "4"
    assert error["PartNumber"] == "1"


def test_complete_with_unknown_part_or_wrong_etag(s3, bucket):
    upload_id, parts = upload(s3, bucket, "wrong", [b"data"])
    message = ("One or more of the specified parts could not be found.  The part may not have been uploaded, "
               "or the specified entity tag may not match the part's entity tag.")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="wrong", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"ETag": parts[0]["ETag"], "PartNumber": 2}]})
    assert error_of(exc) == ("InvalidPart", 400)
    assert exc.value.response["Error"]["Message"] == message
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="wrong", UploadId=upload_id, MultipartUpload={
            "Parts": [{"ETag": '"d41d8cd98f00b204e9800998ecf8427e"', "PartNumber": 1}]})
    assert error_of(exc) == ("InvalidPart", 400)


def test_parts_must_be_listed_in_ascending_order(s3, bucket, big_parts):
    # Both parts are full-size, so the only problem is the order.
    upload_id, parts = upload(s3, bucket, "order", [big_parts[0], big_parts[0]])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=upload_id,
                                     MultipartUpload={"Parts": list(reversed(parts))})
    assert error_of(exc) == ("InvalidPartOrder", 400)
    assert exc.value.response["Error"]["Message"] == (
        "The list of parts was not in ascending order. Parts must be ordered by part number.")
    # The upload is still usable after the failed attempt.
    s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=upload_id, MultipartUpload={"Parts": parts})


def test_part_numbers_may_have_gaps(s3, bucket, big_parts):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="gaps")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="gaps", UploadId=upload_id, PartNumber=2, Body=big_parts[0])["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="gaps", UploadId=upload_id, PartNumber=7, Body=big_parts[1])["ETag"]
    completed = s3.complete_multipart_upload(Bucket=bucket, Key="gaps", UploadId=upload_id, MultipartUpload={
        "Parts": [{"ETag": e1, "PartNumber": 2}, {"ETag": e2, "PartNumber": 7}]})
    assert completed["ETag"] == multipart_etag(big_parts)
    assert s3.get_object(Bucket=bucket, Key="gaps")["Body"].read() == b"".join(big_parts)


def test_complete_may_use_a_subset_of_parts(s3, bucket):
    upload_id, parts = upload(s3, bucket, "subset", [b"first", b"second"])
    s3.complete_multipart_upload(Bucket=bucket, Key="subset", UploadId=upload_id,
                                 MultipartUpload={"Parts": parts[1:]})
    assert s3.get_object(Bucket=bucket, Key="subset")["Body"].read() == b"second"


@pytest.mark.parametrize("number", [0, 10001])
def test_part_number_range(s3, bucket, number):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="range")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="range", UploadId=upload_id, PartNumber=number, Body=b"x")
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "Part number must be an integer between 1 and 10000, inclusive"


def test_get_and_head_by_part_number(s3, bucket, big_parts):
    upload_id, parts = upload(s3, bucket, "parts", big_parts)
    s3.complete_multipart_upload(Bucket=bucket, Key="parts", UploadId=upload_id, MultipartUpload={"Parts": parts})
    total = PART + 1024

    first = s3.get_object(Bucket=bucket, Key="parts", PartNumber=1)
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert first["PartsCount"] == 2
    assert first["ContentLength"] == PART
    assert first["ContentRange"] == f"bytes 0-{PART - 1}/{total}"
    assert first["Body"].read() == big_parts[0]
    assert first["ETag"] == multipart_etag(big_parts)

    head = s3.head_object(Bucket=bucket, Key="parts", PartNumber=2)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert head["PartsCount"] == 2
    assert head["ContentLength"] == 1024

    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="parts", PartNumber=3)
    assert error_of(exc) == ("InvalidPartNumber", 416)
    assert exc.value.response["Error"]["ActualPartCount"] == "2"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="parts", PartNumber=1, Range="bytes=0-10")
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == "Cannot specify both Range header and partNumber query parameter"


def test_object_attributes_of_multipart_object(s3, bucket, big_parts):
    upload_id, parts = upload(s3, bucket, "attrs", big_parts)
    s3.complete_multipart_upload(Bucket=bucket, Key="attrs", UploadId=upload_id, MultipartUpload={"Parts": parts})
    attrs = s3.get_object_attributes(Bucket=bucket, Key="attrs", ObjectAttributes=["ETag", "ObjectParts", "ObjectSize"])
    assert attrs["ETag"] == multipart_etag(big_parts).strip('"')
    assert attrs["ObjectSize"] == PART + 1024
    assert attrs["ObjectParts"]["TotalPartsCount"] == 2


def test_upload_part_copy(s3, bucket):
    source = os.urandom(PART + 10)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange=f"bytes=0-{PART - 1}")
    assert p1["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(source[:PART]).hexdigest()
    assert p1["CopyPartResult"]["LastModified"]
    p2 = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=2,
                             CopySource=f"{bucket}/source", CopySourceRange=f"bytes={PART}-{PART + 9}")
    listed = s3.list_parts(Bucket=bucket, Key="assembled", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in listed] == [(1, PART), (2, 10)]
    s3.complete_multipart_upload(Bucket=bucket, Key="assembled", UploadId=upload_id, MultipartUpload={"Parts": [
        {"ETag": p1["CopyPartResult"]["ETag"], "PartNumber": 1},
        {"ETag": p2["CopyPartResult"]["ETag"], "PartNumber": 2}]})
    assert s3.get_object(Bucket=bucket, Key="assembled")["Body"].read() == source


def test_upload_part_copy_whole_object_and_range_errors(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ten", Body=b"0123456789")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    whole = s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "ten"})
    assert whole["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(b"0123456789").hexdigest()

    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=2,
                            CopySource={"Bucket": bucket, "Key": "ten"}, CopySourceRange="bytes=0-100")
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "Range specified is not valid for source object of size: 10"
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=2,
                            CopySource={"Bucket": bucket, "Key": "ten"}, CopySourceRange="0-8")
    assert error_of(exc) == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=2,
                            CopySource={"Bucket": bucket, "Key": "missing"})
    assert error_of(exc) == ("NoSuchKey", 404)


def test_multipart_with_sha256_checksums(s3, bucket, big_parts):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="sums", ChecksumAlgorithm="SHA256")["UploadId"]
    parts = []
    for number, data in enumerate(big_parts, start=1):
        response = s3.upload_part(Bucket=bucket, Key="sums", UploadId=upload_id, PartNumber=number, Body=data,
                                  ChecksumAlgorithm="SHA256")
        expected = base64.b64encode(hashlib.sha256(data).digest()).decode()
        assert response["ChecksumSHA256"] == expected
        parts.append({"ETag": response["ETag"], "PartNumber": number, "ChecksumSHA256": expected})

    listed = s3.list_parts(Bucket=bucket, Key="sums", UploadId=upload_id)
    assert listed["ChecksumAlgorithm"] == "SHA256"
    assert [p["ChecksumSHA256"] for p in listed["Parts"]] == [p["ChecksumSHA256"] for p in parts]

    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="sums", UploadId=upload_id, MultipartUpload={
            "Parts": [{"ETag": p["ETag"], "PartNumber": p["PartNumber"]} for p in parts]})
    assert error_of(exc) == ("InvalidRequest", 400)

    completed = s3.complete_multipart_upload(Bucket=bucket, Key="sums", UploadId=upload_id,
                                             MultipartUpload={"Parts": parts})
    composite = hashlib.sha256(b"".join(base64.b64decode(p["ChecksumSHA256"]) for p in parts)).digest()
    assert completed["ChecksumSHA256"] == base64.b64encode(composite).decode() + "-2"
    assert completed["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key="sums", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == completed["ChecksumSHA256"]


def test_large_upload_and_download_through_transfer_manager(s3, bucket, tmp_path):
    source = tmp_path / "large.bin"
    chunk = os.urandom(MiB)
    digest = hashlib.sha256()
    with open(source, "wb") as f:
        for i in range(64):
            block = bytes([i]) + chunk[1:]
            f.write(block)
            digest.update(block)
    config = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB, max_concurrency=4)
    s3.upload_file(str(source), bucket, "large.bin", Config=config)

    head = s3.head_object(Bucket=bucket, Key="large.bin")
    assert head["ContentLength"] == 64 * MiB
    assert head["ETag"].endswith('-8"')

    target = tmp_path / "downloaded.bin"
    s3.download_file(bucket, "large.bin", str(target), Config=config)
    check = hashlib.sha256()
    with open(target, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            check.update(block)
    assert check.hexdigest() == digest.hexdigest()

"""Everything S3 acknowledged survives a kill -9 of the server: objects, metadata, tags, versions,
delete markers, bucket configuration and in-progress multipart uploads."""
import hashlib
import os


def snapshot(s3, plain, versioned):
    objects = [(o["Key"], o["ETag"], o["Size"]) for o in s3.list_objects_v2(Bucket=plain)["Contents"]]
    listing = s3.list_object_versions(Bucket=versioned)
    versions = [(v["Key"], v["VersionId"], v["IsLatest"], v["ETag"]) for v in listing["Versions"]]
    markers = [(m["Key"], m["VersionId"], m["IsLatest"]) for m in listing.get("DeleteMarkers", [])]
    return objects, versions, markers


def test_data_survives_kill_9(server, s3, unique_name):
    plain, versioned = unique_name("dur"), unique_name("durv")
    s3.create_bucket(Bucket=plain)
    s3.create_bucket(Bucket=versioned)
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Enabled"})

    bodies = {f"obj/{i:02d}": os.urandom(i * 1000) for i in range(20)}
    bodies["big"] = os.urandom(1024 * 1024 + 7)
    for key, body in bodies.items():
        s3.put_object(Bucket=plain, Key=key, Body=body)
    s3.put_object(Bucket=plain, Key="described", Body=b"meta", ContentType="text/plain",
                  Metadata={"owner": "durability"}, Tagging="keep=yes")
    s3.put_bucket_tagging(Bucket=plain, Tagging={"TagSet": [{"Key": "env", "Value": "test"}]})
    s3.put_bucket_cors(Bucket=plain, CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"],
                                                                       "AllowedMethods": ["GET"]}]})

    v1 = s3.put_object(Bucket=versioned, Key="doc", Body=b"version one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="doc", Body=b"version two")["VersionId"]
    marker = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    s3.put_object(Bucket=versioned, Key="other", Body=b"other")

    part1 = os.urandom(5 * 1024 * 1024)
    upload_id = s3.create_multipart_upload(Bucket=plain, Key="pending")["UploadId"]
    e1 = s3.upload_part(Bucket=plain, Key="pending", UploadId=upload_id, PartNumber=1, Body=part1)["ETag"]

    before = snapshot(s3, plain, versioned)
    server.restart(kill=True)
    assert snapshot(s3, plain, versioned) == before

    for key, body in bodies.items():
        assert hashlib.md5(s3.get_object(Bucket=plain, Key=key)["Body"].read()).digest() == hashlib.md5(body).digest()
    described = s3.get_object(Bucket=plain, Key="described")
    assert described["ContentType"] == "text/plain"
    assert described["Metadata"] == {"owner": "durability"}
    assert s3.get_object_tagging(Bucket=plain, Key="described")["TagSet"] == [{"Key": "keep", "Value": "yes"}]
    assert s3.get_bucket_tagging(Bucket=plain)["TagSet"] == [{"Key": "env", "Value": "test"}]
    assert s3.get_bucket_cors(Bucket=plain)["CORSRules"][0]["AllowedMethods"] == ["GET"]

    assert s3.get_bucket_versioning(Bucket=versioned)["Status"] == "Enabled"
    assert s3.get_object(Bucket=versioned, Key="doc", VersionId=v1)["Body"].read() == b"version one"
    assert s3.get_object(Bucket=versioned, Key="doc", VersionId=v2)["Body"].read() == b"version two"
    markers = s3.list_object_versions(Bucket=versioned, Prefix="doc")["DeleteMarkers"]
    assert [(m["VersionId"], m["IsLatest"]) for m in markers] == [(marker, True)]

    uploads = s3.list_multipart_uploads(Bucket=plain)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("pending", upload_id)]
    e2 = s3.upload_part(Bucket=plain, Key="pending", UploadId=upload_id, PartNumber=2, Body=b"tail")["ETag"]
    s3.complete_multipart_upload(Bucket=plain, Key="pending", UploadId=upload_id, MultipartUpload={
        "Parts": [{"ETag": e1, "PartNumber": 1}, {"ETag": e2, "PartNumber": 2}]})
    assert s3.get_object(Bucket=plain, Key="pending")["Body"].read() == part1 + b"tail"

    # Writes made after the restart are durable too.
    s3.put_object(Bucket=plain, Key="after", Body=b"after restart")
    server.restart(kill=True)
    assert s3.get_object(Bucket=plain, Key="after")["Body"].read() == b"after restart"
    assert s3.get_object(Bucket=plain, Key="pending")["Body"].read() == part1 + b"tail"

"""Export to S3 (ExportTableToPointInTime) and import from S3 (ImportTable), written and read
through cloudlet's own S3 with the internal client, in AWS's layout:

    <prefix>/AWSDynamoDB/<export id>/manifest-summary.json, manifest-files.json,
    data/<name>.json.gz   (one {"Item": {...}} per line, DynamoDB JSON)

The snapshot is taken when the request is answered; the files are written in the background
and the job moves IN_PROGRESS -> COMPLETED (or FAILED with a FailureCode)."""
from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import uuid

from cloudlet.errors import ServiceError, error_class

from . import service, storage
from . import values as V
from .errors import (ExportNotFoundException, ImportNotFoundException,
                     PointInTimeRecoveryUnavailableException, ResourceInUseException, TableNotFoundException,
                     ValidationException)
from .storage import table_name_of

InvalidExportTimeException = error_class("InvalidExportTimeException")
ExportConflictException = error_class("ExportConflictException")




def _save(arn: str, ctx, kind: str, table_arn: str, data: dict) -> None:
    storage.db.execute("INSERT OR REPLACE INTO jobs (arn, account, region, kind, table_arn, created, data) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (arn, ctx.account, ctx.region, kind, table_arn, data.get("StartTime", ctx.now()),
                        json.dumps(data, default=str)))


def _update(arn: str, **changes) -> None:
    row = storage.db.one("SELECT data FROM jobs WHERE arn=?", (arn,))
    if row is None:
        return
    data = json.loads(row[0])
    data.update(changes)
    storage.db.execute("UPDATE jobs SET data=? WHERE arn=?", (json.dumps(data, default=str), arn))


def _job(ctx, arn: str, kind: str, error) -> dict:
    row = storage.db.one("SELECT data FROM jobs WHERE arn=? AND account=? AND region=? AND kind=?",
                         (arn, ctx.account, ctx.region, kind))
    if row is None:
        raise error(f"{kind.capitalize()} not found: {arn}")
    return json.loads(row[0])


@service.on_start
def _interrupted(svc):
    """Jobs cut short by a restart are failed, not left running forever."""
    for arn, data in svc.db.query("SELECT arn, data FROM jobs"):
        job = json.loads(data)
        status_key = "ExportStatus" if "ExportStatus" in job else "ImportStatus"
        if job.get(status_key) == "IN_PROGRESS":
            job.update({status_key: "FAILED", "FailureCode": "InternalError",
                        "FailureMessage": "cloudlet restarted while the job was running"})
            svc.db.execute("UPDATE jobs SET data=? WHERE arn=?", (json.dumps(job), arn))


# -- export ---------------------------------------------------------------------------------------

def _snapshot(table, moment: float) -> list[str]:
    rows = storage.db.query(
        "SELECT p.data FROM pitr_log p WHERE p.tid=? AND p.data IS NOT NULL AND p.seq = (SELECT MAX(q.seq) FROM "
        "pitr_log q WHERE q.tid=p.tid AND q.hk=p.hk AND q.rk=p.rk AND q.at <= ?)", (table.tid, moment))
    return [r[0] for r in rows]


@service.handler("ExportTableToPointInTime")
async def export_table(ctx, params):
    if not params["TableArn"].startswith("arn:"):
        raise ValidationException("One or more parameter values were invalid: tableArn is not a valid ARN")
    if params.get("S3SseKmsKeyId") and params.get("S3SseAlgorithm") != "KMS":
        raise ValidationException("Invalid Request: KMS Key Id is not supported for this encryption type")
    name = table_name_of(params["TableArn"])
    table = storage.find(ctx.account, ctx.region, name)
    if table is None:
        raise TableNotFoundException(f"Table not found: {params['TableArn']}")
    if not table.pitr:
        raise PointInTimeRecoveryUnavailableException(f"Point in time recovery is not enabled for table '{name}'")
    token = params.get("ClientToken")
    request = json.dumps({k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True, default=str)
    if token:                           # a replay answers the same export; other parameters conflict
        for data, in storage.db.query("SELECT data FROM jobs WHERE account=? AND region=? AND kind='export'",
                                      (ctx.account, ctx.region)):
            job = json.loads(data)
            if job.get("ClientToken") == token:
                if job.get("_request") != request:
                    raise ExportConflictException("Export conflict: Duplicate request detected with conflicting "
                                                  "parameters")
                return {"ExportDescription": _public(job)}
    if (params.get("ExportType") or "FULL_EXPORT") != "FULL_EXPORT":
        raise ValidationException("cloudlet supports FULL_EXPORT only")
    if (params.get("ExportFormat") or "DYNAMODB_JSON") != "DYNAMODB_JSON":
        raise ValidationException("cloudlet supports the DYNAMODB_JSON export format only")
    now = ctx.now()
    moment = params["ExportTime"].timestamp() if params.get("ExportTime") else now
    if moment > now or moment < table.meta["_pitr"]["since"]:
        raise InvalidExportTimeException("Export Time is invalid")
    lines = _snapshot(table, moment)
    export_id = f"{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}"
    arn = f"{table.meta['TableArn']}/export/{export_id}"
    prefix = (params.get("S3Prefix") or "").rstrip("/")
    base = f"{prefix}/AWSDynamoDB/{export_id}" if prefix else f"AWSDynamoDB/{export_id}"
    description = {
        "ExportArn": arn, "ExportStatus": "IN_PROGRESS", "StartTime": now, "TableArn": table.meta["TableArn"],
        "TableId": table.meta["TableId"], "ExportTime": moment, "ClientToken": token or uuid.uuid4().hex,
        "S3Bucket": params["S3Bucket"], "S3SseAlgorithm": params.get("S3SseAlgorithm") or "AES256",
        "ExportFormat": "DYNAMODB_JSON", "_request": request}   # ExportManifest once COMPLETED; ExportType never
    if prefix:
        description["S3Prefix"] = prefix
    if params.get("S3BucketOwner"):
        description["S3BucketOwner"] = params["S3BucketOwner"]
    _save(arn, ctx, "export", table.meta["TableArn"], description)
    ctx.runtime.scheduler.spawn(_write_export(ctx, arn, description, base, lines))
    return {"ExportDescription": _public(description)}


async def _put(ctx, bucket: str, key: str, body: bytes) -> dict:
    return await ctx.runtime.call("s3", "PutObject", {"Bucket": bucket, "Key": key, "Body": body},
                                  account=ctx.account, region=ctx.region)


async def _write_export(ctx, arn: str, description: dict, base: str, lines: list[str]) -> None:
    bucket = description["S3Bucket"]
    try:
        await _put(ctx, bucket, f"{base}/_started", b"")
        text = "".join(f'{{"Item":{line}}}\n' for line in lines).encode()
        data_key = f"{base}/data/{uuid.uuid4().hex[:26]}.json.gz"
        compressed = gzip.compress(text)
        put = await _put(ctx, bucket, data_key, compressed)
        files = json.dumps({"itemCount": len(lines), "md5Checksum": hashlib.md5(compressed).hexdigest(),
                            "etag": put.get("ETag", "").strip('"'), "dataFileS3Key": data_key}) + "\n"
        await _put(ctx, bucket, f"{base}/manifest-files.json", files.encode())
        end = ctx.now()
        summary = {"version": "2020-06-30", "exportArn": arn, "startTime": description["StartTime"],
                   "endTime": end, "tableArn": description["TableArn"], "tableId": description["TableId"],
                   "exportTime": description["ExportTime"], "s3Bucket": bucket,
                   "s3Prefix": description.get("S3Prefix"), "s3SseAlgorithm": description["S3SseAlgorithm"],
                   "manifestFilesS3Key": f"{base}/manifest-files.json", "billedSizeBytes": len(text),
                   "itemCount": len(lines), "outputFormat": "DYNAMODB_JSON", "exportType": "FULL_EXPORT"}
        await _put(ctx, bucket, f"{base}/manifest-summary.json", json.dumps(summary).encode())
        _update(arn, ExportStatus="COMPLETED", EndTime=end, ItemCount=len(lines), BilledSizeBytes=len(text),
                ExportManifest=f"{base}/manifest-summary.json")
    except ServiceError as e:
        code = "S3NoSuchBucket" if e.code == "NoSuchBucket" else e.code
        _update(arn, ExportStatus="FAILED", EndTime=ctx.now(), FailureCode=code, FailureMessage=e.message)


def _public(data: dict) -> dict:
    return {k: v for k, v in data.items() if not k.startswith("_")}


@service.handler("DescribeExport")
def describe_export(ctx, params):
    return {"ExportDescription": _public(_job(ctx, params["ExportArn"], "export", ExportNotFoundException))}


@service.handler("ListExports")
def list_exports(ctx, params):
    page, next_token = _jobs_page(ctx, params, "export", params.get("MaxResults"))
    result = {"ExportSummaries": [{"ExportArn": arn, "ExportStatus": job["ExportStatus"],
                                   "ExportType": "FULL_EXPORT"} for arn, job in page]}
    if next_token:
        result["NextToken"] = next_token
    return result


def _jobs_page(ctx, params: dict, kind: str, limit: int | None) -> tuple[list[tuple[str, dict]], str | None]:
    """One page of this account's `kind` jobs in ARN order, optionally for params' TableArn and after
    its NextToken: ([(arn, job data)], the next page's token or None)."""
    sql, args = "SELECT arn, data FROM jobs WHERE account=? AND region=? AND kind=?", [ctx.account, ctx.region, kind]
    if params.get("TableArn"):
        sql += " AND table_arn=?"
        args.append(params["TableArn"])
    if params.get("NextToken"):
        sql += " AND arn > ?"
        args.append(params["NextToken"])
    rows = storage.db.query(sql + " ORDER BY arn", args)
    limit = limit or 25
    page = [(arn, json.loads(data)) for arn, data in rows[:limit]]
    return page, (rows[limit - 1][0] if len(rows) > limit else None)


# -- import ---------------------------------------------------------------------------------------

@service.handler("ImportTable")
async def import_table(ctx, params):
    from .tables import build_meta, create_table
    creation = params["TableCreationParameters"]
    input_format = params["InputFormat"]
    if input_format == "ION":
        raise ValidationException("cloudlet imports DYNAMODB_JSON and CSV; ION is not supported")
    if (params.get("InputCompressionType") or "NONE") == "ZSTD":
        raise ValidationException("cloudlet imports GZIP or uncompressed objects; ZSTD is not supported")
    name = creation["TableName"]
    if storage.find(ctx.account, ctx.region, table_name_of(name)) is not None:
        raise ResourceInUseException(f"Table already exists: {name}")
    build_meta(ctx, creation)  # validate before anything is created
    desc = create_table(ctx, creation)["TableDescription"]
    now = ctx.now()
    arn = f"{desc['TableArn']}/import/{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}"
    description = {
        "ImportArn": arn, "ImportStatus": "IN_PROGRESS", "TableArn": desc["TableArn"], "TableId": desc["TableId"],
        "ClientToken": params.get("ClientToken") or uuid.uuid4().hex, "S3BucketSource": params["S3BucketSource"],
        "ErrorCount": 0, "InputFormat": input_format, "InputCompressionType": params.get("InputCompressionType")
        or "NONE", "TableCreationParameters": creation, "StartTime": now, "ProcessedSizeBytes": 0,
        "ProcessedItemCount": 0, "ImportedItemCount": 0}
    if params.get("InputFormatOptions"):
        description["InputFormatOptions"] = params["InputFormatOptions"]
    _save(arn, ctx, "import", desc["TableArn"], _jsonable(description))
    ctx.runtime.scheduler.spawn(_run_import(ctx, arn, description))
    return {"ImportTableDescription": description}


def _jsonable(value):
    return json.loads(V.dumps(value))


async def _read_object(ctx, bucket: str, key: str) -> bytes:
    out = await ctx.runtime.call("s3", "GetObject", {"Bucket": bucket, "Key": key},
                                 account=ctx.account, region=ctx.region)
    body = out.get("Body", b"")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    chunks = []
    async for chunk in body:
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(description: dict, text: str, table) -> list[dict]:
    if description["InputFormat"] == "DYNAMODB_JSON":
        return [V.loads(line)["Item"] for line in text.splitlines() if line.strip()]
    options = (description.get("InputFormatOptions") or {}).get("Csv") or {}
    reader = csv.reader(io.StringIO(text), delimiter=options.get("Delimiter") or ",")
    rows = list(reader)
    header = options.get("HeaderList") or (rows.pop(0) if rows else [])
    items = []
    for row in rows:
        item = {}
        for column, value in zip(header, row):
            kind = table.attr_types.get(column, "S") if column in table.key_names else "S"
            if value == "" and column not in table.key_names:
                continue
            item[column] = {"B": base64.b64decode(value)} if kind == "B" else {kind: value}
        items.append(item)
    return items


async def _run_import(ctx, arn: str, description: dict) -> None:
    source = description["S3BucketSource"]
    bucket, prefix = source["S3Bucket"], source.get("S3KeyPrefix") or ""
    table = storage.find(ctx.account, ctx.region, description["TableCreationParameters"]["TableName"])
    processed = imported = errors = size = 0
    try:
        keys, token = [], None
        while True:
            request = {"Bucket": bucket, "Prefix": prefix}
            if token:
                request["ContinuationToken"] = token
            page = await ctx.runtime.call("s3", "ListObjectsV2", request, account=ctx.account, region=ctx.region)
            keys += [o["Key"] for o in page.get("Contents", [])]
            token = page.get("NextContinuationToken")
            if not token:
                break
        for key in keys:
            raw = await _read_object(ctx, bucket, key)
            size += len(raw)
            if description["InputCompressionType"] == "GZIP":
                raw = gzip.decompress(raw)
            for item in _parse(description, raw.decode(), table):
                processed += 1
                try:
                    item, _ = table.check_item(item)
                except ValidationException:
                    errors += 1
                    continue
                hk, rk = table.encode_key(item)
                with storage.db.transaction():
                    old = storage.get(table, hk, rk)
                    storage.write(table, hk, rk, old, item, ctx.now())
                imported += 1
        _update(arn, ImportStatus="COMPLETED", EndTime=ctx.now(), ProcessedItemCount=processed,
                ImportedItemCount=imported, ErrorCount=errors, ProcessedSizeBytes=size)
    except (ServiceError, ValueError, OSError) as e:
        code = "S3NoSuchBucket" if getattr(e, "code", "") == "NoSuchBucket" else getattr(e, "code", "InvalidInput")
        _update(arn, ImportStatus="FAILED", EndTime=ctx.now(), FailureCode=code,
                FailureMessage=getattr(e, "message", str(e)), ProcessedItemCount=processed,
                ImportedItemCount=imported, ErrorCount=errors)


@service.handler("DescribeImport")
def describe_import(ctx, params):
    data = _job(ctx, params["ImportArn"], "import", ImportNotFoundException)
    return {"ImportTableDescription": _restore_bytes(data)}


def _restore_bytes(data: dict) -> dict:
    return V.loads(json.dumps(data))


@service.handler("ListImports")
def list_imports(ctx, params):
    page, next_token = _jobs_page(ctx, params, "import", params.get("PageSize"))
    summaries = []
    for arn, job in page:
        summaries.append({"ImportArn": arn, "ImportStatus": job["ImportStatus"], "TableArn": job["TableArn"],
                          "S3BucketSource": job["S3BucketSource"], "InputFormat": job["InputFormat"],
                          "StartTime": job["StartTime"], **({"EndTime": job["EndTime"]} if "EndTime" in job else {})})
    result = {"ImportSummaryList": summaries}
    if next_token:
        result["NextToken"] = next_token
    return result

#!/usr/bin/python3
"""End-to-end checks of `tutela vault serve` with boto3 (the real client, SigV4, path style).

Usage: e2e_s3.py PORT MODE [FILE]
  MODE all          every operation and every Object Lock refusal with its status and code, then `features`
  MODE features     conditional GET/HEAD by date, x-amz-checksum-* verification, UploadPartCopy, ListParts and
                    ListMultipartUploads pagination, virtual-host-style addressing
  MODE crash-writer concurrent uploads until killed; each acknowledged key is appended to FILE after the 200
  MODE crash-check  every key in FILE is readable with the content it was written with
  MODE put-one      creates bucket FILE and stores one object in it
Exits non-zero with a message on the first failed expectation.
"""
import base64
import concurrent.futures
import datetime
import hashlib
import http.client
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
import zlib

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

PORT = sys.argv[1]
MODE = sys.argv[2]
ENDPOINT = f"http://127.0.0.1:{PORT}"


def client(access, secret, style="path"):
    return boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=access, aws_secret_access_key=secret,
                        region_name="us-east-1",
                        config=Config(signature_version="s3v4", s3={"addressing_style": style},
                                      retries={"max_attempts": 1}))


alice = client("AKALICE", "alice-secret")
admin = client("AKADMIN", "admin-secret")


def refused(call, status, code):
    try:
        call()
    except ClientError as error:
        got = (error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"])
        if got != (status, code):
            sys.exit(f"expected {status} {code}, got {got}")
        return
    sys.exit(f"expected {status} {code}, but the call succeeded")


def expect(value, wanted, what):
    if value != wanted:
        sys.exit(f"{what}: expected {wanted!r}, got {value!r}")


def future(seconds):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)


def signed_headers(method, path, headers, payload):
    """Adds x-amz-date, x-amz-content-sha256 and a SigV4 Authorization for alice over every header in `headers`
    (signing by hand, for requests botocore will not make). Returns (headers, signing key, date, scope, signature)."""
    import hmac
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{day}/us-east-1/s3/aws4_request"
    sign = lambda key_bytes, text: hmac.new(key_bytes, text.encode(), hashlib.sha256).digest()
    key_bytes = sign(sign(sign(sign(b"AWS4alice-secret", day), "us-east-1"), "s3"), "aws4_request")
    headers = dict(headers, **{"host": f"127.0.0.1:{PORT}", "x-amz-date": amz_date, "x-amz-content-sha256": payload})
    names = sorted(headers)
    canonical = "\n".join([method, path, ""] + [f"{n}:{headers[n]}" for n in names] + ["", ";".join(names), payload])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signature = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential=AKALICE/{scope}, SignedHeaders={';'.join(names)}, "
                                f"Signature={signature}")
    return headers, key_bytes, amz_date, scope, signature


def send(method, path, body, headers):
    connection = http.client.HTTPConnection("127.0.0.1", int(PORT))
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    result = (answer.status, answer.read())
    connection.close()
    return result


def chunked_put(bucket, key, data, chunk_size, corrupt_chunk=None):
    """PUTs `data` as a signed aws-chunked body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), as the AWS SDKs for Java and Go
    and MinIO's client send it (botocore does not send this mode). Returns (status, body)."""
    import hmac
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    encoded_length = sum(len(f"{len(c):x};chunk-signature=".encode()) + 64 + 2 + len(c) + 2 for c in chunks)
    headers, key_bytes, amz_date, scope, previous = signed_headers(
        "PUT", f"/{bucket}/{key}", {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
                                    "content-length": str(encoded_length)}, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    body = b""
    empty = hashlib.sha256(b"").hexdigest()
    for index, chunk in enumerate(chunks):
        text = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, empty,
                           hashlib.sha256(chunk).hexdigest()])
        previous = hmac.new(key_bytes, text.encode(), hashlib.sha256).hexdigest()
        sent = chunk if index != corrupt_chunk else b"X" + chunk[1:]
        body += f"{len(chunk):x};chunk-signature={previous}\r\n".encode() + sent + b"\r\n"
    return send("PUT", f"/{bucket}/{key}", body, headers)

def run_all():
    # Authentication.
    wrong = client("AKALICE", "not-the-secret")
    refused(lambda: wrong.list_buckets(), 403, "SignatureDoesNotMatch")
    unknown = client("AKNOBODY", "x")
    refused(lambda: unknown.list_buckets(), 403, "InvalidAccessKeyId")
    try:
        urllib.request.urlopen(f"{ENDPOINT}/")
        sys.exit("an unsigned request was accepted")
    except urllib.error.HTTPError as error:
        expect(error.code, 403, "unsigned request status")
        expect(b"<Code>AccessDenied</Code>" in error.read(), True, "unsigned request code")

    # Buckets.
    alice.create_bucket(Bucket="plain")
    refused(lambda: alice.create_bucket(Bucket="plain"), 409, "BucketAlreadyOwnedByYou")
    refused(lambda: alice.create_bucket(Bucket="Bad_Name"), 400, "InvalidBucketName")
    alice.head_bucket(Bucket="plain")
    refused(lambda: alice.head_bucket(Bucket="absent"), 404, "404")
    expect(alice.get_bucket_location(Bucket="plain").get("LocationConstraint"), None, "location")
    expect("plain" in [b["Name"] for b in alice.list_buckets()["Buckets"]], True, "ListBuckets")

    # Objects on an unversioned bucket: put, get, range, conditional, head, copy, list, delete.
    body = b"0123456789" * 100
    put = alice.put_object(Bucket="plain", Key="dir/one.txt", Body=body, ContentType="text/plain")
    expect(put["ETag"], '"' + hashlib.md5(body).hexdigest() + '"', "ETag")
    got = alice.get_object(Bucket="plain", Key="dir/one.txt")
    expect(got["Body"].read(), body, "GetObject body")
    expect(got["ContentType"], "text/plain", "content type")
    expect(alice.get_object(Bucket="plain", Key="dir/one.txt", Range="bytes=10-19")["Body"].read(), b"0123456789",
           "range")
    expect(alice.get_object(Bucket="plain", Key="dir/one.txt", Range="bytes=-3")["Body"].read(), b"789", "suffix")
    refused(lambda: alice.get_object(Bucket="plain", Key="dir/one.txt", Range="bytes=5000-"), 416, "InvalidRange")
    refused(lambda: alice.get_object(Bucket="plain", Key="dir/one.txt", IfMatch='"nope"'), 412, "PreconditionFailed")
    expect(alice.head_object(Bucket="plain", Key="dir/one.txt")["ContentLength"], 1000, "HeadObject length")
    alice.copy_object(Bucket="plain", Key="dir/two.txt", CopySource={"Bucket": "plain", "Key": "dir/one.txt"})
    alice.put_object(Bucket="plain", Key="top.txt", Body=b"t")
    listed = alice.list_objects_v2(Bucket="plain", Delimiter="/")
    expect([c["Prefix"] for c in listed.get("CommonPrefixes", [])], ["dir/"], "v2 common prefixes")
    expect([c["Key"] for c in listed.get("Contents", [])], ["top.txt"], "v2 contents")
    page = alice.list_objects_v2(Bucket="plain", MaxKeys=2)
    expect(page["IsTruncated"], True, "v2 truncated")
    rest = alice.list_objects_v2(Bucket="plain", MaxKeys=2, ContinuationToken=page["NextContinuationToken"])
    expect([c["Key"] for c in rest["Contents"]], ["top.txt"], "v2 second page")
    expect([c["Key"] for c in alice.list_objects(Bucket="plain", Prefix="dir/")["Contents"]],
           ["dir/one.txt", "dir/two.txt"], "v1 listing")
    refused(lambda: alice.get_object(Bucket="plain", Key="missing"), 404, "NoSuchKey")
    refused(lambda: alice.put_object(Bucket="plain", Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                                     ObjectLockRetainUntilDate=future(60)), 400, "InvalidRequest")
    refused(lambda: alice.put_object_retention(Bucket="plain", Key="top.txt",
                                               Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(60)}),
            400, "InvalidRequest")
    refused(lambda: alice.get_object_lock_configuration(Bucket="plain"), 404, "ObjectLockConfigurationNotFoundError")
    refused(lambda: alice.put_object_lock_configuration(Bucket="plain",
                                                        ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"}),
            409, "InvalidBucketState")
    deleted = alice.delete_objects(Bucket="plain", Delete={"Objects": [{"Key": "dir/one.txt"}, {"Key": "dir/two.txt"},
                                                                       {"Key": "top.txt"}], "Quiet": True})
    expect(deleted.get("Errors"), None, "DeleteObjects quiet")
    alice.delete_object(Bucket="plain", Key="nothing-there")
    alice.delete_bucket(Bucket="plain")

    # Versioning and delete markers.
    alice.create_bucket(Bucket="versioned")
    alice.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    expect(alice.get_bucket_versioning(Bucket="versioned")["Status"], "Enabled", "versioning status")
    v1 = alice.put_object(Bucket="versioned", Key="k", Body=b"one")["VersionId"]
    v2 = alice.put_object(Bucket="versioned", Key="k", Body=b"two")["VersionId"]
    expect(alice.get_object(Bucket="versioned", Key="k", VersionId=v1)["Body"].read(), b"one", "old version")
    marker = alice.delete_object(Bucket="versioned", Key="k")
    expect(marker.get("DeleteMarker"), True, "delete marker")
    refused(lambda: alice.get_object(Bucket="versioned", Key="k"), 404, "NoSuchKey")
    versions = alice.list_object_versions(Bucket="versioned")
    expect(sorted(v["VersionId"] for v in versions["Versions"]), sorted([v1, v2]), "ListObjectVersions")
    expect(len(versions["DeleteMarkers"]), 1, "delete markers listed")
    alice.delete_object(Bucket="versioned", Key="k", VersionId=marker["VersionId"])
    expect(alice.get_object(Bucket="versioned", Key="k")["Body"].read(), b"two", "marker removed")
    # Lock on an existing versioned bucket.
    alice.put_object_lock_configuration(Bucket="versioned", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    refused(lambda: alice.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Suspended"}),
            409, "InvalidBucketState")

    # Object Lock.
    alice.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    expect(alice.get_bucket_versioning(Bucket="locked")["Status"], "Enabled", "lock turns versioning on")
    refused(lambda: alice.put_object_lock_configuration(
        Bucket="locked", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {
            "DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}}), 400, "MalformedXML")
    refused(lambda: alice.put_object_lock_configuration(
        Bucket="locked", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {
            "DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}}), 400, "InvalidRetentionPeriod")
    comp = alice.put_object(Bucket="locked", Key="c", Body=b"compliance", ObjectLockMode="COMPLIANCE",
                            ObjectLockRetainUntilDate=future(3600))["VersionId"]
    head = alice.head_object(Bucket="locked", Key="c")
    expect(head["ObjectLockMode"], "COMPLIANCE", "lock mode header")
    expect(head["ObjectLockLegalHoldStatus"], "OFF", "legal hold header")
    refused(lambda: admin.delete_object(Bucket="locked", Key="c", VersionId=comp, BypassGovernanceRetention=True),
            403, "AccessDenied")
    refused(lambda: alice.put_object_retention(Bucket="locked", Key="c", VersionId=comp, Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": future(7200)}), 403, "AccessDenied")
    refused(lambda: alice.put_object_retention(Bucket="locked", Key="c", VersionId=comp, Retention={
        "Mode": "COMPLIANCE", "RetainUntilDate": future(60)}), 403, "AccessDenied")
    alice.put_object_retention(Bucket="locked", Key="c", VersionId=comp,
                               Retention={"Mode": "COMPLIANCE", "RetainUntilDate": future(7200)})
    expect(alice.get_object_retention(Bucket="locked", Key="c", VersionId=comp)["Retention"]["Mode"], "COMPLIANCE",
           "GetObjectRetention")
    gov = alice.put_object(Bucket="locked", Key="g", Body=b"governance", ObjectLockMode="GOVERNANCE",
                           ObjectLockRetainUntilDate=future(3600))["VersionId"]
    refused(lambda: alice.delete_object(Bucket="locked", Key="g", VersionId=gov), 403, "AccessDenied")
    refused(lambda: alice.delete_object(Bucket="locked", Key="g", VersionId=gov, BypassGovernanceRetention=True),
            403, "AccessDenied")
    errors = alice.delete_objects(Bucket="locked", Delete={"Objects": [{"Key": "g", "VersionId": gov}]})["Errors"]
    expect([e["Code"] for e in errors], ["AccessDenied"], "DeleteObjects per-key error")
    # A delete without a version id adds a marker; the locked version survives.
    expect(alice.delete_object(Bucket="locked", Key="g").get("DeleteMarker"), True, "marker over locked")
    expect(alice.get_object(Bucket="locked", Key="g", VersionId=gov)["Body"].read(), b"governance", "survivor")
    # Legal hold.
    held = alice.put_object(Bucket="locked", Key="h", Body=b"held", ObjectLockLegalHoldStatus="ON")["VersionId"]
    expect(alice.get_object_legal_hold(Bucket="locked", Key="h")["LegalHold"]["Status"], "ON", "legal hold")
    refused(lambda: admin.delete_object(Bucket="locked", Key="h", VersionId=held, BypassGovernanceRetention=True),
            403, "AccessDenied")
    alice.put_object_legal_hold(Bucket="locked", Key="h", LegalHold={"Status": "OFF"})
    alice.delete_object(Bucket="locked", Key="h", VersionId=held)
    # Default retention, and the Content-MD5 rule (boto3 sends Content-MD5 itself for these).
    alice.put_object_lock_configuration(Bucket="locked", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    expect(alice.get_object_lock_configuration(Bucket="locked")["ObjectLockConfiguration"]["Rule"]
           ["DefaultRetention"]["Days"], 1, "default retention")
    d = alice.put_object(Bucket="locked", Key="d", Body=b"defaulted")["VersionId"]
    expect(alice.head_object(Bucket="locked", Key="d", VersionId=d)["ObjectLockMode"], "GOVERNANCE",
           "default applied")
    # GOVERNANCE with the bypass permission and header: allowed.
    admin.delete_object(Bucket="locked", Key="d", VersionId=d, BypassGovernanceRetention=True)
    deleted = admin.delete_objects(Bucket="locked", BypassGovernanceRetention=True,
                                   Delete={"Objects": [{"Key": "g", "VersionId": gov}]})
    expect(deleted.get("Errors"), None, "DeleteObjects with bypass")
    # Multipart upload with lock headers.
    mpu = alice.create_multipart_upload(Bucket="locked", Key="big", ObjectLockMode="COMPLIANCE",
                                        ObjectLockRetainUntilDate=future(3600))["UploadId"]
    part1 = b"a" * (5 * 1024 * 1024)
    part2 = b"tail"
    e1 = alice.upload_part(Bucket="locked", Key="big", UploadId=mpu, PartNumber=1, Body=part1)["ETag"]
    e2 = alice.upload_part(Bucket="locked", Key="big", UploadId=mpu, PartNumber=2, Body=part2)["ETag"]
    expect([p["PartNumber"] for p in alice.list_parts(Bucket="locked", Key="big", UploadId=mpu)["Parts"]], [1, 2],
           "ListParts")
    expect([u["UploadId"] for u in alice.list_multipart_uploads(Bucket="locked").get("Uploads", [])], [mpu],
           "ListMultipartUploads")
    refused(lambda: alice.complete_multipart_upload(Bucket="locked", Key="big", UploadId=mpu, MultipartUpload={
        "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]}), 400, "InvalidPartOrder")
    refused(lambda: alice.complete_multipart_upload(Bucket="locked", Key="big", UploadId=mpu, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e2}, {"PartNumber": 2, "ETag": e2}]}), 400, "InvalidPart")
    done = alice.complete_multipart_upload(Bucket="locked", Key="big", UploadId=mpu, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    expect(done["ETag"].endswith('-2"'), True, "multipart ETag")
    big = alice.get_object(Bucket="locked", Key="big")
    expect(big["Body"].read() == part1 + part2, True, "multipart content")
    expect(big["ObjectLockMode"], "COMPLIANCE", "multipart lock mode")
    refused(lambda: admin.delete_object(Bucket="locked", Key="big", VersionId=done["VersionId"],
                                        BypassGovernanceRetention=True), 403, "AccessDenied")
    small = alice.create_multipart_upload(Bucket="locked", Key="small")["UploadId"]
    s1 = alice.upload_part(Bucket="locked", Key="small", UploadId=small, PartNumber=1, Body=b"x")["ETag"]
    s2 = alice.upload_part(Bucket="locked", Key="small", UploadId=small, PartNumber=2, Body=b"y")["ETag"]
    refused(lambda: alice.complete_multipart_upload(Bucket="locked", Key="small", UploadId=small, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": s1}, {"PartNumber": 2, "ETag": s2}]}), 400, "EntityTooSmall")
    alice.abort_multipart_upload(Bucket="locked", Key="small", UploadId=small)
    refused(lambda: alice.list_parts(Bucket="locked", Key="small", UploadId=small), 404, "NoSuchUpload")
    refused(lambda: alice.create_multipart_upload(Bucket="versioned", Key="m", ObjectLockMode="GOVERNANCE"), 400,
            "InvalidArgument")
    # Presigned GET (SigV4 query authentication).
    url = alice.generate_presigned_url("get_object", Params={"Bucket": "locked", "Key": "c"}, ExpiresIn=60)
    expect(urllib.request.urlopen(url).read(), b"compliance", "presigned GET")
    # Presigned PUT (a browser upload): small (a segment) and large (a streamed blob); a URL for another key, or
    # one that has expired, is refused.
    for key, data in (("pre/small", b"presigned small"), ("pre/large", os.urandom(3 * 1024 * 1024 + 17))):
        url = alice.generate_presigned_url("put_object", Params={"Bucket": "versioned", "Key": key}, ExpiresIn=60)
        answer = urllib.request.urlopen(urllib.request.Request(url, data=data, method="PUT"))
        expect(answer.status, 200, "presigned PUT status " + key)
        expect(answer.headers["ETag"], '"' + hashlib.md5(data).hexdigest() + '"', "presigned PUT ETag " + key)
        expect(alice.get_object(Bucket="versioned", Key=key)["Body"].read() == data, True, "presigned PUT body " + key)
    url = alice.generate_presigned_url("put_object", Params={"Bucket": "versioned", "Key": "pre/a"}, ExpiresIn=60)
    try:
        urllib.request.urlopen(urllib.request.Request(url.replace("/pre/a?", "/pre/b?"), data=b"x", method="PUT"))
        sys.exit("a presigned PUT for another key was accepted")
    except urllib.error.HTTPError as error:
        expect(error.code, 403, "presigned PUT, other key")
        expect(b"<Code>SignatureDoesNotMatch</Code>" in error.read(), True, "presigned PUT, other key: code")
    url = alice.generate_presigned_url("put_object", Params={"Bucket": "versioned", "Key": "pre/late"}, ExpiresIn=1)
    time.sleep(2)
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=os.urandom(200000), method="PUT"))
        sys.exit("an expired presigned PUT was accepted")
    except urllib.error.HTTPError as error:
        expect(error.code, 403, "expired presigned PUT")
        expect(b"<Code>AccessDenied</Code>" in error.read(), True, "expired presigned PUT: code")
    refused(lambda: alice.head_object(Bucket="versioned", Key="pre/late"), 404, "404")
    # aws-chunked with chunk signatures, streamed and verified chunk by chunk: small, and 3 MiB in 64 KiB chunks.
    for key, data in (("chunked/small", b"chunked and signed"), ("chunked/large", os.urandom(3 * 1024 * 1024 + 5))):
        status, answer = chunked_put("versioned", key, data, 65536)
        expect(status, 200, "aws-chunked PUT " + key + " " + answer.decode(errors="replace"))
        expect(alice.get_object(Bucket="versioned", Key=key)["Body"].read() == data, True, "aws-chunked body " + key)
    status, answer = chunked_put("versioned", "chunked/forged", os.urandom(200000), 65536, corrupt_chunk=2)
    expect(status, 403, "aws-chunked PUT with a changed chunk")
    expect(b"<Code>SignatureDoesNotMatch</Code>" in answer, True, "aws-chunked changed chunk: code")
    refused(lambda: alice.head_object(Bucket="versioned", Key="chunked/forged"), 404, "404")
    # Regression: a key that is not UTF-8 ("%FF") made the server abort (the ledger's JSON writer threw in the
    # commit thread), ending the service for every client. It is refused, and the server goes on.
    headers = signed_headers("PUT", "/versioned/bad%FFkey", {}, "UNSIGNED-PAYLOAD")[0]
    status, answer = send("PUT", "/versioned/bad%FFkey", b"data", headers)
    expect(status, 400, "a key that is not UTF-8")
    expect(b"<Code>InvalidArgument</Code>" in answer, True, "a key that is not UTF-8: code")
    headers = signed_headers("PUT", "/versioned/latin1-type", {}, "UNSIGNED-PAYLOAD")[0]
    headers["content-type"] = b"text/plain; charset=\xe9"  # unsigned header, raw byte
    status, answer = send("PUT", "/versioned/latin1-type", b"data", headers)
    expect(status, 400, "a Content-Type that is not UTF-8")
    alice.put_object(Bucket="versioned", Key="after-bad-keys", Body=b"still serving")
    expect(alice.get_object(Bucket="versioned", Key="after-bad-keys")["Body"].read(), b"still serving",
           "the server still serves after refusing them")
    refused(lambda: alice.delete_bucket(Bucket="locked"), 409, "BucketNotEmpty")
    print("all checks passed")


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def b64(raw):
    return base64.b64encode(raw).decode()


def virtual_host_client(access, secret):
    """A client addressing buckets as BUCKET.localhost:PORT; requests go to 127.0.0.1 with that Host header (the
    name need not resolve), signed for it as any S3 client signs them."""
    vclient = boto3.client("s3", endpoint_url=f"http://localhost:{PORT}", aws_access_key_id=access,
                           aws_secret_access_key=secret, region_name="us-east-1",
                           config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"},
                                         retries={"max_attempts": 1}))
    hosts = []

    def to_loopback(request, **kwargs):
        url = urllib.parse.urlsplit(request.url)
        hosts.append(url.netloc)
        request.headers["Host"] = url.netloc
        request.url = urllib.parse.urlunsplit(url._replace(netloc=f"127.0.0.1:{PORT}"))

    vclient.meta.events.register("before-send.s3", to_loopback)
    return vclient, hosts


def run_features():
    alice.create_bucket(Bucket="features")
    # Conditional GET/HEAD by date (Last-Modified has whole seconds).
    alice.put_object(Bucket="features", Key="doc", Body=b"document")
    modified = alice.head_object(Bucket="features", Key="doc")["LastModified"]
    earlier = modified - datetime.timedelta(seconds=5)
    later = modified + datetime.timedelta(seconds=5)
    refused(lambda: alice.get_object(Bucket="features", Key="doc", IfModifiedSince=later), 304, "304")
    refused(lambda: alice.get_object(Bucket="features", Key="doc", IfModifiedSince=modified), 304, "304")
    refused(lambda: alice.head_object(Bucket="features", Key="doc", IfModifiedSince=later), 304, "304")
    expect(alice.get_object(Bucket="features", Key="doc", IfModifiedSince=earlier)["Body"].read(), b"document",
           "If-Modified-Since earlier")
    refused(lambda: alice.get_object(Bucket="features", Key="doc", IfUnmodifiedSince=earlier), 412,
            "PreconditionFailed")
    refused(lambda: alice.head_object(Bucket="features", Key="doc", IfUnmodifiedSince=earlier), 412, "412")
    expect(alice.get_object(Bucket="features", Key="doc", IfUnmodifiedSince=later)["Body"].read(), b"document",
           "If-Unmodified-Since later")
    etag = hashlib.md5(b"document").hexdigest()
    # If-Match that holds wins over a failing If-Unmodified-Since; If-None-Match that fails wins over If-Modified-Since.
    expect(alice.get_object(Bucket="features", Key="doc", IfMatch=f'"{etag}"', IfUnmodifiedSince=earlier)
           ["Body"].read(), b"document", "If-Match over If-Unmodified-Since")
    refused(lambda: alice.get_object(Bucket="features", Key="doc", IfNoneMatch=f'"{etag}"', IfModifiedSince=earlier),
            304, "304")
    expect(alice.get_object(Bucket="features", Key="doc", IfNoneMatch='"other"', IfModifiedSince=later)
           ["Body"].read(), b"document", "If-None-Match over If-Modified-Since")

    # x-amz-checksum-*: computed by botocore, or given; every one verified.
    data = b"checked records " * 100
    for algorithm in ("CRC32", "SHA1", "SHA256"):
        alice.put_object(Bucket="features", Key="sum-" + algorithm, Body=data, ChecksumAlgorithm=algorithm)
    alice.put_object(Bucket="features", Key="sum-given", Body=data,
                     ChecksumCRC32C=b64(crc32c(data).to_bytes(4, "big")),
                     ChecksumSHA256=b64(hashlib.sha256(data).digest()))
    refused(lambda: alice.put_object(Bucket="features", Key="sum-bad", Body=data,
                                     ChecksumCRC32=b64((zlib.crc32(data) ^ 1).to_bytes(4, "big"))), 400, "BadDigest")
    refused(lambda: alice.put_object(Bucket="features", Key="sum-bad", Body=data,
                                     ChecksumCRC32C=b64(crc32c(b"other").to_bytes(4, "big"))), 400, "BadDigest")
    refused(lambda: alice.put_object(Bucket="features", Key="sum-bad", Body=data,
                                     ChecksumSHA1=b64(hashlib.sha1(b"other").digest())), 400, "BadDigest")
    refused(lambda: alice.put_object(Bucket="features", Key="sum-bad", Body=data, ChecksumSHA256="AAAA"), 400,
            "InvalidRequest")
    refused(lambda: alice.head_object(Bucket="features", Key="sum-bad"), 404, "404")
    # x-amz-checksum-mode: ENABLED gives the object's SHA-256 whatever checksum the upload carried (botocore checks it
    # against the body it reads); without the mode, or for a range, there is none.
    for key in ("sum-CRC32", "sum-given", "doc"):
        got = alice.get_object(Bucket="features", Key=key, ChecksumMode="ENABLED")
        body = got["Body"].read()
        expect(got.get("ChecksumSHA256"), b64(hashlib.sha256(body).digest()), "checksum mode GET " + key)
    expect(alice.head_object(Bucket="features", Key="sum-CRC32", ChecksumMode="ENABLED").get("ChecksumSHA256"),
           b64(hashlib.sha256(data).digest()), "checksum mode HEAD")
    expect("ChecksumSHA256" in alice.get_object(Bucket="features", Key="sum-CRC32"), False, "no checksum mode")
    part = alice.get_object(Bucket="features", Key="sum-CRC32", Range="bytes=0-9", ChecksumMode="ENABLED")
    expect(("ChecksumSHA256" in part, part["Body"].read()), (False, data[:10]), "checksum mode, ranged GET")

    # UploadPartCopy, whole and ranged, and ListParts / ListMultipartUploads pagination.
    source = b"S" * (5 * 1024 * 1024) + b"tail"
    alice.put_object(Bucket="features", Key="source", Body=source)
    # Large GETs are streamed from the file: whole, ranged, suffix.
    expect(alice.get_object(Bucket="features", Key="source")["Body"].read() == source, True, "large GET")
    ranged = alice.get_object(Bucket="features", Key="source", Range="bytes=100-2000099")
    expect((ranged["ContentRange"], ranged["Body"].read() == source[100:2000100]),
           (f"bytes 100-2000099/{len(source)}", True), "large ranged GET")
    expect(alice.get_object(Bucket="features", Key="source", Range="bytes=-1048577")["Body"].read() ==
           source[-1048577:], True, "large suffix GET")
    mpu = alice.create_multipart_upload(Bucket="features", Key="copied")["UploadId"]
    c1 = alice.upload_part_copy(Bucket="features", Key="copied", UploadId=mpu, PartNumber=1,
                                CopySource={"Bucket": "features", "Key": "source"})["CopyPartResult"]["ETag"]
    expect(c1, '"' + hashlib.md5(source).hexdigest() + '"', "UploadPartCopy ETag")
    c2 = alice.upload_part_copy(Bucket="features", Key="copied", UploadId=mpu, PartNumber=2,
                                CopySource={"Bucket": "features", "Key": "source"},
                                CopySourceRange=f"bytes=4-{len(source) - 1}")["CopyPartResult"]["ETag"]
    expect(c2, '"' + hashlib.md5(source[4:]).hexdigest() + '"', "ranged UploadPartCopy ETag")
    refused(lambda: alice.upload_part_copy(Bucket="features", Key="copied", UploadId=mpu, PartNumber=3,
                                           CopySource={"Bucket": "features", "Key": "source"},
                                           CopySourceRange=f"bytes=0-{len(source)}"), 400, "InvalidArgument")
    refused(lambda: alice.upload_part_copy(Bucket="features", Key="copied", UploadId=mpu, PartNumber=3,
                                           CopySource={"Bucket": "features", "Key": "absent"}), 404, "NoSuchKey")
    alice.upload_part(Bucket="features", Key="copied", UploadId=mpu, PartNumber=3, Body=b"three")
    page = alice.list_parts(Bucket="features", Key="copied", UploadId=mpu, MaxParts=2)
    expect((page["IsTruncated"], [p["PartNumber"] for p in page["Parts"]], page["NextPartNumberMarker"]),
           (True, [1, 2], 2), "ListParts first page")
    rest = alice.list_parts(Bucket="features", Key="copied", UploadId=mpu, MaxParts=2,
                            PartNumberMarker=page["NextPartNumberMarker"])
    expect((rest["IsTruncated"], [p["PartNumber"] for p in rest["Parts"]]), (False, [3]), "ListParts second page")
    refused(lambda: alice.upload_part(Bucket="features", Key="copied", UploadId=mpu, PartNumber=4, Body=b"x",
                                      ChecksumSHA256=b64(hashlib.sha256(b"y").digest())), 400, "BadDigest")
    others = [alice.create_multipart_upload(Bucket="features", Key=key)["UploadId"] for key in ("m-a", "m-b", "m-b")]
    first = alice.list_multipart_uploads(Bucket="features", MaxUploads=2)
    expect(first["IsTruncated"], True, "ListMultipartUploads truncated")
    expect([u["Key"] for u in first["Uploads"]], ["copied", "m-a"], "ListMultipartUploads first page")
    second = alice.list_multipart_uploads(Bucket="features", MaxUploads=2, KeyMarker=first["NextKeyMarker"],
                                          UploadIdMarker=first["NextUploadIdMarker"])
    expect([u["UploadId"] for u in second["Uploads"]], others[1:], "ListMultipartUploads second page")
    paged = [u["UploadId"] for p in alice.get_paginator("list_multipart_uploads").paginate(
        Bucket="features", PaginationConfig={"PageSize": 1}) for u in p.get("Uploads", [])]
    expect(sorted(paged), sorted([mpu] + others), "ListMultipartUploads paginator")
    expect([u["Key"] for u in alice.list_multipart_uploads(Bucket="features", Prefix="m-b")["Uploads"]],
           ["m-b", "m-b"], "ListMultipartUploads prefix")
    for key, upload in zip(("m-a", "m-b", "m-b"), others):
        alice.abort_multipart_upload(Bucket="features", Key=key, UploadId=upload)
    done = alice.complete_multipart_upload(Bucket="features", Key="copied", UploadId=mpu, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": c1}, {"PartNumber": 2, "ETag": c2},
                  {"PartNumber": 3, "ETag": '"' + hashlib.md5(b"three").hexdigest() + '"'}]})
    expect(done["ETag"].endswith('-3"'), True, "copied multipart ETag")
    expect(alice.get_object(Bucket="features", Key="copied")["Body"].read() == source + source[4:] + b"three", True,
           "UploadPartCopy content")
    # A multipart object's checksum is of its whole data too (streamed from the file: over 1 MiB).
    whole = alice.get_object(Bucket="features", Key="copied", ChecksumMode="ENABLED")
    expect((whole["Body"].read() == source + source[4:] + b"three", whole.get("ChecksumSHA256")),
           (True, b64(hashlib.sha256(source + source[4:] + b"three").digest())), "checksum mode, multipart GET")

    # Streamed PUT bodies (boto3 signs the payload's SHA-256, so its PUTs stream into the store): a body that does
    # not match the signed hash is refused and nothing is stored; a refused request's body is consumed so the
    # keep-alive connection still works.
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    def signed_headers(key, signed_body, secret="alice-secret"):
        request = AWSRequest(method="PUT", url=f"{ENDPOINT}/features/{key}", data=signed_body)
        S3SigV4Auth(Credentials("AKALICE", secret), "s3", "us-east-1").add_auth(request)
        return dict(request.headers.items())

    connection = http.client.HTTPConnection("127.0.0.1", int(PORT))
    big = b"B" * (3 * 1024 * 1024)
    connection.request("PUT", "/features/swapped", body=big, headers=signed_headers("swapped", b"A" * len(big)))
    response = connection.getresponse()
    expect((response.status, b"XAmzContentSHA256Mismatch" in response.read()), (400, True), "streamed hash mismatch")
    connection.request("PUT", "/features/wrong-key", body=big, headers=signed_headers("wrong-key", big, "nope"))
    response = connection.getresponse()
    expect((response.status, b"SignatureDoesNotMatch" in response.read()), (403, True), "streamed bad signature")
    connection.request("PUT", "/features/streamed", body=big, headers=signed_headers("streamed", big))
    response = connection.getresponse()
    response.read()
    expect(response.status, 200, "streamed PUT on the same connection")
    expect(alice.get_object(Bucket="features", Key="streamed")["Body"].read() == big, True, "streamed content")
    refused(lambda: alice.head_object(Bucket="features", Key="swapped"), 404, "404")

    # Virtual-host-style addressing: Host "BUCKET.localhost:PORT".
    vclient, hosts = virtual_host_client("AKALICE", "alice-secret")
    vclient.create_bucket(Bucket="virtual-host")
    vclient.put_object(Bucket="virtual-host", Key="dir/v.txt", Body=b"virtual")
    expect(vclient.get_object(Bucket="virtual-host", Key="dir/v.txt")["Body"].read(), b"virtual", "virtual GET")
    expect([c["Key"] for c in vclient.list_objects_v2(Bucket="virtual-host")["Contents"]], ["dir/v.txt"],
           "virtual listing")
    expect(alice.get_object(Bucket="virtual-host", Key="dir/v.txt")["Body"].read(), b"virtual", "path-style read")
    refused(lambda: vclient.get_object(Bucket="virtual-host", Key="absent"), 404, "NoSuchKey")
    vclient.delete_object(Bucket="virtual-host", Key="dir/v.txt")
    vclient.delete_bucket(Bucket="virtual-host")
    expect(all(host == f"virtual-host.localhost:{PORT}" for host in hosts) and len(hosts) >= 6, True,
           f"virtual-host requests went to BUCKET.localhost ({hosts})")
    print("feature checks passed")


def run_crash_writer(path):
    lock = threading.Lock()
    out = open(path, "a", buffering=1)
    alice.create_bucket(Bucket="crash", ObjectLockEnabledForBucket=True)

    def upload(index):
        key = f"k{index:06d}"
        data = hashlib.sha256(key.encode()).hexdigest().encode() * 64
        alice.put_object(Bucket="crash", Key=key, Body=data)
        with lock:
            out.write(key + "\n")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(upload, range(100000)))


def run_crash_check(path):
    keys = [line.strip() for line in open(path) if line.strip()]
    if not keys:
        sys.exit("the writer acknowledged nothing before the kill")
    listed = set()
    for page in alice.get_paginator("list_objects_v2").paginate(Bucket="crash"):
        listed.update(c["Key"] for c in page.get("Contents", []))
    for key in keys:
        data = alice.get_object(Bucket="crash", Key=key)["Body"].read()
        expect(data, hashlib.sha256(key.encode()).hexdigest().encode() * 64, "acknowledged object " + key)
    # Nothing half-written: every listed object has its full content.
    for key in listed - set(keys):
        data = alice.get_object(Bucket="crash", Key=key)["Body"].read()
        expect(data, hashlib.sha256(key.encode()).hexdigest().encode() * 64, "unacknowledged but visible " + key)
    print(f"{len(keys)} acknowledged objects intact, {len(listed)} listed")


if MODE == "all":
    run_all()
    run_features()
elif MODE == "features":
    run_features()
elif MODE == "put-one":
    alice.create_bucket(Bucket=sys.argv[3])
    alice.put_object(Bucket=sys.argv[3], Key="one", Body=b"one")
elif MODE == "crash-writer":
    run_crash_writer(sys.argv[3])
elif MODE == "crash-check":
    run_crash_check(sys.argv[3])
else:
    sys.exit("unknown mode " + MODE)

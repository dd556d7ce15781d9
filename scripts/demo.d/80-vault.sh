# Store the demo's reports in a WORM bucket (COMPLIANCE retention, S3 Object Lock) through the S3 API, then verify
# every stored version against the Merkle log and export the records with their audit trail.
step "Vault: storing the demo's reports in a locked bucket over the S3 API"
VAULT_DIR=$(mktemp -d)
trap 'kill "$VAULT_PID" 2>/dev/null || true; rm -rf "$VAULT_DIR"' EXIT
"$TUTELA" vault serve --data "$VAULT_DIR/data" --users "$EXAMPLES/vault/users.yaml" --listen 127.0.0.1:0 \
  --port-file "$VAULT_DIR/port" 2>"$VAULT_DIR/serve.log" &
VAULT_PID=$!
for _ in $(seq 100); do [ -s "$VAULT_DIR/port" ] && break; sleep 0.1; done
PORT=$(cat "$VAULT_DIR/port")
/usr/bin/python3 - "$PORT" "$OUT" <<'PY'
import datetime, os, sys
import boto3
from botocore.config import Config
port, out = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="AKDEMOCLERK",
                  aws_secret_access_key="demo-clerk-secret", region_name="us-east-1",
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
s3.create_bucket(Bucket="demo-records", ObjectLockEnabledForBucket=True)
s3.put_object_lock_configuration(Bucket="demo-records", ObjectLockConfiguration={
    "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}})
stored = 0
for root, _, files in os.walk(out):
    for name in sorted(files):
        path = os.path.join(root, name)
        key = os.path.relpath(path, out)
        with open(path, "rb") as handle:
            s3.put_object(Bucket="demo-records", Key=key, Body=handle.read())
        stored += 1
try:
    first = s3.list_object_versions(Bucket="demo-records")["Versions"][0]
    s3.delete_object(Bucket="demo-records", Key=first["Key"], VersionId=first["VersionId"])
    print("ERROR: a COMPLIANCE-locked version was deleted")
    sys.exit(1)
except s3.exceptions.ClientError as error:
    print(f"stored {stored} reports under COMPLIANCE retention; deleting one is refused: "
          f"{error.response['Error']['Code']}")
PY
kill -TERM "$VAULT_PID"
wait "$VAULT_PID"
step "Vault: re-hashing every stored version against the Merkle log"
"$TUTELA" vault verify --data "$VAULT_DIR/data"
"$TUTELA" vault export --data "$VAULT_DIR/data" --bucket demo-records --output "$OUT/vault-export"
"$TUTELA" vault proof inclusion --data "$VAULT_DIR/data" --index 0 --format table

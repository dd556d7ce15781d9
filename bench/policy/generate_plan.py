#!/usr/bin/python3
"""Writes a synthetic Terraform plan (format 1.2) with N resources spread over modules, for the assess benchmark.

Usage: generate_plan.py N OUTPUT. Deterministic: the same N gives the same file.
"""
import json
import sys


def resource(address, module, rtype, name, values):
    return {"address": (module + "." if module else "") + address, "mode": "managed", "type": rtype,
            "name": name, "provider_name": "registry.terraform.io/hashicorp/x", "values": values}


def main():
    count, output = int(sys.argv[1]), sys.argv[2]
    per_module = 1000
    modules = []
    changes = []
    config_calls = {}
    made = 0
    module_index = 0
    while made < count:
        module = f"module.m{module_index}"
        resources = []
        config = []
        for i in range(min(per_module, count - made) // 10 or 1):
            n = f"r{i}"
            kinds = [
                ("aws_s3_bucket", {"bucket": f"b-{module_index}-{i}", "tags": {"records": "true" if i % 7 == 0 else "false"}}),
                ("aws_s3_bucket_versioning", {"versioning_configuration": [{"status": "Enabled" if i % 3 else "Suspended"}]}),
                ("aws_s3_bucket_server_side_encryption_configuration", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}),
                ("aws_security_group", {"name": n, "ingress": [{"from_port": 22 if i % 5 == 0 else 443, "to_port": 22 if i % 5 == 0 else 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": []}]}),
                ("aws_instance", {"ami": "ami-123", "instance_type": "t3.micro", "metadata_options": [{"http_tokens": "required"}], "root_block_device": [{"encrypted": i % 2 == 0}]}),
                ("aws_db_instance", {"engine": "postgres", "storage_encrypted": True, "publicly_accessible": False, "backup_retention_period": 7, "deletion_protection": i % 2 == 0}),
                ("aws_iam_policy", {"policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"] if i % 9 else ["*"], "Resource": "*"}]})}),
                ("tencentcloud_cos_bucket", {"bucket": f"c-{module_index}-{i}-1250000000", "acl": "private", "encryption_algorithm": "KMS", "log_enable": i % 2 == 0}),
                ("tencentcloud_instance", {"instance_type": "S5.MEDIUM2", "allocate_public_ip": i % 4 == 0, "data_disks": [{"encrypt": True}]}),
                ("tencentcloud_mysql_instance", {"internet_service": 0, "mem_size": 4000}),
            ]
            for rtype, values in kinds:
                address = f"{rtype}.{n}"
                resources.append(resource(address, module, rtype, n, values))
                unknown = {"id": True, "arn": True}
                if rtype == "aws_s3_bucket":
                    unknown["server_side_encryption_configuration"] = True
                changes.append({"address": f"{module}.{address}", "module_address": module, "mode": "managed",
                                "type": rtype, "name": n, "change": {"actions": ["create"], "after_unknown": unknown}})
                if rtype in ("aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration"):
                    config.append({"address": address, "mode": "managed", "type": rtype, "name": n,
                                   "expressions": {"bucket": {"references": [f"aws_s3_bucket.{n}.id", f"aws_s3_bucket.{n}"]}}})
            made += len(kinds)
        modules.append({"address": module, "resources": resources})
        config_calls[f"m{module_index}"] = {"source": "./m", "module": {"resources": config}}
        module_index += 1
    plan = {"format_version": "1.2", "terraform_version": "1.6.6",
            "planned_values": {"root_module": {"resources": [], "child_modules": modules}},
            "resource_changes": changes,
            "configuration": {"root_module": {"resources": [], "module_calls": config_calls}}}
    with open(output, "w") as out:
        json.dump(plan, out)


if __name__ == "__main__":
    main()

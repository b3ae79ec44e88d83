"""Helpers of the backup tests: a config with one backup, and an S3 bucket made for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from golive.config import LoadedConfig, load_config


def backup_config(tmp_path: Path, backup: dict[str, Any], **top: Any) -> LoadedConfig:
    """A config whose ``backups:`` holds ``backup`` (plus any top-level sections given)."""
    path = tmp_path / "golive.yaml"
    document = {"version": 1, "project": "shop", "store": "sqlite:///golive.db", **top}
    document["backups"] = [backup]
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return load_config(path, environ={})


def make_bucket(url: str, bucket: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket)

"""An S3-compatible target (boto3): each file is uploaded under ``prefix + key``, in parts
above ``PART_SIZE``; boto3 aborts a multipart upload that fails, and ``abort`` deletes the parts
already stored, so a cut upload leaves no object that could be taken for a backup."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from golive.backup.model import Progress
from golive.backup.targets import MissingFiles
from golive.config.ship import S3Target as S3Spec
from golive.exceptions import BackupError
from golive.records import BackupFile

PART_SIZE = 8 * 1024 * 1024


class _Counter:
    """boto3's byte callback, summed into the progress of one phase."""

    def __init__(self, progress: Progress) -> None:
        self.progress, self.done = progress, 0

    def __call__(self, sent: int) -> None:
        self.done += sent
        self.progress.at(self.done)


class S3Target:
    def __init__(self, spec: S3Spec, environ: Mapping[str, str]) -> None:
        self.spec = spec
        self.environ = environ
        self.label = f"s3://{spec.bucket}/{spec.prefix}"
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.spec.endpoint_url,
                region_name=self.spec.region
                or self.environ.get("AWS_DEFAULT_REGION")
                or "us-east-1",
                aws_access_key_id=self.environ.get("AWS_ACCESS_KEY_ID"),
                aws_secret_access_key=self.environ.get("AWS_SECRET_ACCESS_KEY"),
                config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10),
            )
        return self._client

    def _object(self, key: str, path: str) -> str:
        return f"{self.spec.prefix}{key}/{path}"

    def _transfer(self) -> Any:
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(
            multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, num_download_attempts=2
        )

    def staging(self, key: str) -> Path:
        return Path(tempfile.mkdtemp(prefix="golive-backup-"))

    def commit(
        self, staged: Path, key: str, files: Sequence[BackupFile], progress: Progress
    ) -> None:
        progress.phase("upload", sum(f.size for f in files))
        counter = _Counter(progress)
        for file in files:
            with _translated(f"upload {file.path} to {self.label}"):
                self.client.upload_file(
                    str(staged / file.path),
                    self.spec.bucket,
                    self._object(key, file.path),
                    Config=self._transfer(),
                    Callback=counter,
                )
        shutil.rmtree(staged, ignore_errors=True)

    def abort(self, staged: Path | None, key: str) -> None:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
        try:
            listed = self.client.list_objects_v2(
                Bucket=self.spec.bucket, Prefix=self._object(key, "")
            )
            for item in listed.get("Contents", []):
                self.client.delete_object(Bucket=self.spec.bucket, Key=item["Key"])
        except Exception:  # the store may be the thing that failed; the catalog says failed
            pass

    def fetch(self, key: str, files: Sequence[BackupFile], progress: Progress) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="golive-restore-"))
        progress.phase("download", sum(f.size for f in files))
        counter = _Counter(progress)
        try:
            for file in files:
                local = folder / file.path
                local.parent.mkdir(parents=True, exist_ok=True)
                with _translated(f"download {file.path} from {self.label}"):
                    self.client.download_file(
                        self.spec.bucket,
                        self._object(key, file.path),
                        str(local),
                        Config=self._transfer(),
                        Callback=counter,
                    )
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return folder

    def release(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def delete(self, key: str, files: Sequence[BackupFile]) -> None:
        for file in files:
            with _translated(f"delete {file.path} from {self.label}"):
                self.client.delete_object(Bucket=self.spec.bucket, Key=self._object(key, file.path))


class _translated:
    """boto3 / botocore errors as BackupErrors naming what was being done."""

    def __init__(self, doing: str) -> None:
        self.doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        if exc is None:
            return
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            if str(error.get("Code")) in ("404", "NoSuchKey", "NoSuchBucket"):
                raise MissingFiles(
                    f"cannot {self.doing}: it is gone ({error.get('Code')})"
                ) from None
            raise BackupError(
                f"cannot {self.doing}: {error.get('Code')}: {error.get('Message')}"
            ) from None
        if isinstance(exc, BotoCoreError | Boto3Error):
            raise BackupError(f"cannot {self.doing}: {exc}") from None

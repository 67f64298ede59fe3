"""Where the archive's bytes are kept: on local disk by default, in an S3-compatible bucket when
ARCHIVE_S3_BUCKET is set. The database keeps what each file is (services/contracts/archive.py);
this keeps only bytes, under a key made of their SHA-256, so the same file filed twice is stored
once and a key never names two different contents.

boto3 is imported only when a bucket is configured: an agency on local disk needs no AWS SDK
configuration at all. The endpoint, region and credentials come from boto3's own standard
environment variables (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_DEFAULT_REGION,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY...), so MinIO, Ceph or a cloud's S3 all work unchanged.
"""
import os
import tempfile
from pathlib import Path
from typing import Protocol

from eventlet import tpool
from nameko.extensions import DependencyProvider

from services.common.config import var_dir

from .settings import _get


def key_for(sha256: str) -> str:
    """Two levels of fan-out keep any one directory (or listing prefix) small."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Storage(Protocol):
    def put(self, key: str, content: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class Missing(Exception):
    """The bytes under a key are not there (removed, or never written)."""


class LocalDisk:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:  # keys are ours, but never leave the archive
            raise ValueError(f"Key {key!r} is outside the archive.")
        return path

    def put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        if path.exists():  # content-addressed: the same key already holds these bytes
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its final name and renamed: a reader (or a crash) never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise Missing(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3:
    def __init__(self, bucket: str, prefix: str = "", client=None):
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, key: str, content: bytes) -> None:
        # S3 writes an object whole or not at all, so no temporary name is needed.
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=content)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise Missing(key) from None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


def from_config(config: dict | None = None) -> Storage:
    config = config or {}
    bucket = _get(config, "ARCHIVE_S3_BUCKET", "")
    if bucket:
        return S3(bucket, _get(config, "ARCHIVE_S3_PREFIX", ""))
    return LocalDisk(Path(_get(config, "ARCHIVE_DIR", "") or var_dir() / "archive"))


class _InThreads:
    """Local disk work in a real thread: writing and fsyncing a 10 MB scan must not stall every
    other worker on the eventlet hub. (S3 goes through green sockets and needs no thread.)"""

    def __init__(self, disk: LocalDisk):
        self.disk = disk

    def put(self, key: str, content: bytes) -> None:
        tpool.execute(self.disk.put, key, content)

    def get(self, key: str) -> bytes:
        return tpool.execute(self.disk.get, key)

    def delete(self, key: str) -> None:
        tpool.execute(self.disk.delete, key)


class ArchiveStorage(DependencyProvider):
    """The service's storage, made once per container (an S3 client is costly to build)."""

    def setup(self):
        chosen = from_config(self.container.config)
        self.storage = _InThreads(chosen) if isinstance(chosen, LocalDisk) else chosen

    def get_dependency(self, worker_ctx):
        return self.storage

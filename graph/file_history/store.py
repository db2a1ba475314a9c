"""A content-addressed object store: file contents and step records, each kept once under its sha256.

Objects are written to a temporary file and renamed into place, so a process killed at any moment
leaves either the whole object or none (never a torn one), and an object is never changed after it
lands: anything pointing at it stays valid. Objects are read-only on disk for the same reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

CHUNK = 1 << 20


class ObjectStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.objects = self.root / "objects"

    def path(self, digest: str) -> Path:
        return self.objects / digest[:2] / digest[2:]

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def _land(self, tmp: str, digest: str) -> str:
        """Move a finished temporary file to its address (or drop it when the object is already there)."""
        target = self.path(digest)
        if target.exists():
            os.unlink(tmp)
            return digest
        os.chmod(tmp, 0o444)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        return digest

    def _temp(self) -> tuple[int, str]:
        self.objects.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=self.objects, prefix=".tmp-")

    def put_stream(self, source: BinaryIO, keep: bool = True) -> tuple[str, int]:
        """Hash a stream (and, with keep, store its bytes) in one pass: (sha256, size)."""
        digest, size = hashlib.sha256(), 0
        if not keep:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
            return digest.hexdigest(), size
        fd, tmp = self._temp()
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            return self._land(tmp, digest.hexdigest()), size
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def put_bytes(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if self.has(digest):
            return digest
        fd, tmp = self._temp()
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        except BaseException:
            os.unlink(tmp)
            raise
        return self._land(tmp, digest)

    def put_json(self, value: Any) -> str:
        return self.put_bytes(json.dumps(value, sort_keys=True, separators=(",", ":")).encode())

    def get_json(self, digest: str) -> Any:
        return json.loads(self.path(digest).read_bytes())

    def size(self) -> int:
        """Bytes the store holds (for the benchmark and `autogpt` messages)."""
        return sum(p.stat().st_size for p in self.objects.rglob("*") if p.is_file()) if self.objects.exists() else 0

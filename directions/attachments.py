"""A direction's attachments: read streamed within the size limit, recognised by their magic bytes
(PDF, DOCX, XLSX only; the name and the declared type are not believed), archived under the
instance's archive folder by their SHA-256 like submissions' files.

A file over the limit is refused as soon as the limit is passed: nothing beyond it is read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from directions.errors import DirectionError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
FOLDER = "directions"  # under the archive folder: <archive>/directions/YYYY/MM/<sha256>
MAX_NAME = 200


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: its name as sent and a binary stream (a werkzeug ``FileStorage``'s
    ``stream``, an open file, ``io.BytesIO``)."""

    filename: str
    stream: Readable


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    archive_path: str  # relative to the archive folder


def _office_kind(path: Path) -> str | None:
    """DOCX or XLSX from the parts of an OOXML package (its central directory only)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(head: bytes, path: Path) -> str | None:
    """The content type of a file from its first bytes (and, for a zip, its parts); None: not a
    PDF, DOCX or XLSX."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(path)
    return None


def clean_name(filename: str) -> str:
    """The file's base name without control characters, at most :data:`MAX_NAME` characters."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip() or "tep-dinh-kem"
    return base[-MAX_NAME:]


def store(upload: Upload, *, root: Path, max_bytes: int, at: datetime) -> StoredFile:
    """Read ``upload`` in chunks into a temporary file under ``root``, hashing as it goes; refuse it
    (:class:`DirectionError` on the field ``files``) past ``max_bytes`` or when it is not a PDF, DOCX
    or XLSX; else keep it at ``root/directions/YYYY/MM/<sha256>`` (once) and describe it."""
    folder = root / FOLDER / f"{at:%Y}" / f"{at:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    tmp = Path(tmp_name)
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as fh:
            while True:
                chunk = upload.stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise DirectionError("dir.err.file_too_large", "files", name=clean_name(upload.filename),
                                         limit_mb=round(max_bytes / 1024 / 1024, 1))
                if len(head) < 8:
                    head = (head + chunk)[:8]
                digest.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        kind = sniff(head, tmp)
        if kind is None or size == 0:
            raise DirectionError("dir.err.file_type", "files", name=clean_name(upload.filename))
        sha = digest.hexdigest()
        final = folder / sha
        if final.exists():
            tmp.unlink()
        else:
            os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredFile(clean_name(upload.filename), kind, size, sha, final.relative_to(root).as_posix())

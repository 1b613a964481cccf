"""The backup file: an encrypted, checksummed stream, read and written in chunks.

Layout (all integers big-endian):

    b"CFBACKUP" | version (1 byte) | header length (4) | header (JSON)
    chunk*      : length of the sealed chunk (4) | final flag (1) | AES-256-GCM(chunk)
    trailer     : SHA-256 of every byte before it (32)

The archive key is derived (HKDF-SHA256, a random salt per file) from the master key, or
from the key in CREDFILE_BACKUP_KEY_FILE; the header names the key by id and carries a
check value of the derived key, so "made with another key" is told apart from damage. Each
chunk is sealed with the SHA-256 of the header, its number and the final flag as associated
data: a changed header, chunks reordered, dropped or cut off after any chunk do not open.
The plaintext is a tar stream; nothing needs the whole backup in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from credfile.core.crypto import KeyRing, key_ring, load_key_file

MAGIC = b"CFBACKUP"
VERSION = 1
FORMAT = "credfile-backup-1"
CHUNK = 1 << 20
_INFO = b"credfile backup v1"
_CHECK = b"credfile backup key check"
_MAX_HEADER = 1 << 16
TRAILER = 32


class BackupRefused(Exception):
    """A backup that cannot be read: not ours, damaged, cut off or under another key."""


def backup_key_ring() -> tuple[KeyRing, str]:
    """The key ring backups are sealed with and where it comes from."""
    path = settings.CREDFILE_BACKUP_KEY_FILE
    if path:
        return load_key_file(Path(path)), "backup-key-file"
    return key_ring(), "master-key"


def _derive(secret: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(secret)


def _check(key: bytes) -> str:
    return hmac.new(key, _CHECK, hashlib.sha256).hexdigest()


def _aad(header_hash: bytes, number: int, final: bool) -> bytes:
    return header_hash + struct.pack(">QB", number, int(final))


def _nonce(number: int) -> bytes:
    # A fresh key per file (random salt), so a counter nonce never repeats under a key.
    return b"\0\0\0\0" + struct.pack(">Q", number)


class EncryptingWriter:
    """A write-only file object: what is written goes out sealed, chunk by chunk."""

    def __init__(self, out: IO[bytes], *, ring: KeyRing, source: str, created_at: str) -> None:
        salt = secrets.token_bytes(16)
        key = _derive(ring.keys[ring.active], salt)
        header = json.dumps(
            {
                "format": FORMAT,
                "key": ring.active,
                "key_source": source,
                "salt": salt.hex(),
                "check": _check(key),
                "chunk": CHUNK,
                "created_at": created_at,
            },
            sort_keys=True,
        ).encode()
        prefix = MAGIC + bytes([VERSION]) + struct.pack(">I", len(header)) + header
        self.key_id = ring.active
        self._out = out
        self._aead = AESGCM(key)
        self._header_hash = hashlib.sha256(prefix).digest()
        self._sha = hashlib.sha256()
        self._buffer = bytearray()
        self._number = 0
        self.written = 0
        self._emit(prefix)

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self._sha.update(data)
        self.written += len(data)

    def _seal(self, chunk: bytes, final: bool) -> None:
        sealed = self._aead.encrypt(
            _nonce(self._number), chunk, _aad(self._header_hash, self._number, final)
        )
        self._emit(struct.pack(">IB", len(sealed), int(final)) + sealed)
        self._number += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        # Strictly more than a chunk: the last one, written at close, is the final one.
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> str:
        """Seal the final chunk and write the checksum; returns the file's SHA-256."""
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()
        digest = self._sha.digest()
        self._out.write(digest)
        self.written += len(digest)
        self._sha.update(digest)
        return self._sha.hexdigest()

    def flush(self) -> None:
        self._out.flush()


@dataclass
class Opened:
    header: dict[str, Any]
    key: bytes
    header_hash: bytes
    body_start: int
    sha256: str
    size: int


def _read_header(handle: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    prefix = handle.read(len(MAGIC) + 5)
    if len(prefix) < len(MAGIC) + 5 or not prefix.startswith(MAGIC):
        raise BackupRefused(_("This is not a credfile backup."))
    version = prefix[len(MAGIC)]
    if version != VERSION:
        raise BackupRefused(
            _("This backup has format %(version)s, which this version of credfile cannot read.")
            % {"version": version}
        )
    (length,) = struct.unpack(">I", prefix[len(MAGIC) + 1 :])
    if length > _MAX_HEADER:
        raise BackupRefused(_("The backup is damaged: its header is not readable."))
    raw = handle.read(length)
    if len(raw) < length:
        raise BackupRefused(_("The backup is cut off: it ends before its contents begin."))
    try:
        header = json.loads(raw)
        if header.get("format") != FORMAT:
            raise ValueError
    except ValueError:
        raise BackupRefused(_("The backup is damaged: its header is not readable.")) from None
    return header, hashlib.sha256(prefix + raw).digest()


def backup_open(path: Path, ring: KeyRing) -> Opened:
    """Check a backup file from end to end before anything is read out of it: its format,
    every chunk's frame, the final chunk, the checksum and the key. Raises BackupRefused."""
    sha = hashlib.sha256()
    size = path.stat().st_size
    with path.open("rb") as handle:
        header, header_hash = _read_header(handle)
        body_start = handle.tell()
        handle.seek(0)
        sha.update(handle.read(body_start))
        final = False
        while not final:
            frame = handle.read(5)
            if len(frame) < 5:
                raise BackupRefused(_("The backup is cut off: its last part is missing."))
            length, flag = struct.unpack(">IB", frame)
            if flag not in (0, 1) or length > CHUNK + 16 or length < 16:
                raise BackupRefused(_("The backup is damaged: its checksum does not match."))
            sha.update(frame)
            remaining = length
            while remaining:
                block = handle.read(min(remaining, 1 << 20))
                if not block:
                    raise BackupRefused(_("The backup is cut off: its last part is missing."))
                sha.update(block)
                remaining -= len(block)
            final = flag == 1
        trailer = handle.read(TRAILER + 1)
    if len(trailer) < TRAILER:
        raise BackupRefused(_("The backup is cut off: its last part is missing."))
    if len(trailer) > TRAILER or not hmac.compare_digest(sha.digest(), trailer):
        raise BackupRefused(_("The backup is damaged: its checksum does not match."))
    key_id = str(header.get("key", ""))
    if key_id not in ring.keys:
        raise BackupRefused(
            _(
                "This backup was made with another key (%(key)s), which this instance does "
                "not hold. Restore the key file of the instance it comes from first."
            )
            % {"key": key_id}
        )
    key = _derive(ring.keys[key_id], bytes.fromhex(str(header["salt"])))
    if not hmac.compare_digest(_check(key), str(header.get("check", ""))):
        raise BackupRefused(
            _("This backup was made with another key of the same name: it does not open here.")
        )
    sha.update(trailer)
    return Opened(
        header=header,
        key=key,
        header_hash=header_hash,
        body_start=body_start,
        sha256=sha.hexdigest(),
        size=size,
    )


class DecryptingReader:
    """A read-only file object giving the plaintext of an opened backup, chunk by chunk;
    a chunk that does not authenticate raises BackupRefused."""

    def __init__(self, handle: IO[bytes], opened: Opened) -> None:
        handle.seek(opened.body_start)
        self._in = handle
        self._aead = AESGCM(opened.key)
        self._header_hash = opened.header_hash
        self._number = 0
        self._buffer = b""
        self._done = False

    def _next(self) -> None:
        length, flag = struct.unpack(">IB", self._in.read(5))
        sealed = self._in.read(length)
        final = flag == 1
        try:
            self._buffer += self._aead.decrypt(
                _nonce(self._number), sealed, _aad(self._header_hash, self._number, final)
            )
        except InvalidTag:
            raise BackupRefused(_("The backup is damaged: a part of it does not open.")) from None
        self._number += 1
        self._done = final

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next()
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

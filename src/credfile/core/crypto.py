"""Field encryption and blind indexes.

Sensitive values are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from a master
key kept outside the database, in a key file. The model, field and row identity are bound in
as associated data, so a ciphertext copied to another row or column no longer opens. Exact
search works through a blind index: a keyed HMAC of the normalised value.

The key file holds a key ring: every key that may still be in use and which one is active.
Rotation adds a key, re-seals every value under it and only then retires the old one, so an
interrupted rotation resumes and nothing becomes unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_PREFIX = "cf1"
_ENCRYPTION_INFO = b"credfile field encryption v1"
_BLIND_INDEX_INFO = b"credfile blind index v1"


class KeyFileMissing(ImproperlyConfigured):
    pass


class DecryptionFailed(Exception):
    """A sealed value that no key in the ring opens with this row's associated data."""


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


@dataclass
class KeyRing:
    """The master keys by id, and the id of the one new values are sealed with."""

    path: Path
    active: str
    keys: dict[str, bytes]
    retired: list[str] = field(default_factory=list)
    _aead: dict[str, AESGCM] = field(default_factory=dict, repr=False)
    _index_keys: dict[str, bytes] = field(default_factory=dict, repr=False)

    def aead(self, key_id: str) -> AESGCM:
        if key_id not in self._aead:
            self._aead[key_id] = AESGCM(_derive(self.keys[key_id], _ENCRYPTION_INFO))
        return self._aead[key_id]

    def index_key(self, key_id: str | None = None) -> bytes:
        key_id = key_id or self.active
        if key_id not in self._index_keys:
            self._index_keys[key_id] = _derive(self.keys[key_id], _BLIND_INDEX_INFO)
        return self._index_keys[key_id]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": "credfile-keyring-1",
                "active": self.active,
                "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
                "retired": self.retired,
            },
            indent=2,
        )

    def save(self) -> None:
        """Write atomically with owner-only permissions: a torn key file would lose data."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(self.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)


def key_file_path() -> Path:
    return Path(settings.CREDFILE_KEY_FILE)


def new_key_id() -> str:
    return secrets.token_hex(4)


def create_key_file(path: Path | None = None) -> KeyRing:
    path = path or key_file_path()
    if path.exists():
        raise ImproperlyConfigured(f"The key file {path} exists already; refusing to replace it.")
    key_id = new_key_id()
    ring = KeyRing(path=path, active=key_id, keys={key_id: secrets.token_bytes(32)})
    ring.save()
    reset_key_ring()
    return ring


def load_key_file(path: Path) -> KeyRing:
    if not path.exists():
        raise KeyFileMissing(
            f"The encryption key file {path} does not exist. Create it with "
            "`credfile keys init` (and back it up), or set CREDFILE_KEY_FILE to its location. "
            "credfile does not run without its key rather than store data unencrypted."
        )
    try:
        data = json.loads(path.read_text())
        keys = {k: base64.b64decode(v) for k, v in data["keys"].items()}
        ring = KeyRing(
            path=path, active=data["active"], keys=keys, retired=list(data.get("retired", []))
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ImproperlyConfigured(f"The key file {path} is damaged: {exc}") from None
    if ring.active not in ring.keys or any(len(k) != 32 for k in keys.values()):
        raise ImproperlyConfigured(f"The key file {path} is damaged: bad active key or length.")
    return ring


_lock = threading.Lock()
_ring: KeyRing | None = None


def key_ring() -> KeyRing:
    global _ring
    path = key_file_path()
    ring = _ring
    if ring is None or ring.path != path:
        with _lock:
            ring = _ring = load_key_file(path)
    return ring


def reset_key_ring() -> None:
    global _ring
    _ring = None


def associated_data(label: str, field_name: str, row_uid: str) -> bytes:
    return f"{label}|{field_name}|{row_uid}".encode()


def seal(plaintext: str, aad: bytes, *, ring: KeyRing | None = None) -> str:
    """Encrypt under the active key: 'cf1$<key id>$<base64(nonce + ciphertext)>'."""
    ring = ring or key_ring()
    nonce = secrets.token_bytes(12)
    sealed = ring.aead(ring.active).encrypt(nonce, plaintext.encode(), aad)
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{TOKEN_PREFIX}${ring.active}${body}"


def token_key_id(token: str) -> str | None:
    parts = token.split("$", 2)
    return parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else None


def unseal(token: str, aad: bytes, *, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    key_id = token_key_id(token)
    if key_id is None or key_id not in ring.keys:
        raise DecryptionFailed("unknown token format or key")
    raw = token.split("$", 2)[2]
    blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    try:
        return ring.aead(key_id).decrypt(blob[:12], blob[12:], aad).decode()
    except InvalidTag:
        raise DecryptionFailed("the value does not belong to this row and field") from None


def blind_index(purpose: str, normalised: str, *, ring: KeyRing | None = None) -> str:
    """Keyed HMAC-SHA256 of a normalised value, per purpose so equal values in different
    fields do not link up."""
    ring = ring or key_ring()
    mac = hmac.new(ring.index_key(), f"{purpose}\x00{normalised}".encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


_BYTES_PREFIX = b"cf1b$"


def seal_bytes(data: bytes, aad: bytes, *, ring: KeyRing | None = None) -> bytes:
    """Encrypt a file's bytes under the active key: b'cf1b$<key id>$' + nonce + ciphertext.

    The same AES-256-GCM keys as `seal`, for contents too large to carry as text."""
    ring = ring or key_ring()
    nonce = secrets.token_bytes(12)
    sealed = ring.aead(ring.active).encrypt(nonce, data, aad)
    return _BYTES_PREFIX + ring.active.encode() + b"$" + nonce + sealed


def bytes_key_id(blob: bytes) -> str | None:
    if not blob.startswith(_BYTES_PREFIX):
        return None
    head = blob[len(_BYTES_PREFIX) : len(_BYTES_PREFIX) + 40]
    key_id, sep, _rest = head.partition(b"$")
    return key_id.decode("ascii", "replace") if sep else None


def unseal_bytes(blob: bytes, aad: bytes, *, ring: KeyRing | None = None) -> bytes:
    ring = ring or key_ring()
    key_id = bytes_key_id(blob)
    if key_id is None or key_id not in ring.keys:
        raise DecryptionFailed("unknown sealed file format or key")
    body = blob[len(_BYTES_PREFIX) + len(key_id) + 1 :]
    try:
        return ring.aead(key_id).decrypt(body[:12], body[12:], aad)
    except InvalidTag:
        raise DecryptionFailed("the contents do not belong to this document") from None

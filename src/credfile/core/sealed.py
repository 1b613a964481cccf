"""Model attributes whose values are stored sealed (encrypted) with an optional blind index.

    class Customer(models.Model):
        uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
        id_number_enc = models.TextField(blank=True, editable=False)
        id_number_bidx = models.CharField(max_length=40, blank=True, editable=False)
        id_number = Sealed(index="ric")

`customer.id_number` reads the plaintext (decrypted on first access, then cached) and
assigning it seals the value and updates the blind index at once, so bulk_create and
bulk_update write ciphertext only. Filtering uses the blind index:
`Customer.objects.filter(id_number_bidx=blind_index("ric", value))`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from credfile.core.crypto import associated_data, blind_index, seal, unseal


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Sealed(property):
    """A plaintext view of `<name>_enc`, kept in step with `<name>_bidx` when indexed.

    A subclass of property, so that Model(**kwargs) accepts it like a field.
    """

    def __init__(
        self,
        verbose_name: Any = "",
        *,
        index: str | None = None,
        kind: type = str,
        max_length: int | None = None,
    ) -> None:
        self.verbose_name = verbose_name
        self.index = index
        self.kind = kind
        self.max_length = max_length
        self.name = ""
        super().__init__(self._get, self._set)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.enc_attr = f"{name}_enc"
        self.bidx_attr = f"{name}_bidx"
        self.cache_attr = f"_sealed_{name}"

    def _aad(self, obj: Any) -> bytes:
        return associated_data(obj._meta.label_lower, self.name, str(obj.uid))

    def _convert(self, text: str) -> Any:
        if text == "":
            return None if self.kind is not str else ""
        if self.kind is Decimal:
            return Decimal(text)
        if self.kind is datetime.date:
            return datetime.date.fromisoformat(text)
        return text

    def _get(self, obj: Any) -> Any:
        token = getattr(obj, self.enc_attr) or ""
        cached = obj.__dict__.get(self.cache_attr)
        if cached is not None and cached[0] == token:
            return cached[1]
        value = self._convert(unseal(token, self._aad(obj)) if token else "")
        obj.__dict__[self.cache_attr] = (token, value)
        return value

    def _set(self, obj: Any, value: Any) -> None:
        text = _to_text(value)
        token = seal(text, self._aad(obj)) if text else ""
        setattr(obj, self.enc_attr, token)
        if self.index:
            setattr(obj, self.bidx_attr, blind_index(self.index, text) if text else "")
        obj.__dict__[self.cache_attr] = (token, self._convert(text))

    def reseal(self, obj: Any) -> None:
        """Seal the current plaintext again under the active key (key rotation)."""
        self._set(obj, self._get(obj))


def sealed_attributes(model: type) -> list[Sealed]:
    return [v for v in vars(model).values() if isinstance(v, Sealed)]

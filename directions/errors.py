"""The one refusal of the directions service: a message key (``i18n``, ``dir.err.*``), the field it
concerns (None: the request as a whole) and the message's parameters."""

from __future__ import annotations

from typing import Any

NOT_FOUND = "dir.err.not_found"


class DirectionError(ValueError):
    """A refused create or action; nothing was written. ``key`` is a message of the catalogue
    (``t(err.key, lang, **err.params)``), ``field`` the form field or API parameter it is about."""

    def __init__(self, key: str, field: str | None = None, **params: Any) -> None:
        super().__init__(key if field is None else f"{key} ({field})")
        self.key, self.field, self.params = key, field, params

    @property
    def not_found(self) -> bool:
        """No such direction for this actor (the API answers 404: another unit's direction is not
        told apart from a missing one)."""
        return self.key == NOT_FOUND

"""Record: a pydantic model that also reads like the JSON object it came from.

The pybragerone README indexes REST answers as dictionaries (``user["objects"][0]["id"]``,
``m.get("devid")``); typed code reads the same answer as attributes (``user.objects[0].id``).
A :class:`Record` serves both: ``record[key]`` and ``record.get(key)`` take the cloud's JSON key
(``connectedAt``) or the attribute name (``connected_at``), and fields the models do not
declare are kept and indexable too. Nested records index the same way.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from pybragerone.errors import BragerKeyError

__all__ = ["Record"]


@cache
def _field_names(model: type[BaseModel]) -> dict[str, str]:
    """JSON key or attribute name -> attribute name, for every declared field of ``model``."""
    names: dict[str, str] = {}
    for name, info in model.model_fields.items():
        names[name] = name
        if info.alias is not None:
            names[info.alias] = name
    return names


class Record(BaseModel):
    """A REST record with typed attributes that also indexes like the cloud's JSON object."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def __getitem__(self, key: str) -> Any:
        """The value of ``key`` (JSON key or attribute name).

        Raises :class:`~pybragerone.errors.BragerKeyError` (a ``KeyError``) when the record
        has no such key.
        """
        name = _field_names(type(self)).get(key)
        if name is not None:
            return getattr(self, name)
        extra = self.model_extra
        if extra is not None and key in extra:
            return extra[key]
        raise BragerKeyError(
            f"{type(self).__name__} record has no {key!r}; its keys: {', '.join(self.keys())}"
        )

    def get(self, key: str, default: Any = None) -> Any:
        """``record[key]``, or ``default`` when the record has no such key."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        extra = self.model_extra
        return key in _field_names(type(self)) or (extra is not None and key in extra)

    def keys(self) -> list[str]:
        """The JSON keys of the record: declared fields, then the extra keys the server sent."""
        declared = [info.alias or name for name, info in type(self).model_fields.items()]
        return declared + list(self.model_extra or {})

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data, keyed as the cloud keys it."""
        return self.model_dump(mode="json", by_alias=True)

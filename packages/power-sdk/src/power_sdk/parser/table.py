"""Block layouts written as text tables: one field per line, columns separated by spaces.

::

    pack_voltage     0  u16     scale:0.1  V    required
    pack_current     2  i16     scale:0.1  A    required   # negative while charging
    grid_power      92  i32     -          W    since:2001
    [config_grid partial]
    max_current     84  u16     -          -

Columns: name, byte offset, datatype (text form: ``u8 i8 u16 i16 u32 i32 string:N``...),
transforms (comma separated, ``-`` for none), unit (``-`` for none), then flags:
``required`` and ``since:VERSION`` (the protocol version the field needs). Text after ``#`` is
the field's description. ``[name]`` or ``[name status]`` starts a :class:`FieldGroup` that
holds the lines after it, up to the next ``[...]``; ``[-]`` returns to the top level.
"""

from __future__ import annotations

from power_sdk.errors import SchemaError
from power_sdk.parser.datatypes import parse_datatype
from power_sdk.parser.schema import Field, FieldGroup, SchemaItem

__all__ = ["fields_from_table"]


def _field(line: str, where: str) -> Field:
    text, _, note = line.partition("#")
    columns = text.split()
    if len(columns) < 5:
        raise SchemaError(f"{where}: expected name, offset, type, transforms, unit; got {line!r}")
    name, offset, kind, transforms, unit, *flags = columns
    if not offset.isdigit():
        raise SchemaError(f"{where}: offset {offset!r} of {name!r} is not a byte offset")
    required = False
    since = None
    for flag in flags:
        if flag == "required":
            required = True
        elif flag.startswith("since:") and flag[6:].isdigit():
            since = int(flag[6:])
        else:
            raise SchemaError(f"{where}: unknown flag {flag!r} of {name!r}")
    try:
        datatype = parse_datatype(kind)
    except SchemaError as exc:
        raise SchemaError(f"{where}: {name!r}: {exc}") from exc
    return Field(
        name=name,
        offset=int(offset),
        type=datatype,
        unit=None if unit == "-" else unit,
        required=required,
        transform=() if transforms == "-" else tuple(transforms.split(",")),
        min_protocol_version=since,
        description=note.strip(),
    )


def fields_from_table(table: str, *, where: str = "table") -> tuple[SchemaItem, ...]:
    """The fields (and groups) a text table describes; :class:`SchemaError` names the line."""
    items: list[SchemaItem] = []
    group: tuple[str, str | None] | None = None
    members: list[Field] = []

    def close_group() -> None:
        if group is not None:
            items.append(FieldGroup(group[0], members.copy(), evidence_status=group[1]))
            members.clear()

    for number, raw in enumerate(table.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        at = f"{where} line {number}"
        if line.startswith("["):
            if not line.endswith("]"):
                raise SchemaError(f"{at}: a group header looks like [name] or [name status]")
            close_group()
            header = line[1:-1].split()
            if header == ["-"]:
                group = None
            elif len(header) in (1, 2):
                group = (header[0], header[1] if len(header) == 2 else None)
            else:
                raise SchemaError(f"{at}: a group header looks like [name] or [name status]")
            continue
        field = _field(line, at)
        if group is not None:
            members.append(field)
        else:
            items.append(field)
    close_group()
    return tuple(items)

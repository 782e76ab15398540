"""sysmap's provisional native format: the document as JSON.

One object with a ``"sysmap"`` version key, the document fields, and one list per element
type. Fields at their default value are left out, and keys are sorted, so an unchanged map
saves to identical bytes. XMILE (issue #3) replaces this as the canonical exchange format.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

from sysmap.errors import FileFormatError, ModelError
from sysmap.io.atomic import write_atomic
from sysmap.model import Group, Link, LoopLabel, Note, SimSpecs, SystemMap, Variable
from sysmap.model.edits import Insert, Replace

VERSION = 1
MAX_BYTES = 64 * 1024 * 1024

#: JSON key -> element class, in the order they are written and read.
SECTIONS: dict[str, type] = {
    "variables": Variable,
    "links": Link,
    "loop_labels": LoopLabel,
    "notes": Note,
    "groups": Group,
}


def _encode(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, str):
        return str(value)  # StrEnum members become plain strings
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # every number field is a float: write 1.0 as reading gives it back
    return value


def _to_dict(element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in dataclasses.fields(element):
        value = getattr(element, field.name)
        if field.default is not dataclasses.MISSING and value == field.default:
            continue
        out[field.name] = _encode(value)
    return out


def dumps(doc: SystemMap) -> str:
    """The JSON text for ``doc``."""
    data: dict[str, Any] = {"sysmap": VERSION, "name": doc.name}
    if doc.documentation:
        data["documentation"] = doc.documentation
    data["sim_specs"] = _to_dict(doc.sim_specs)
    for key, cls in SECTIONS.items():
        elements = [e for e in doc.elements() if type(e) is cls]
        if elements:
            data[key] = [_to_dict(e) for e in elements]
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write(doc: SystemMap, path: str | os.PathLike) -> None:
    """Save ``doc`` as JSON, atomically."""
    write_atomic(path, dumps(doc).encode("utf-8"))


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} must be a finite number")
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{where} must be a finite number")
    return number


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escape such as "\ud800"
        raise ValueError(f"{where} is not valid Unicode text") from None
    return value


_POINT = dataclasses.field()
_POINT.type = "Point"


def _convert(field: dataclasses.Field, value: Any, where: str) -> Any:
    """Check one JSON value against the element field's declared type and convert it."""
    declared = str(field.type)
    base = declared.split(" |")[0]
    if value is None and declared.endswith("| None"):
        return None
    if base == "Point":
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError(f"{where} must be a pair of numbers")
        return (_number(value[0], where), _number(value[1], where))
    if base == "tuple[Point, ...]":
        if not isinstance(value, list):
            raise ValueError(f"{where} must be a list of points")
        return tuple(_convert(_POINT, p, f"{where}[{i}]") for i, p in enumerate(value))
    if base.startswith("tuple"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where} must be a list of strings")
        return tuple(_text(v, f"{where}[{i}]") for i, v in enumerate(value))
    if base == "float":
        return _number(value, where)
    if base == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true or false")
        return value
    value = _text(value, where)
    if base != "str":  # an enumeration: its type is that of the field's default
        enum = type(field.default)
        try:
            return enum(value)
        except ValueError:
            raise ValueError(f"{where}: {value!r} is not one of {[m.value for m in enum]}") from None
    return value


def _from_dict(cls: type, data: Any, where: str):
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"{where} has unknown field {sorted(unknown)[0]!r}")
    missing = [n for n, f in fields.items() if f.default is dataclasses.MISSING and n not in data]
    if missing:
        raise ValueError(f"{where} has no {missing[0]!r}")
    return cls(**{n: _convert(fields[n], v, f"{where}.{n}") for n, v in data.items()})


def loads(text: str, path: str | os.PathLike = "<string>") -> SystemMap:
    """Build a document from JSON text; errors name ``path`` and the place in the file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(path, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise FileFormatError(path, None, None, "JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise FileFormatError(path, None, None, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict) or "sysmap" not in data:
        raise FileFormatError(path, None, None, 'not a sysmap map (no "sysmap" version key)')
    if data["sysmap"] != VERSION or isinstance(data["sysmap"], bool):
        raise FileFormatError(path, None, None, f"unsupported sysmap format version {data['sysmap']!r}")
    unknown = set(data) - {"sysmap", "name", "documentation", "sim_specs", *SECTIONS}
    if unknown:
        raise FileFormatError(path, None, None, f"unknown key {sorted(unknown)[0]!r}")
    try:
        specs = _from_dict(SimSpecs, data.get("sim_specs", {}), "sim_specs")
        if specs.problem():
            raise ValueError(f"sim_specs: {specs.problem()}")
        name = _text(data.get("name", ""), "name")
        documentation = _text(data.get("documentation", ""), "documentation")
        sections = {}
        for key, cls in SECTIONS.items():
            items = data.get(key, [])
            if not isinstance(items, list):
                raise ValueError(f"{key} must be a list")
            sections[key] = [_from_dict(cls, item, f"{key}[{i}]") for i, item in enumerate(items)]
    except ValueError as exc:
        raise FileFormatError(path, None, None, str(exc)) from None

    doc = SystemMap(name=name, documentation=documentation, sim_specs=specs)
    # Stocks name their flows and groups may name groups listed after them, so those go in
    # bare first and get their references after everything is in.
    edits = []
    later = []
    for key, elements in sections.items():
        for i, element in enumerate(elements):
            where = f"{key}[{i}] (id {element.id!r})"
            bare = element
            if key == "variables" and (element.inflows or element.outflows):
                bare = element.evolve(inflows=(), outflows=())
            elif key == "groups" and element.members:
                bare = element.evolve(members=())
            edits.append((where, Insert(bare)))
            if bare is not element:
                later.append((where, Replace(bare, element)))
    edits += later
    with doc.batch():
        for where, edit in edits:
            try:
                edit.apply(doc)
            except ModelError as exc:
                raise FileFormatError(path, None, None, f"{where}: {exc}") from None
    return doc


def read(path: str | os.PathLike) -> SystemMap:
    """Read a JSON map from ``path``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FileFormatError(path, None, None, f"file too large ({size} bytes)")
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(path, None, None, exc.strerror or str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(path, None, None, f"not UTF-8 text (byte {exc.start})") from None
    return loads(text, path)

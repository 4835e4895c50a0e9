"""Render and edit the config file: every setting, with its comment.

The defaults are rendered from the pydantic model itself (its descriptions are
the comments), so a new setting is documented the day it is added. Edits go
through tomlkit, which keeps the user's own comments and layout.
"""

from __future__ import annotations

import difflib
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from retain.config import Config, config_path, parse_config, read_config_data
from retain.errors import UsageError

HEADER = """\
# retain configuration. Every setting is shown with its default; edit, or use
#   retain config set KEY VALUE
# A missing file means all defaults. RETAIN_CONFIG overrides this file's path.
"""


def _section_name(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    return field.alias or name


def render_defaults() -> str:
    """The whole default config as commented TOML (parses back to ``Config()``)."""
    import tomlkit

    document = tomlkit.document()
    for line in HEADER.rstrip().splitlines():
        document.add(tomlkit.comment(line.lstrip("# ").rstrip()))
    config = Config()
    for name, field in Config.model_fields.items():
        section = getattr(config, name)
        key = field.alias or name
        document.add(tomlkit.nl())
        table = tomlkit.table()
        doc = (type(section).__doc__ or "").strip().splitlines()
        if doc:
            table.comment(doc[0])
        for sub_name, sub_field in type(section).model_fields.items():
            value = _without_none(
                section.model_dump(mode="json", by_alias=True)[sub_field.alias or sub_name]
            )
            if value is None:
                continue  # TOML has no null: leaving the key out means the default
            item = tomlkit.item(value)
            if sub_field.description and not isinstance(value, (dict, list)):
                item.comment(sub_field.description)
            if sub_field.description and isinstance(value, (dict, list)):
                table.add(
                    tomlkit.comment(f"{sub_field.alias or sub_name}: {sub_field.description}")
                )
            if isinstance(value, list) and value and isinstance(value[0], dict):
                array = tomlkit.aot()
                for entry in value:
                    array.append(tomlkit.item(entry))
                table.add(sub_field.alias or sub_name, array)
            else:
                table.add(sub_field.alias or sub_name, item)
        document.add(key, table)
    return tomlkit.dumps(document)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _model_for(path: list[str]) -> tuple[type[BaseModel], str]:
    """The section model and field name behind a dotted key, or a UsageError."""
    dotted = ".".join(path)
    known = all_keys()
    if len(path) != 2 or dotted not in known:
        close = difflib.get_close_matches(dotted, known, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UsageError(f"unknown config key {dotted}{hint}")
    for name, field in Config.model_fields.items():
        if (field.alias or name) == path[0]:
            annotation = field.annotation
            assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
            return annotation, path[1]
    raise UsageError(f"unknown config key {dotted}")


def all_keys() -> list[str]:
    keys = []
    for name, field in Config.model_fields.items():
        section = field.annotation
        assert isinstance(section, type) and issubclass(section, BaseModel)
        for sub_name, sub_field in section.model_fields.items():
            keys.append(f"{field.alias or name}.{sub_field.alias or sub_name}")
    return keys


def parse_value(text: str) -> Any:
    """A TOML value when it parses as one (15, 0.5, true, [30, 15]), else the text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def set_value(key: str, raw: str, path: Path | None = None) -> Path:
    """Validate, then write ``key = value`` into the file (created from defaults)."""
    import tomlkit

    target = path or config_path()
    parts = key.split(".")
    _model_for(parts)
    value = parse_value(raw)
    current = read_config_data(target)
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in current.items()}
    merged.setdefault(parts[0], {})
    if not isinstance(merged[parts[0]], dict):
        raise UsageError(f"config {target}: {parts[0]} is not a table")
    merged[parts[0]][parts[1]] = value
    parse_config(merged, str(target))  # raises naming the key; nothing is written
    text = target.read_text(encoding="utf-8-sig") if target.exists() else render_defaults()
    document = tomlkit.parse(text)
    if parts[0] not in document:
        document.add(parts[0], tomlkit.table())
    document[parts[0]][parts[1]] = value
    write_private(target, tomlkit.dumps(document))
    return target


def ensure_file(path: Path | None = None) -> Path:
    target = path or config_path()
    if not target.exists():
        write_private(target, render_defaults())
    return target


def write_private(target: Path, text: str) -> None:
    """Atomically, mode 0600, in a directory created 0700."""
    directory = target.parent
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def effective(path: Path | None = None) -> Config:
    target = path or config_path()
    return parse_config(read_config_data(target), str(target))

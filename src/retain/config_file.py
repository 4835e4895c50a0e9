"""Render and edit the config file: every setting, with its comment.

The file is rendered from the pydantic model itself (each field's description
is its comment), so a new setting is documented the day it is added; a value
that differs from its default says so. Edits go through tomlkit, which keeps the
user's own comments and layout; every edit is checked against the model before
anything is written, and written atomically (mode 0600, directory 0700).
"""

from __future__ import annotations

import copy
import difflib
import os
import shlex
import subprocess
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from retain.config import Config, config_path, load_config, parse_config, read_config_data
from retain.errors import RetainError, UsageError

HEADER = (
    "retain settings. A missing key takes its default; a missing file means all defaults.",
    "Change one with `retain config set KEY VALUE`, or this file with `retain config edit`.",
    "RETAIN_CONFIG overrides where retain looks for this file.",
)

# The words of a comment beside a value (Chinese in retain.config_zh.WORDS).
WORDS = {
    "default": "(default: {value})",
    "differs": "(differs from the default)",
    "absent": "(not in the defaults)",
    "not_set": "{key} not set",
    "none": "not set",
}

# Longer defaults are not repeated in the comment ("differs from the default").
_DEFAULT_SHOWN_UP_TO = 40

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


# --- the model's shape ---------------------------------------------------------


def _model_type(annotation: Any) -> type[BaseModel] | None:
    """The model class of a nested section, else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _rows_type(annotation: Any) -> type[BaseModel] | None:
    """The row model of a ``list[Model]`` field (an array of tables), else None."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        return _model_type(item)
    return None


def _is_mapping(annotation: Any) -> bool:
    return get_origin(annotation) is dict


def _fields(model: type[BaseModel]) -> dict[str, tuple[str, FieldInfo]]:
    """TOML key → (attribute name, field), in declaration order."""
    return {(info.alias or name): (name, info) for name, info in model.model_fields.items()}


def all_keys(model: type[BaseModel] = Config, prefix: str = "") -> list[str]:
    """Every key `config set` takes, dotted (tables of rows excluded)."""
    keys: list[str] = []
    for key, (_, info) in _fields(model).items():
        sub = _model_type(info.annotation)
        if sub is not None:
            keys.extend(all_keys(sub, f"{prefix}{key}."))
        elif _rows_type(info.annotation) is None:
            keys.append(prefix + key)
    return keys


def resolve_key(key: str) -> Any:
    """The annotation of the value a dotted ``key`` names; UsageError if it names
    no single setting (unknown, a whole section, or inside a table of rows)."""
    parts = key.split(".")
    model: type[BaseModel] = Config
    for index, part in enumerate(parts):
        found = _fields(model).get(part)
        if found is None:
            break
        annotation = found[1].annotation
        rest = parts[index + 1 :]
        sub = _model_type(annotation)
        if sub is not None:
            if not rest:
                example = next(iter(all_keys(sub, f"{key}.")), key)
                raise UsageError(key="config.group", name=key, example=example)
            model = sub
            continue
        if _rows_type(annotation) is not None:
            raise UsageError(key="config.rows", name=".".join(parts[: index + 1]))
        for _ in rest:  # into a mapping such as export.templates.NAME.LANG.REASON
            if not _is_mapping(annotation):
                break
            annotation = get_args(annotation)[1]
        else:
            return annotation
        break
    close = difflib.get_close_matches(key, all_keys(), n=3, cutoff=0.6)
    if close:
        raise UsageError(key="config.unknown_key_hint", name=key, close=", ".join(close))
    raise UsageError(key="config.unknown_key", name=key)


def parse_value(text: str, annotation: Any = None) -> Any:
    """VALUE as TOML when it is one (15, 0.5, true, [30, 15], "quoted"), else the
    text itself; for a text setting, unquoted input is always the text."""
    try:
        parsed = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        return text
    if list(parsed) != ["v"]:  # "1\nx = 2" is not one value
        return text
    value = parsed["v"]
    if annotation is str and not isinstance(value, str):
        return text  # export.lender 123 means the text "123"
    return value


# --- rendering -----------------------------------------------------------------


def _key(name: str) -> str:
    if name and set(name) <= _BARE_KEY:
        return name
    import tomlkit

    return tomlkit.key(name).as_string()


def render_value(value: Any) -> str:
    import tomlkit

    text: str = tomlkit.item(value).as_string()
    return text


# _note's default when the key is missing from the defaults / not to be compared.
_ABSENT = object()
_UNCOMPARED = object()


class _Comments:
    """The comments of one rendering, in English or Chinese."""

    def __init__(self, lang: str) -> None:
        self.zh = lang == "zh"
        self.words = WORDS
        self.sep = " "
        if self.zh:
            from retain import config_zh

            self.words, self.sep = config_zh.WORDS, ""

    def describe(self, path: list[str], info: FieldInfo) -> str:
        """A setting's description; ``path`` is its dotted place in the model."""
        if self.zh:
            from retain.config_zh import DESCRIPTIONS

            found = DESCRIPTIONS.get(".".join(path))
            if found is not None:
                return found
        return (info.description or "").strip()

    def word(self, name: str, **values: str) -> str:
        return self.words[name].format(**values)


def _note(comments: _Comments, description: str | None, value: Any, default: Any) -> str:
    """The comment after a key: its description, and its default when it differs."""
    parts = [description.strip()] if description else []
    if default is _ABSENT:
        parts.append(comments.word("absent"))
    elif default is not _UNCOMPARED and value != default:
        shown = render_value(default) if default is not None else comments.word("none")
        if len(shown) <= _DEFAULT_SHOWN_UP_TO:
            parts.append(comments.word("default", value=shown))
        else:
            parts.append(comments.word("differs"))
    return "  # " + comments.sep.join(parts) if parts else ""


def render_config(config: Config, *, title: tuple[str, ...] | None = None, lang: str = "en") -> str:
    """``config`` as commented TOML that parses back to it: every key with its
    description, and its default where the value differs from it. The comments
    (and the default title) are in ``lang``."""
    comments = _Comments(lang)
    if title is None:
        from retain import config_zh

        title = config_zh.HEADER if comments.zh else HEADER
    lines = [f"# {line}".rstrip() for line in title]
    _render_model(lines, config, Config(), [], comments)
    return "\n".join(lines).rstrip("\n") + "\n"


def _render_model(
    lines: list[str], model: BaseModel, default: BaseModel, path: list[str], comments: _Comments
) -> None:
    """The plain keys of ``model`` (under the header its caller wrote), then its
    sections, tables of rows and mappings, each under headers of their own."""
    later: list[tuple[str, FieldInfo, Any, Any]] = []
    for key, (name, info) in _fields(type(model)).items():
        value, default_value = getattr(model, name), getattr(default, name)
        if isinstance(value, BaseModel | dict) or _rows_type(info.annotation) is not None:
            later.append((key, info, value, default_value))
        else:
            description = comments.describe([*path, key], info)
            _render_leaf(lines, key, value, description, default_value, comments)
    for key, info, value, default_value in later:
        here = [*path, key]
        dotted = _dotted(here)
        description = comments.describe(here, info)
        lines.append("")
        differs = comments.sep + comments.word("differs") if value != default_value else ""
        if isinstance(value, BaseModel):
            if description:
                lines.append(f"# {description}")
            lines.append(f"[{dotted}]")
            _render_model(lines, value, default_value, here, comments)
        elif isinstance(value, dict):
            lines.append(f"# {key}: {description}{differs}")
            _render_mapping(lines, here, value, default_value, comments)
        else:
            lines.append(f"# {key}: {description}{differs}")
            _render_rows(lines, here, value, comments)


def _dotted(path: list[str]) -> str:
    return ".".join(_key(part) for part in path)


def _render_leaf(
    lines: list[str],
    key: str,
    value: Any,
    description: str | None,
    default: Any,
    comments: _Comments,
) -> None:
    if value is None:  # TOML has no null: a missing key means "not set"
        not_set = comments.word("not_set", key=key)
        lines.append(f"# {not_set}: {(description or '').strip()}".rstrip(": "))
        return
    note = _note(comments, description, value, default)
    lines.append(f"{_key(key)} = {render_value(value)}{note}")


def _render_rows(
    lines: list[str], path: list[str], rows: list[BaseModel], comments: _Comments
) -> None:
    """A list of models as an array of tables; the first row explains each key."""
    dotted = _dotted(path)
    if not rows:
        if len(path) == 1:
            # A top-level array of tables (tiers) after the sections: ``tiers = []``
            # would land in the section above it. Left out, it is empty anyway.
            return
        # Written out as a key it would land inside the section's own table
        # (quota.quota.officers); an empty list is the default, so a comment does.
        lines.append(f"# [[{dotted}]]: {comments.word('none')}")
        return
    for index, row in enumerate(rows):
        if index:
            lines.append("")
        lines.append(f"[[{dotted}]]")
        for key, (name, info) in _fields(type(row)).items():
            described = comments.describe([*path, key], info) if index == 0 else None
            _render_leaf(lines, key, getattr(row, name), described, _UNCOMPARED, comments)


def _render_mapping(
    lines: list[str],
    path: list[str],
    mapping: Mapping[str, Any],
    default: Any,
    comments: _Comments,
) -> None:
    """A mapping (export.templates) as tables, compared key by key with its default."""
    defaults = default if isinstance(default, Mapping) else {}
    plain = {k: v for k, v in mapping.items() if not isinstance(v, Mapping)}
    nested = {k: v for k, v in mapping.items() if isinstance(v, Mapping)}
    if plain or not nested:  # an empty table still needs its header to exist
        if lines[-1] and not lines[-1].startswith("#"):
            lines.append("")
        lines.append(f"[{_dotted(path)}]")
        for key, value in plain.items():
            _render_leaf(lines, key, value, None, defaults.get(key, _ABSENT), comments)
    for key, value in nested.items():
        _render_mapping(lines, [*path, key], value, defaults.get(key), comments)


def render_json(config: Config) -> str:
    import json

    data = config.model_dump(mode="json", by_alias=True)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- reading and writing the file ------------------------------------------------


def effective(path: Path | None = None) -> Config:
    """The file merged over the defaults (UsageError naming the key if invalid)."""
    return load_config(path or config_path())


def ensure_file(path: Path | None = None, lang: str = "en") -> tuple[Path, bool]:
    """The config file, created from the commented defaults if missing (comments
    in ``lang``); and whether it was just created."""
    target = path or config_path()
    if target.exists():
        return target, False
    write_private(target, render_config(Config(), lang=lang))
    return target, True


def set_value(
    key: str, raw: str, path: Path | None = None, lang: str = "en"
) -> tuple[Path, Any, bool]:
    """Check, then write ``key = VALUE`` into the file, keeping everything else.

    A missing file is created from the commented defaults (comments in ``lang``)
    with the key changed.
    Returns the file, the value written and whether the file was created. Nothing
    is written unless the whole resulting file is a valid config.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    target = path or config_path()
    annotation = resolve_key(key)
    parts = key.split(".")
    value = parse_value(raw, annotation)

    data = copy.deepcopy(read_config_data(target))  # invalid TOML stops here
    node: dict[str, Any] = data
    for index, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise UsageError(
                key="config.not_table", path=str(target), name=".".join(parts[: index + 1])
            )
        node = child
    node[parts[-1]] = value
    parse_config(data, str(target))  # names the key; nothing written yet

    created = not target.exists()
    text = render_config(Config(), lang=lang) if created else target.read_text(encoding="utf-8-sig")
    try:
        document = tomlkit.parse(text)
        container: Any = document
        for part in parts[:-1]:
            if part not in container:
                container[part] = tomlkit.table()
            container = container[part]
        container[parts[-1]] = value
        new_text = tomlkit.dumps(document)
    except (TOMLKitError, TypeError, ValueError):
        raise RetainError(key="config.not_written", name=key, path=str(target)) from None
    _check_written(new_text, parts, value, key, target)
    write_private(target, new_text)
    return target, value, created


def _check_written(text: str, parts: list[str], value: Any, key: str, target: Path) -> None:
    """The text about to be written holds ``value`` at ``key`` and is a valid config."""
    try:
        node: Any = tomllib.loads(text)
        for part in parts:
            node = node[part]
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        node = object()
    if node != value:
        raise RetainError(key="config.not_written", name=key, path=str(target))
    parse_config(tomllib.loads(text), str(target))


def edit_file(path: Path | None = None, lang: str = "en") -> tuple[Path, bool]:
    """Open the file in $VISUAL / $EDITOR (else vi), created from the defaults if
    missing (comments in ``lang``); then check it. An invalid result is reported
    (UsageError) and kept so that the user can fix it. Returns the file and whether
    it was created."""
    target, created = ensure_file(path, lang)
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        argv = shlex.split(command)
    except ValueError:
        argv = []
    if not argv:
        raise UsageError(key="editor.invalid", editor=command)
    from retain.i18n import os_reason

    try:
        status = subprocess.call([*argv, str(target)])
    except OSError as exc:
        raise RetainError(key="editor.start", editor=command, detail=os_reason(exc)) from None
    if status != 0:
        raise RetainError(key="editor.exit", editor=command, status=status)
    load_config(target)
    return target, created


def write_private(target: Path, text: str) -> None:
    """Write ``text`` atomically (temp file + rename), mode 0600; a missing
    directory is created 0700. A symlinked config stays a symlink."""
    real = Path(os.path.realpath(target))
    directory = real.parent
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, real)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

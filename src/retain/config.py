"""The user's TOML config: every tunable default in one place.

A missing file means defaults. ``RETAIN_CONFIG`` overrides the path. Invalid
values are reported naming the key (``import.principal_ceiling: …``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retain.errors import UsageError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ImportConfig(_Section):
    principal_ceiling: int = Field(
        10_000_000, gt=0, description="largest principal accepted, in yuan"
    )

    @property
    def principal_ceiling_fen(self) -> int:
        return self.principal_ceiling * 100


class Config(_Section):
    import_: ImportConfig = Field(default_factory=ImportConfig, alias="import")


def config_path() -> Path:
    raw = os.environ.get("RETAIN_CONFIG")
    if raw:
        return Path(raw).expanduser()
    import click

    return Path(click.get_app_dir("retain")) / "config.toml"


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


def parse_config(data: dict[str, Any], source: str) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise UsageError(f"config {source}: {problems}") from None


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise UsageError(f"cannot read config {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config {path}: invalid TOML: {exc}") from None
    return parse_config(data, str(path))

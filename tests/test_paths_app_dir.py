"""retain.paths.app_dir is click.get_app_dir("retain"), on every platform click knows."""

from __future__ import annotations

import sys

import click.utils
import pytest

from retain import paths, store


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32", "freebsd14"])
@pytest.mark.parametrize(
    "env",
    [
        {},
        {"XDG_CONFIG_HOME": "/x/conf"},
        {"XDG_CONFIG_HOME": ""},
        {"APPDATA": r"C:\Users\a\AppData\Roaming"},
        {"APPDATA": ""},
    ],
)
def test_app_dir_is_clicks(
    platform: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("XDG_CONFIG_HOME", "APPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(click.utils, "WIN", platform.startswith("win"))
    assert paths.app_dir() == click.get_app_dir("retain")


def test_default_paths_are_in_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RETAIN_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/x/conf")
    assert str(paths.config_path()) == "/x/conf/retain/config.toml"
    assert str(store.default_db_path()) == "/x/conf/retain/retain.db"

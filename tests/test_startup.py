"""The fixed cost of a command: opening the store reads the config only when there is one.

Without a config file, the store's busy timeout is its default and the config
(pydantic models, default tiers and seasons) is never built; with one, it is
read and judged as before, an invalid file refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from retain import config, holdings, paths
from retain.store import DEFAULT_BUSY_TIMEOUT_S
from tests.conftest import Cli
from tests.test_due import BOOK_CUSTOMERS, BOOK_LOANS, load

# Runs `retain <args>` and says whether the config module was ever imported.
PROBE = textwrap.dedent(
    """
    import sys
    from retain.cli import main
    sys.argv = ["retain", *sys.argv[1:]]
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    sys.stderr.write(
        f"\\nconfig imported: {'retain.config' in sys.modules}, "
        f"pydantic imported: {'pydantic' in sys.modules}, exit {code}\\n"
    )
    """
)


NOTHING_BUILT = "config imported: False, pydantic imported: False, exit 0"
CONFIG_READ = "config imported: True, pydantic imported: True, exit 0"


def probe(cli: Cli, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", str(cli.db), "--today", "2026-12-01", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    return done.stderr.splitlines()[-1]


def test_default_busy_timeout_is_the_settings_default() -> None:
    assert config.Config().store.busy_timeout_s == DEFAULT_BUSY_TIMEOUT_S
    assert config.config_path is paths.config_path


def test_read_command_without_config_file_builds_no_config(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, BOOK_CUSTOMERS, BOOK_LOANS)
    assert not Path(os.environ["RETAIN_CONFIG"]).exists()
    assert probe(cli, "due", "--format", "csv") == NOTHING_BUILT


def test_config_file_still_read_and_judged(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, BOOK_CUSTOMERS, BOOK_LOANS)
    settings = Path(os.environ["RETAIN_CONFIG"])
    settings.write_text("[store]\nbusy_timeout_s = 5\n", encoding="utf-8")
    assert probe(cli, "due", "--format", "csv") == CONFIG_READ
    settings.write_text("[store]\nbusy_timeout_s = 0\n", encoding="utf-8")
    result = cli("due", "--format", "csv")
    assert result.exit_code == 2
    assert "store.busy_timeout_s" in result.stderr
    assert result.stdout == ""


def test_unreadable_config_path_is_reported(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, BOOK_CUSTOMERS, BOOK_LOANS)
    Path(os.environ["RETAIN_CONFIG"]).mkdir()  # a directory where the file should be
    result = cli("due", "--format", "csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")


def test_coverage_defaults_are_the_configs() -> None:
    defaults = config.Config()
    assert defaults.coverage.peer_share == holdings.DEFAULT_PEER_SHARE
    assert defaults.rhythm.win_back_months == holdings.DEFAULT_RECENT_MONTHS
    assert holdings.good_max_days(defaults.arrears) == holdings.DEFAULT_GOOD_MAX


def test_coverage_without_config_file_builds_no_config(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, BOOK_CUSTOMERS, BOOK_LOANS)
    for args in (["--format", "json"], ["--by", "officer", "--format", "csv"], ["--gaps"]):
        assert probe(cli, "coverage", *args) == NOTHING_BUILT
    # --by tier reads the config's tiers: it is built (no tiers: exit 2)
    assert probe(cli, "coverage", "--by", "tier").startswith("config imported: True")
    settings = Path(os.environ["RETAIN_CONFIG"])
    settings.write_text("[coverage]\npeer_share = 0.65\n", encoding="utf-8")
    assert probe(cli, "coverage", "--format", "json") == CONFIG_READ
    settings.write_text("[rhythm]\nwin_back_months = 0\n", encoding="utf-8")
    result = cli("coverage", "--format", "json")
    assert result.exit_code == 2
    assert "rhythm.win_back_months" in result.stderr

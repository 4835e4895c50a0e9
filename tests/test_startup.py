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

from retain import config, paths
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

"""retain: a customer-retention toolkit for loan officers."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``retain.__version__``, read from the installed package's metadata.

    pyproject.toml is the one place the version is written. It is looked up on
    first use, not at import, because importlib.metadata costs every command
    ~15 ms of start-up and only ``retain --version`` needs it.
    """
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("retain")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'retain' has no attribute {name!r}")

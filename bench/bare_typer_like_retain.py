"""A one-command Typer app configured like retain's (plain help, no completion).

The second reference for ``retain --help`` start-up: the same Typer settings as
``retain.cli.app`` (``rich_markup_mode=None``, ``add_completion=False``,
``pretty_exceptions_enable=False``), so the difference is retain's own code.

python bench/bare_typer_like_retain.py --help
"""

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command()
def hello(name: str = "x") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()

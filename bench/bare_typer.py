"""The smallest Typer app: the reference for ``retain --help`` start-up time.

python bench/bare_typer.py --help
"""

import typer

app = typer.Typer()


@app.command()
def hello(name: str = "x") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()

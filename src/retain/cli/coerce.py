"""Typer's coercion of option values, without pydantic for the plain cases.

Typer (0.2x) coerces every value of the invoked command's parameters through a
pydantic ``TypeAdapter`` built per parameter on each run, defaults and unset
options included: importing pydantic and building the adapters cost a command
about a tenth of a second of start-up, whether or not it needs pydantic
otherwise (``due``, ``calls`` and ``coverage`` without a config file do not).

:func:`install` gives Typer's parameters a coercion that handles the values
retain's options actually take — a ``str``, an ``int`` in its bounds, an enum
choice, a path, a list of those — with Typer's own functions where it has
them (:func:`typer._param_types.coerce_cli_choice`, ``coerce_cli_path``) and
the result pydantic would give otherwise. Anything else (another type, a
parser, an invalid value, an error) goes to Typer's own coercion, built only
then: an error message is Typer's, word for word. tests/test_coerce.py checks
every parameter of the command tree against Typer's coercion.

Typer's internals move between releases: if the names used here are missing,
nothing is installed and Typer coerces as it always did (only slower).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

#: A value the fast path does not decide: Typer's coercion does.
_UNDECIDED = object()
#: What pydantic reads as the same int as Python's ``int()`` does (it also takes
#: "+5", " 5", "5_0", "5.0": those go to Typer's coercion).
_PLAIN_INT = re.compile(r"-?[0-9]{1,18}")

Leaf = Callable[[Any, Any, Any], Any]  # (value, param, ctx) -> value or _UNDECIDED


def _enum_leaf(annotation: type[Enum], case_sensitive: bool) -> Leaf:
    from typer._param_types import coerce_cli_choice

    choices = tuple(annotation)

    def leaf(value: Any, param: Any, ctx: Any) -> Any:
        try:
            return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)
        except ValueError:  # not a choice: Typer's message
            return _UNDECIDED

    return leaf


def _str_leaf(value: Any, param: Any, ctx: Any) -> Any:
    return value if type(value) is str else _UNDECIDED


def _bool_leaf(value: Any, param: Any, ctx: Any) -> Any:
    # Typer passes a flag's bool through untouched; "yes", "0" (an envvar) are its to read.
    return value if type(value) is bool else _UNDECIDED


def _int_leaf(low: float | None, high: float | None) -> Leaf:
    def leaf(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is str and _PLAIN_INT.fullmatch(value):
            number = int(value)
        elif type(value) is int:
            number = value
        else:
            return _UNDECIDED
        if (low is not None and number < low) or (high is not None and number > high):
            return _UNDECIDED
        return number

    return leaf


def _path_leaf(annotation: Any, info: Any) -> Leaf | None:
    from typer._click.exceptions import BadParameter
    from typer._param_types import coerce_cli_path

    path_type = info.path_type
    if path_type is None and isinstance(annotation, type) and issubclass(annotation, Path):
        path_type = annotation
    if not (path_type is None or path_type is str or issubclass(path_type, Path)):
        return None

    def leaf(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is not str and not isinstance(value, Path):
            return _UNDECIDED
        if path_type is not None and path_type is not str and type(value) is str:
            value = path_type(value)  # what pydantic makes of a str (PosixPath('a/b'))
        try:
            return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
        except BadParameter:  # Typer's message names the value as it was typed
            return _UNDECIDED

    return leaf


def leaf_for(annotation: Any, info: Any) -> Leaf | None:
    """The fast coercion of one value of ``annotation``, or None for Typer's.

    In the order of Typer's ``build_leaf_adapter``, which decides the same way."""
    from typer._param_types import routes_to_path

    if info.parser is not None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _enum_leaf(annotation, info.case_sensitive)
    if annotation is int and not info.clamp:
        return _int_leaf(info.min, info.max)
    if annotation is bool:
        return _bool_leaf
    if annotation is float or get_origin(annotation) is not None:
        return None
    if annotation is str:
        return _str_leaf
    if routes_to_path(annotation, info):
        return _path_leaf(annotation, info)
    return None


def coercion_for(annotation: Any, info: Any) -> Leaf | None:
    """The fast coercion of a parameter's value (a list's too), or None."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        one = leaf_for(item, info)
        if one is None:
            return None

        def many(value: Any, param: Any, ctx: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                return _UNDECIDED
            out = [one(v, param, ctx) for v in value]
            return _UNDECIDED if any(v is _UNDECIDED for v in out) else out

        return many
    return leaf_for(annotation, info)


def install() -> bool:
    """Give Typer's parameters the fast coercion; False (nothing changed) when
    this Typer does not coerce the way this module knows."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam, TypeDescriptor
    except ImportError:
        return False
    found = getattr(core, "build_runtime_param", None)
    if found is None or getattr(found, "_retain_fast", False):
        return found is not None
    typer_build: Callable[[TypeDescriptor], Any] = found

    @dataclass(frozen=True)
    class FastRuntimeParam(RuntimeParam):
        descriptor: TypeDescriptor
        fast: Leaf

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            coerced = self.fast(value, param, ctx)
            if coerced is _UNDECIDED:
                return typer_build(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
            return coerced

    def build(descriptor: TypeDescriptor) -> Any:
        fast = None
        if descriptor.file_annotation is None:
            fast = coercion_for(descriptor.annotation, descriptor.parameter_info)
        if fast is None:
            return typer_build(descriptor)
        return FastRuntimeParam(
            annotation=descriptor.annotation,
            parameter_info=descriptor.parameter_info,
            descriptor=descriptor,
            fast=fast,
        )

    build._retain_fast = True  # type: ignore[attr-defined]
    build.typer_build = typer_build  # type: ignore[attr-defined]
    core.build_runtime_param = build  # type: ignore[attr-defined]
    return True

"""Command-line interface: `python -m dxminutes COMMAND …`.

Each command lives with the module that does its work; a module takes part by defining
`register_cli(subparsers)`, which adds its sub-parser and sets `func` (a callable taking the
parsed namespace and returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

#: Modules that contribute commands, in the order `--help` lists them.
COMMAND_MODULES = ("corpus.build", "text.tokenizer", "report.render", "report.labelsheet")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dxminutes",
        description="Load, clean, tokenize and analyse Japanese municipal meeting minutes.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"dxminutes.{name}")
        except ModuleNotFoundError as exc:  # a module still under construction
            if exc.name != f"dxminutes.{name}":
                raise
            continue
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(subparsers)
    return parser


#: Set to 1 to see the traceback of an unexpected error instead of its one-line message.
TRACEBACK_ENV = "DXMINUTES_TRACEBACK"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except Exception as exc:  # the last net: one line naming the command and its input, never a traceback
        if os.environ.get(TRACEBACK_ENV) == "1":
            raise
        print(f"error: {one_line_error(args, exc)}", file=sys.stderr)
        return 1


def one_line_error(args: argparse.Namespace, exc: BaseException) -> str:
    """`command INPUT: Type: message` on one line, with the input the command was given (a file
    or folder) shown by name only."""
    from dxminutes import config

    target = next((getattr(args, key) for key in ("file", "data") if getattr(args, key, None)), None)
    where = f"{args.command} {config.relpath(target)}" if target is not None else str(args.command)
    message = " ".join(str(exc).split())
    if len(message) > 300:
        message = message[:300] + " …"
    return f"{where}: {type(exc).__name__}" + (f": {message}" if message else "")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

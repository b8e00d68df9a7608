"""Command-line interface: `python -m dxminutes COMMAND …`.

Each command lives with the module that does its work; a module takes part by defining
`register_cli(subparsers)`, which adds its sub-parser and sets `func` (a callable taking the
parsed namespace and returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that contribute commands, in the order `--help` lists them.
COMMAND_MODULES = ("corpus.build", "text.tokenizer", "report.render")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dxminutes",
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

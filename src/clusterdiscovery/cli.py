"""The ``clusterdiscovery`` command: one subcommand per task.

``clusterdiscovery discover [CONFIG.toml] --out DIR`` runs the whole study (on the bundled
sample without CONFIG) and writes the report, the model file and the tables.
``clusterdiscovery discover --clients CLIENTS.csv [--id COL] [--costs a,b] --out DIR`` runs it
on a bare client table, inferring its schema (and saying what it inferred).
``clusterdiscovery schema CLIENTS.csv [--id COL]`` prints the inferred schema as TOML.
``clusterdiscovery assign MODEL.json CLIENTS.csv --out LABELS.csv`` assigns new clients.
``clusterdiscovery monitor ASSIGNMENTS.csv CONTACTS.csv --as-of DATE --out DIR`` writes the
care-cluster review status, team summary, Pareto table and chart, trend, work list and
dashboard. ``clusterdiscovery narratives STUDY_DIR`` writes the experts' templates.
Bad input gives a one-line error on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import sys

from .exceptions import ModelSpecError, SchemaError

__all__ = ["main", "build_parser"]

# errors a user can cause with bad input or files: one line, exit code 1
_USER_ERRORS = (ValueError, TypeError, FileNotFoundError, ImportError,
                SchemaError, ModelSpecError, OSError)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand mounted."""
    from . import __version__
    from .monitoring._cli import add_monitor_parser
    from .pipeline._cli import add_assign_parser, add_discover_parser, add_narratives_parser
    from .pipeline._schema_cli import add_schema_parser

    parser = argparse.ArgumentParser(
        prog="clusterdiscovery",
        description="Discover, validate, describe and monitor client subgroups.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_discover_parser(sub)
    add_schema_parser(sub)
    add_assign_parser(sub)
    add_monitor_parser(sub)
    add_narratives_parser(sub)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit code (0 success, 1 bad input, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 2
    if getattr(args, "func", None) is None:
        parser.print_usage(sys.stderr)
        print("clusterdiscovery: error: choose a command: discover, schema, assign, monitor "
              "or narratives", file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except _USER_ERRORS as exc:
        message = " ".join(str(exc).split())  # one line
        print(f"clusterdiscovery {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""``clusterdiscovery schema CLIENTS.csv``: print the schema inferred for a bare client table.

The TOML goes to standard output (or ``--out``), ready to edit; the short report of what was
inferred goes to standard error, so ``clusterdiscovery schema clients.csv > schema.toml``
writes a clean file.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["add_schema_parser", "add_inference_options", "inference_options"]


def add_inference_options(p, *, with_costs: bool = True) -> None:
    """The options shared by ``schema`` and ``discover --clients``."""
    p.add_argument("--id", default=None, metavar="COL",
                   help="the client id column (default: the first column unique per row)")
    if with_costs:
        p.add_argument("--costs", default=None, metavar="A,B",
                       help="comma-separated cost or utilisation columns (never features)")
    p.add_argument("--date-format", default=None, metavar="FORMAT",
                   help="strptime format of dates not written in ISO 8601, e.g. %%d/%%m/%%Y "
                        "(day/month orders are never guessed)")
    p.add_argument("--ordinal-max-levels", type=int, default=None, metavar="N",
                   help="read whole-number columns of at most N consecutive values (0..4) as "
                        "ordinal scales instead of counts")
    p.add_argument("--decimal", default=".", metavar="CHAR",
                   help="decimal mark of the CSV's numbers (e.g. ',' for 3,5; the separator "
                        "is then usually ';', found from the header)")
    p.add_argument("--thousands", default=None, metavar="CHAR",
                   help="thousands separator of the CSV's numbers (e.g. '.' for 1.234,5)")


def csv_options(args) -> dict:
    """How the CSV writes its numbers (``--decimal``, ``--thousands``)."""
    return {"decimal": args.decimal, "thousands": args.thousands}


def inference_options(args) -> dict:
    costs = getattr(args, "costs", None)
    return {"costs": [c.strip() for c in costs.split(",") if c.strip()] if costs else (),
            "date_format": args.date_format, "ordinal_max_levels": args.ordinal_max_levels}


def add_schema_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "schema",
        help="infer the schema of a client table and print it as editable TOML",
        description="Infer a ClientSchema from a client table (CSV or Parquet) and print it "
                    "as TOML, one commented line per column; the short report of what was "
                    "inferred goes to stderr.",
    )
    p.add_argument("clients", metavar="CLIENTS.csv", help="the client table (CSV or Parquet)")
    add_inference_options(p)
    p.add_argument("--out", default=None, metavar="FILE",
                   help="write the TOML to FILE instead of standard output")
    p.set_defaults(func=run_schema)


def run_schema(args) -> int:
    from ..schema import ClientSchema
    from ._stage_data import _read_table

    table = _read_table(args.clients, **csv_options(args))
    schema = ClientSchema.infer(table, id=args.id, **inference_options(args))
    text = schema.to_toml(source=Path(args.clients).name)
    print(schema.inference.to_text(), file=sys.stderr, flush=True)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0

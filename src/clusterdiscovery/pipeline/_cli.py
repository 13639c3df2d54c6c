"""``clusterdiscovery discover`` and ``clusterdiscovery assign``: the pipeline's subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

from .._csv import write_csv
from ._schema_cli import add_inference_options, csv_options, inference_options

__all__ = ["add_discover_parser", "add_assign_parser", "add_narratives_parser"]


def add_discover_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "discover",
        help="discover clusters and write the cluster report, model file and tables",
        description="Run the whole study: features, model comparison, stability, profiles, "
                    "descriptions and the report. Without CONFIG it runs on the bundled "
                    "sample shipped with the package.",
    )
    p.add_argument("config", nargs="?", default=None,
                   help="study configuration (TOML); default: the bundled sample study")
    p.add_argument("--clients", default=None, metavar="CLIENTS.csv",
                   help="a bare client table (CSV or Parquet): its schema is inferred, and "
                        "what was inferred is printed")
    p.add_argument("--schema", default=None, metavar="SCHEMA.toml",
                   help="with --clients: a (partial) schema laid over the inferred one, e.g. "
                        "labels, directions, sections and types")
    p.add_argument("--as-of", default=None, metavar="DATE",
                   help="cut-off date of the service events (default: the last event date)")
    add_inference_options(p)
    p.add_argument("--outcomes", default=None, metavar="A,B",
                   help="comma-separated follow-up outcome columns: never clustered on nor "
                        "used in names, reported by cluster (see [outcomes] in the TOML for "
                        "baselines and reliabilities)")
    p.add_argument("--out", default=None,
                   help="output directory (default: the configuration's [output] dir, else "
                        "out/study)")
    p.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    p.add_argument("--n-jobs", type=int, default=None, help="parallel jobs (joblib)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_discover)


def run_discover(args) -> int:
    import warnings

    from ._config import load_config
    from ._discover import discover

    config = load_config(args.config)  # read once; its paths are already resolved
    if args.as_of is not None:  # checked here, so that the message names the option
        from .._dates import parse_date

        parse_date(args.as_of, "--as-of", date_format=args.date_format
                   or config["data"]["date_format"])
        config = config.replace("data", as_of=args.as_of)
    if args.date_format is not None:
        config = config.replace("data", date_format=args.date_format)
    if args.id is not None:
        config = config.replace("data", id=args.id)
    if args.outcomes:
        named = {c.strip(): {} for c in args.outcomes.split(",") if c.strip()}
        config = config.replace_free("outcomes", {**named, **config.outcomes})  # TOML wins
    data = _bare_table(args, config)
    out = args.out or config["output"]["dir"] or "out/study"
    with warnings.catch_warnings():
        # the report states every suppression; the console need not repeat it
        warnings.simplefilter("ignore")
        study = discover(config, data=data, out=out, random_state=args.random_state,
                         progress=not args.quiet, n_jobs=args.n_jobs)
    report = next((p for p in study.paths.get("report", []) if p.name == "report.html"), None)
    print(f"{study.model_name} with k = {study.k}: {study.record['choice']}")
    if report is not None:
        print(f"report: {report}")
        print(f"model file: {study.paths['model']}")
    total = sum(study.timings.values())
    print(f"done in {total:.1f} s")
    return 0


def _bare_table(args, config):
    """``--clients``: read the table, infer its schema, print what was inferred."""
    if args.clients is None:
        given = [f"--{n.replace('_', '-')}" for n in ("schema", "costs", "ordinal_max_levels")
                 if getattr(args, n) is not None]
        if given:
            raise ValueError(f"{', '.join(given)} go(es) with --clients CLIENTS.csv (a bare "
                             f"client table whose schema is inferred).")
        return None
    from ._bare import infer_study_schema
    from ._stage_data import _read_table

    clients = _read_table(args.clients, **csv_options(args))
    opts = inference_options(args)
    schema = infer_study_schema(clients, config, costs=opts["costs"], overrides=args.schema,
                                ordinal_max_levels=opts["ordinal_max_levels"])
    print(schema.inference.to_text())
    if args.schema:
        print(f"with the labels, directions and types of {args.schema}")
    return {"clients": clients, "schema": schema}


def add_assign_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "assign",
        help="assign new clients to the clusters of a model file",
        description="Read a JSON model file and a CSV (or Parquet) of new clients; write "
                    "each client's cluster, its probability and an 'uncertain' flag.",
    )
    p.add_argument("model", help="model file (JSON) written by save_model or discover")
    p.add_argument("clients", help="new clients (CSV or Parquet) with the model's columns")
    p.add_argument("--out", required=True, help="output CSV of labels")
    p.add_argument("--id", default=None,
                   help="client id column (default: the model schema's id column)")
    p.add_argument("--threshold", type=float, default=0.5,
                   help="flag rows whose top probability is below this (default 0.5)")
    p.add_argument("--unknown", choices=["raise", "missing"], default="raise",
                   help="unseen categories or missing columns: error (default) or missing")
    p.set_defaults(func=run_assign)


def run_assign(args) -> int:
    from ..persistence import load_model
    from ._stage_data import _read_table

    model = load_model(args.model)
    data = _read_table(args.clients)
    id_col = args.id or (model.schema.id if model.schema is not None else None)
    if id_col is not None:
        if id_col not in data.columns:
            raise ValueError(f"Client id column '{id_col}' is not in {args.clients}; pass "
                             f"--id with the right column name.")
        if data[id_col].duplicated().any():
            raise ValueError(f"Client id column '{id_col}' has duplicated ids; keep one row "
                             f"per client.")
        data = data.set_index(id_col)
    result = model.assign(data, threshold=args.threshold, unknown=args.unknown)
    from .._output import staged_file

    out = Path(args.out)
    with staged_file(out) as tmp:  # a labels file appears whole or not at all
        write_csv(result, tmp)
    n_uncertain = int(result["uncertain"].sum())
    print(f"assigned {len(result):,} clients to {model.n_clusters} clusters "
          f"({n_uncertain:,} uncertain); wrote {out}", file=sys.stdout)
    return 0


def add_narratives_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "narratives",
        help="write one Markdown template per cluster for community experts to fill in",
        description="Write STUDY_DIR/narratives/cluster_<k>.md: each cluster's data summary "
                    "and headed prompts (history and life stories, strengths, services that "
                    "work, policy and social context, who contributed), with the fingerprint "
                    "of the clustering. Filled files are merged into the report the next time "
                    "`discover` writes to STUDY_DIR; templates written for another clustering "
                    "are refused. Existing files are kept (they may be filled in).",
    )
    p.add_argument("study", metavar="STUDY_DIR", help="output folder of `discover`")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing templates (their content is lost)")
    p.set_defaults(func=run_narratives)


def run_narratives(args) -> int:
    import json

    from ..describe._narratives import TEMPLATE_DIR, write_templates

    study = Path(args.study)
    source = study / "clusters" / "narrative_source.json"
    if not source.is_file():
        raise FileNotFoundError(
            f"{source} not found: STUDY_DIR must be a folder written by `clusterdiscovery "
            f"discover` (or ClusterDescriptions.save).")
    doc = json.loads(source.read_text(encoding="utf-8"))
    items = [(c["cluster"], c["name"], c["summary"]) for c in doc["clusters"]]
    written = write_templates(items, study / TEMPLATE_DIR, fingerprint=doc["fingerprint"],
                              overwrite=args.overwrite)
    kept = len(items) - len(written)
    print(f"{len(written)} template(s) written to {study / TEMPLATE_DIR}"
          + (f"; {kept} existing file(s) kept" if kept else ""))
    return 0

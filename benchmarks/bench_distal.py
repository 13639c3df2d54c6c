"""Three-step distal outcomes against the truth and against StepMix, on overlapping classes.

Simulates clients from three latent classes measured by six binary items whose classes
overlap (relative entropy about 0.6-0.7), with a distal cost (normal within class, class
means 100 / 250 / 500) and a binary outcome (class rates 0.2 / 0.4 / 0.7) that the latent
class model does not see. Prints the true class means, the modal (naive), BCH and ML
estimates of :func:`clusterdiscovery.profiling.distal_outcomes`, and StepMix's three-step
BCH and ML estimates (``n_steps=3``, ``assignment="modal"``; Morin et al. 2025) on the same
data, classes matched to the truth by their item profiles. Needs the ``bench`` extra.

StepMix's ML correction keeps the class proportions at their step-1 values; ours
re-estimates them in step 3 (Vermunt 2010; Bakk, Tekle and Vermunt 2013). The column
``ml_fixed_pi`` is our ML with the proportions held as StepMix holds them, to compare like
with like.

Usage::

    python benchmarks/bench_distal.py [--n 4000] [--seed 0] [--reps 1]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from clusterdiscovery.models import LatentClassModel
from clusterdiscovery.profiling import distal_outcomes
from clusterdiscovery.profiling._distal import _fit_ml, classification_error

SHARES = np.array([0.40, 0.35, 0.25])
PROFILES = np.array([  # P(item = 1 | class)
    [0.85, 0.85, 0.85, 0.78, 0.78, 0.78],
    [0.15, 0.15, 0.15, 0.22, 0.22, 0.22],
    [0.85, 0.85, 0.85, 0.22, 0.22, 0.22],
])
COST_MEANS = np.array([100.0, 250.0, 500.0])
COST_SD = 150.0
RATES = np.array([0.2, 0.4, 0.7])


def simulate(n, seed):
    rng = np.random.default_rng(seed)
    z = rng.choice(3, size=n, p=SHARES)
    X = pd.DataFrame((rng.random((n, 6)) < PROFILES[z]).astype(int),
                     columns=[f"item{j}" for j in range(6)])
    Y = pd.DataFrame({"cost": rng.normal(COST_MEANS[z], COST_SD),
                      "outcome": (rng.random(n) < RATES[z]).astype(int)})
    return X, Y, z


def match(profiles):
    """Order of fitted classes matching the true classes 0, 1, 2 (by item profiles)."""
    cost = ((profiles[:, None, :] - PROFILES[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    order = np.empty(3, dtype=int)
    order[cols] = rows
    return order


def ours(X, Y, seed):
    lca = LatentClassModel(3, n_init=10, tol=1e-10, random_state=seed).fit(X)
    order = match(np.column_stack([lca.probabilities_[c][:, 1] for c in X.columns]))
    out = {"entropy": lca.entropy(X)}
    # ML with the class proportions held at their step-1 values, as StepMix does
    P = lca.predict_proba(X)
    w = P.argmax(axis=1)
    est, _, _ = _fit_ml(Y[["cost"]].to_numpy(), "continuous", w, classification_error(P, w),
                        np.ones(len(X)), pi_fixed=lca.weights_)
    out["ml_fixed"] = est[:, 0][order]
    for method in ("modal", "bch", "ml"):
        res = distal_outcomes(lca, X, Y, method=method).summary.set_index(["outcome", "class"])
        out[method] = {o: res.loc[o]["estimate"].to_numpy()[order] for o in ("cost", "outcome")}
        out[method + "_se"] = res.loc["cost"]["se"].to_numpy()[order]
    return out


def stepmix(X, Y, seed):
    from stepmix import StepMix

    out = {}
    for corr in ("BCH", "ML"):
        m = StepMix(3, n_steps=3, measurement="bernoulli", structural="gaussian_diag",
                    correction=corr, assignment="modal", n_init=10, random_state=seed,
                    progress_bar=0, verbose=0)
        m.fit(X.to_numpy(), Y[["cost"]].to_numpy())
        p = m.get_parameters()
        order = match(p["measurement"]["pis"].reshape(3, 6))
        out[corr.lower()] = np.asarray(p["structural"]["means"]).ravel()[order]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--write-reference", metavar="JSON",
                    help="write StepMix's estimates for --seed (first replication) to JSON")
    args = ap.parse_args()
    if args.write_reference:
        import json
        from importlib.metadata import version

        X, Y, _ = simulate(args.n, args.seed)
        sm = stepmix(X, Y, args.seed)
        ref = {"source": f"StepMix {version('stepmix')}, StepMix(3, n_steps=3, "
                         "measurement='bernoulli', structural='gaussian_diag', "
                         "assignment='modal', correction='BCH' | 'ML', n_init=10, "
                         f"random_state={args.seed}); data: benchmarks/bench_distal.py "
                         f"simulate(n={args.n}, seed={args.seed})",
               "n": args.n, "seed": args.seed, "true_means": COST_MEANS.tolist(),
               "bch": sm["bch"].tolist(), "ml": sm["ml"].tolist(),
               "note": "classes in the order of the true classes (matched by item "
                       "profiles); StepMix's ML keeps the class proportions at their "
                       "step-1 values"}
        with open(args.write_reference, "w") as fh:
            json.dump(ref, fh, indent=2)
        print(json.dumps(ref, indent=2))
        return
    rows = []
    for r in range(args.reps):
        X, Y, z = simulate(args.n, args.seed + r)
        res = ours(X, Y, args.seed + r)
        try:
            sm = stepmix(X, Y, args.seed + r)
        except ImportError:
            sm = {"bch": np.full(3, np.nan), "ml": np.full(3, np.nan)}
        print(f"rep {r}: n = {args.n}, relative entropy = {res['entropy']:.3f}")
        table = pd.DataFrame({
            "true": COST_MEANS,
            "sample_true": [Y["cost"][z == k].mean() for k in range(3)],
            "modal": res["modal"]["cost"], "bch": res["bch"]["cost"], "ml": res["ml"]["cost"],
            "ml_fixed_pi": res["ml_fixed"], "stepmix_bch": sm["bch"], "stepmix_ml": sm["ml"],
            "se_bch": res["bch_se"], "se_ml": res["ml_se"],
        }, index=pd.Index(range(3), name="class"))
        print("distal cost, class means")
        print(table.round(2).to_string())
        bias = table[["modal", "bch", "ml", "stepmix_bch", "stepmix_ml"]].sub(table["true"], axis=0)
        print("bias (estimate - true mean)")
        print(bias.round(2).to_string())
        print("binary outcome, class proportions (true 0.2 / 0.4 / 0.7)")
        print(pd.DataFrame({m: res[m]["outcome"] for m in ("modal", "bch", "ml")}).round(3)
              .to_string())
        rows.append(bias.assign(rep=r))
    if args.reps > 1:
        allb = pd.concat(rows)
        print(f"mean bias over {args.reps} replications")
        print(allb.groupby(level=0).mean().drop(columns="rep").round(2).to_string())


if __name__ == "__main__":
    main()

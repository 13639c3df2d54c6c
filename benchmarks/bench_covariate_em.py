"""SQUAREM on the latent class regression's EM (covariates on class membership).

Run:  python benchmarks/bench_covariate_em.py

Fits poLCA's election example (3 classes, party as the covariate; the model the test
suite reproduces) with ``accelerate="squarem"`` and ``"none"`` and prints, for each, the
CPU time, the EM steps of the best start, the log-likelihood and the covariate
coefficients, and the time ratio. The two must reach the same maximum.
"""

from __future__ import annotations

import time


def main() -> int:
    import numpy as np

    from clusterdiscovery.datasets._published import ELECTION_ITEMS, load_election
    from clusterdiscovery.models import LatentClassModel

    data = load_election().dropna(subset=[*ELECTION_ITEMS, "PARTY"]).reset_index(drop=True)
    times = {}
    for acc in ("squarem", "none"):
        model = LatentClassModel(3, n_init=20, tol=1e-11, max_iter=5000, random_state=0,
                                 accelerate=acc)
        t0 = time.process_time()
        model.fit(data[list(ELECTION_ITEMS)], covariates=data[["PARTY"]])
        times[acc] = time.process_time() - t0
        order = np.argsort(model.weights_)
        print(f"{acc:8s} CPU {times[acc]:6.2f} s  EM steps (best start) {model.n_iter_:5d}  "
              f"log-likelihood {model.loglik_:.6f}  shares {np.round(model.weights_[order], 4)}")
    print(f"time ratio none / squarem: {times['none'] / times['squarem']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

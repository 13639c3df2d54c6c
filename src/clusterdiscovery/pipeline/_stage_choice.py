"""The stability and choice stages of :func:`~clusterdiscovery.discover`.

The primary family's solutions are ranked by the information criterion and assessed for
stability (every candidate screened, the finalists in full: ``assess_and_choose``); the
chosen one is the best-scoring solution whose clusters all reproduce, explained by the
candidates table and the choice paragraph.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._choice_text import choice_paragraph
from ._choose import assess_and_choose, candidates_table, rank_candidates
from ._contracts import Assessed, Chosen, Prepared
from ._stage_models import _model_input

__all__ = ["stability_stage", "choice_stage"]


def _small(cfg, n_samples) -> dict:
    """A cluster below the privacy threshold could be neither reported nor written to the
    model file: such solutions are not candidates."""
    return {"min_size": cfg["profile"]["min_cell_size"], "n_samples": n_samples}


def stability_stage(cfg, prep: Prepared, selection, random_state, n_jobs) -> Assessed:
    """Rank the primary family's solutions (:func:`rank_candidates`) and assess their
    stability until the best-scoring one whose clusters all reproduce is found
    (:func:`assess_and_choose`, with :func:`~clusterdiscovery.assess_stability`)."""
    from sklearn.base import clone

    from ..stability import assess_stability

    mcfg, scfg = cfg["models"], cfg["stability"]
    ranked = rank_candidates(selection.summary, model=mcfg["primary"],
                             criterion=mcfg["criterion"], min_share=mcfg["min_share"],
                             **_small(cfg, len(prep.X)))
    X_model = _model_input(mcfg["primary"], prep.X, selection)
    weights = prep.weights

    def assess(i, n_resamples, resume=None):
        estimator = selection.estimators_[(ranked.loc[i, "model"], int(ranked.loc[i, "k"]))]
        return assess_stability(
            clone(estimator), X_model, n_resamples=n_resamples, method=scfg["method"],
            random_state=random_state, n_jobs=n_jobs, warn=False,
            reference_labels=_fitted_labels(estimator, X_model), resume=resume,
            sample_weight=None if weights is None else weights.to_numpy())

    n_screen = min(scfg["screen_resamples"], scfg["n_resamples"])
    pos, ranked, stability = assess_and_choose(
        ranked, assess, criterion=mcfg["criterion"], min_jaccard=scfg["min_jaccard"],
        n_resamples=scfg["n_resamples"], screen_resamples=n_screen,
        screen_margin=scfg["screen_margin"], max_finalists=scfg["candidates"])
    return Assessed(ranked=ranked, pos=pos, stability=stability, n_screen=n_screen,
                    X_model=X_model)


def choice_stage(cfg, prep: Prepared, selection, assessed: Assessed) -> Chosen:
    """The chosen solution: its model and labels, every k of the range with the reason for
    the choice (:func:`candidates_table`) and the choice paragraph."""
    mcfg, scfg = cfg["models"], cfg["stability"]
    ranked, pos, n_screen = assessed.ranked, assessed.pos, assessed.n_screen
    provisional = bool(ranked.loc[pos, "provisional"])
    k = int(ranked.loc[pos, "k"])
    # every k of the range, with its criteria, stability and the reason for the choice
    candidates = candidates_table(
        selection.summary, ranked, model=mcfg["primary"], criterion=mcfg["criterion"],
        min_share=mcfg["min_share"], min_jaccard=scfg["min_jaccard"],
        screen_margin=scfg["screen_margin"], n_screen=n_screen, n_full=scfg["n_resamples"],
        **_small(cfg, len(prep.X)))
    words = {"min_jaccard": scfg["min_jaccard"], "n_full": scfg["n_resamples"],
             "n_screen": n_screen, "screen_margin": scfg["screen_margin"]}
    choice_note = choice_paragraph(candidates, criterion=mcfg["criterion"],
                                   method=scfg["method"],
                                   k_range=(mcfg["k_min"], mcfg["k_max"]), **words)
    model = selection.estimators_[(mcfg["primary"], k)]
    # the chosen model's labels are its stability result's reference labels
    labels = pd.Series(assessed.stability.reference_labels, index=prep.X.index,
                       name="cluster")
    return Chosen(model=model, k=k, labels=labels, stability=assessed.stability,
                  candidates=candidates, provisional=provisional, choice_note=choice_note,
                  words=words, X_model=assessed.X_model)


def _fitted_labels(estimator, X_model):
    """The training labels of a fitted estimator (``labels_``, noise -1 kept), else
    ``predict``."""
    labels = getattr(estimator, "labels_", None)
    return np.asarray(estimator.predict(X_model) if labels is None else labels)

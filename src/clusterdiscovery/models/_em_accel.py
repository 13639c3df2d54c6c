"""SQUAREM: squared extrapolation of a monotone EM map (Varadhan and Roland 2008).

Private helper of :class:`~clusterdiscovery.models.LatentClassModel`. The EM of a latent
class model is a fixed-point map ``theta -> M(E(theta))`` that converges linearly, slowly
when the classes overlap: hundreds of steps creep along a ridge of the likelihood. SQUAREM
takes two EM steps ``theta1 = F(theta0)``, ``theta2 = F(theta1)``, forms ``r = theta1 -
theta0`` and ``v = theta2 - 2 theta1 + theta0`` and jumps to ``theta0 + 2 a r + a^2 v``
with the step length ``a = |r| / |v|`` (their scheme S3), then applies one EM step to the
jump (which makes the parameters valid again: floors, normalisations). The jump is kept
only if the log-likelihood did not decrease; otherwise the plain two-step point is used
and the largest allowed step shrinks. The result is a monotone ascent, like EM, that
reaches the same fixed points in several times fewer E and M steps.

The module knows nothing about the model's formulas: it receives the model's own E-step
and M-step as callables and only extrapolates. Parameters are extrapolated on an
unconstrained scale: log class shares and log level probabilities (renormalised per
block after the jump), means as they are, log variances and log rates.

References
----------
.. [1] Varadhan, R. and Roland, C. (2008). Simple and globally convergent methods for
   accelerating the convergence of any EM algorithm. Scandinavian Journal of
   Statistics, 35(2), 335-353.
.. [2] Du, Y. and Varadhan, R. (2020). SQUAREM: An R package for off-the-shelf
   acceleration of EM, MM and other EM-like monotone algorithms. Journal of Statistical
   Software, 92(7). (Defaults used here: step.min = 1, step.max0 = 1, mstep = 4.)
"""

from __future__ import annotations

import numpy as np

__all__ = ["ACCELERATORS", "squarem", "lca_transform", "run_em"]

#: accepted values of LatentClassModel's ``accelerate`` parameter
ACCELERATORS = ("squarem", "none")

_STEP_MAX0 = 1.0
_MSTEP = 4.0


def _logsumexp_blocks(logP, offsets, block_of):
    """Per-block log-normaliser of stacked log probabilities (L, K) -> (L, K)."""
    mx = np.maximum.reduceat(logP, offsets, axis=0)
    s = np.add.reduceat(np.exp(logP - mx[block_of]), offsets, axis=0)
    return (mx + np.log(s))[block_of]


def lca_transform(model):
    """``(pack, unpack)`` between the latent class parameter tuple and one flat vector.

    The tuple is ``(log_w, logP, mu, var, lam, *extra)``; ``var`` and ``lam`` are packed
    as logs, the rest as they are. ``unpack`` renormalises ``log_w`` and each categorical
    block of ``logP``. Any extra arrays are extrapolated as they are.
    """
    offsets, block_of = model._offsets, model._block_of
    shapes = []

    def pack(params):
        parts = list(params)
        parts[3] = np.log(parts[3])
        parts[4] = np.log(parts[4])
        if not shapes:
            shapes.extend(np.shape(p) for p in parts)
        return np.concatenate([np.ravel(p) for p in parts])

    def unpack(x):
        out, i = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            out.append(x[i:i + size].reshape(shape))
            i += size
        log_w = out[0]
        if log_w.ndim == 1:
            mx = log_w.max()
            out[0] = log_w - (mx + np.log(np.exp(log_w - mx).sum()))
        if out[1].shape[0]:
            out[1] = out[1] - _logsumexp_blocks(out[1], offsets, block_of)
        out[3] = np.exp(out[3])
        out[4] = np.exp(out[4])
        return tuple(out)

    return pack, unpack


def squarem(e_step, m_step, params, *, pack, unpack, tol, max_iter):
    """Run EM accelerated by SQUAREM (scheme S3) from ``params``.

    Parameters
    ----------
    e_step : callable
        ``e_step(params) -> (A, ll)``: responsibilities at ``params`` and the
        log-likelihood there (the model's own E-step).
    m_step : callable
        ``m_step(A) -> params`` (the model's own M-step).
    params : tuple of ndarray
        Starting values.
    pack, unpack : callable
        Parameters to a flat unconstrained vector and back (see :func:`lca_transform`).
    tol : float
        Stop when the log-likelihood changes by less than ``tol`` (total, not per row)
        between two successive iterates: either one plain EM step or one accepted jump.
    max_iter : int
        Maximum number of M-steps (each SQUAREM cycle uses two or three).

    Returns
    -------
    params, ll, converged, n_iter, A
        As the plain EM loop: the final parameters, the log-likelihood there, whether the
        change fell below ``tol``, the number of M-steps taken, and the responsibilities
        at the final parameters.
    """
    step_max = _STEP_MAX0
    A0, ll0 = e_step(params)
    p0 = params
    n_iter = 0
    while True:
        if n_iter >= max_iter:
            return p0, ll0, False, n_iter, A0
        p1 = m_step(A0)
        n_iter += 1
        A1, ll1 = e_step(p1)
        if n_iter >= max_iter:
            return p1, ll1, False, n_iter, A1
        p2 = m_step(A1)
        n_iter += 1
        x0, x1, x2 = pack(p0), pack(p1), pack(p2)
        r = x1 - x0
        v = x2 - x1 - r
        sv2 = float(v @ v)
        alpha = np.sqrt(float(r @ r) / sv2) if sv2 > 0 else 1.0
        alpha = min(max(alpha, 1.0), step_max)
        accepted = False
        if alpha > 1.0 and n_iter < max_iter:
            x_new = x0 + 2.0 * alpha * r + alpha * alpha * v
            if np.all(np.isfinite(x_new)):
                A_ext, ll_ext = e_step(unpack(x_new))
                if np.isfinite(ll_ext):
                    p_new = m_step(A_ext)  # stabilising EM step from the jump
                    n_iter += 1
                    A_new, ll_new = e_step(p_new)
                    accepted = bool(np.isfinite(ll_new) and ll_new >= ll0)
        if not accepted:
            p_new = p2
            A_new, ll_new = e_step(p2)
            if alpha == step_max:
                step_max = max(_STEP_MAX0, step_max / _MSTEP)
            alpha = 1.0
        if alpha == step_max:
            step_max *= _MSTEP
        converged = abs(ll_new - ll0) < tol
        p0, A0, ll0 = p_new, A_new, ll_new
        if converged:
            return p0, ll0, True, n_iter, A0


def run_em(model, e_step, m_step, params, *, tol, max_iter):
    """EM from ``params``: SQUAREM when ``model.accelerate == "squarem"``, else plain EM.

    The one EM loop of the in-memory fit, the latent class regression and the Dask fit:
    each passes its own ``e_step(params) -> (state, ll)`` and ``m_step(state) -> params``.
    Plain EM stops when the log-likelihood changes by less than ``tol`` (total, not per
    row) from one M-step to the next, or after ``max_iter`` M-steps. Returns ``params,
    ll, converged, n_iter, state`` as :func:`squarem`.
    """
    if model.accelerate == "squarem":
        pack, unpack = lca_transform(model)
        return squarem(e_step, m_step, params, pack=pack, unpack=unpack, tol=tol,
                       max_iter=max_iter)
    state, ll = e_step(params)
    prev, n_iter = -np.inf, 0
    while abs(ll - prev) >= tol and n_iter < max_iter:
        prev = ll
        params = m_step(state)
        n_iter += 1
        state, ll = e_step(params)
    return params, ll, abs(ll - prev) < tol, n_iter, state

"""Forward-backward and Viterbi recursions of a latent transition (hidden Markov) model,
vectorised over clients.

``logB`` is a list of (K, n) arrays: the class-conditional log-likelihood of each
client's items at each time point (0 where the client was not assessed, which leaves that
time point out of the likelihood). ``A`` is one (K, K) transition matrix per interval.
The recursions are the scaled ones of Rabiner (1989), section V.A, with each time point's
emissions shifted by their per-client maximum before exponentiation.

References
----------
Rabiner, L. R. (1989). A tutorial on hidden Markov models and selected applications in
speech recognition. *Proceedings of the IEEE*, 77(2), 257-286.
"""

from __future__ import annotations

import numpy as np

__all__ = ["forward_backward", "viterbi"]

_TINY = 1e-300


def _scaled(logB):
    shift = [lb.max(axis=0) for lb in logB]
    B = [np.exp(lb - s) for lb, s in zip(logB, shift)]
    return B, shift


def forward_backward(log_pi, A, logB, w=None, *, need_xi=True):
    """Posterior class probabilities per time point and expected transition counts.

    Parameters
    ----------
    log_pi : (K,) log initial shares
    A : list of (K, K) transition matrices, one per interval (rows: from, columns: to)
    logB : list of (K, n) class-conditional log-likelihoods, one per time point
    w : (n,) client weights, optional (for the expected counts)

    Returns
    -------
    gamma : list of (K, n) posteriors
    xi : list of (K, K) weighted expected transition counts per interval (None if not needed)
    loglik : (n,) each client's log-likelihood (without the class-free constants)
    """
    T = len(logB)
    B, shift = _scaled(logB)
    alpha, c = [], []
    a = np.exp(log_pi)[:, None] * B[0]
    for t in range(T):
        if t:
            a = (A[t - 1].T @ alpha[-1]) * B[t]
        s = a.sum(axis=0)
        s = np.maximum(s, _TINY)
        a = a / s
        alpha.append(a)
        c.append(s)
    loglik = sum(np.log(ct) + sh for ct, sh in zip(c, shift))
    beta = [None] * T
    beta[-1] = np.ones_like(alpha[-1])
    for t in range(T - 2, -1, -1):
        beta[t] = A[t] @ (B[t + 1] * beta[t + 1]) / c[t + 1]
    gamma = [al * be for al, be in zip(alpha, beta)]
    xi = None
    if need_xi:
        ww = np.ones(alpha[0].shape[1]) if w is None else w
        xi = [A[t - 1] * ((alpha[t - 1] * ww) @ ((B[t] * beta[t]) / c[t]).T)
              for t in range(1, T)]
    return gamma, xi, loglik


def viterbi(log_pi, A, logB) -> np.ndarray:
    """Most likely class path of every client, shape (n, T)."""
    logA = [np.log(np.maximum(a, _TINY)) for a in A]
    delta = log_pi[:, None] + logB[0]
    back = []
    for t in range(1, len(logB)):
        cand = delta[:, None, :] + logA[t - 1][:, :, None]  # (from, to, n)
        back.append(cand.argmax(axis=0))
        delta = cand.max(axis=0) + logB[t]
    path = [delta.argmax(axis=0)]
    for bp in reversed(back):
        path.append(bp[path[-1], np.arange(bp.shape[1])])
    return np.column_stack(path[::-1])

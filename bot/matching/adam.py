"""Full-batch Adam for the models trained at start-up (entry model, crisis classifier).

Deterministic, and in place: besides the parameters it keeps two moment arrays and one scratch
array per parameter, which is what bounds the entry model's peak memory while training.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BETA1 = 0.9
BETA2 = 0.999
EPS = 1e-8


class Adam:
    def __init__(self, params: Sequence[np.ndarray], rate: float,
                 l2: Sequence[float] | None = None) -> None:
        self.params = params
        self.rate = rate
        self.l2 = l2 or [0.0] * len(params)  # per parameter: L2 penalty added to its gradient
        self._m = [np.zeros_like(p) for p in params]
        self._v = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]
        self._t = 0

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """One update of every parameter, in place, from its gradient (which gets the L2 term
        added in place)."""
        self._t += 1
        c1, c2 = 1 - BETA1**self._t, 1 - BETA2**self._t
        for p, g, l2, m, v, s in zip(self.params, grads, self.l2, self._m, self._v,
                                     self._scratch, strict=True):
            if l2:
                np.multiply(p, l2, out=s)
                g += s
            m *= BETA1
            np.multiply(g, 1 - BETA1, out=s)
            m += s
            np.multiply(g, g, out=s)
            s *= 1 - BETA2
            v *= BETA2
            v += s
            np.divide(v, c2, out=s)
            np.sqrt(s, out=s)
            s += EPS
            np.divide(m, s, out=s)
            s *= self.rate / c1
            p -= s

"""Exact area averaging, shared by the reference scripts: the shape an image is scaled to,
and the resampling matrices (in float64) that scale it."""
import numpy as np


def fitted_shape(h, w, working):
    longer = max(h, w)
    if longer <= working:
        return h, w
    other = lambda side: max(1, int(np.floor(side * working / longer + 0.5)))
    return (working, other(w)) if h >= w else (other(h), working)


def area_matrix(n, m):
    """Row o averages the input interval [o·n/m, (o+1)·n/m), weighting each input cell by
    its overlap: exact area averaging, in float64."""
    scale = n / m
    a = np.zeros((m, n))
    for o in range(m):
        lo, hi = o * scale, (o + 1) * scale
        for i in range(int(np.floor(lo)), min(int(np.ceil(hi)), n)):
            a[o, i] = max(0.0, min(hi, i + 1) - max(lo, i)) / scale
    return a

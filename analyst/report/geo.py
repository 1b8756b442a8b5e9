"""Approximate province outlines for the commune map, drawn without any map tiles or network.

The gazetteer has a centre point for every current commune/ward but no boundaries, so a
province is outlined by the convex hull of its communes' centres, padded slightly. That is
honest enough to place a commune within its province at a glance; the map says so.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy.spatial import ConvexHull, QhullError

OUTLINE_PADDING = 0.04  # degrees (~4 km): the hull of centres lies inside the real border


@cache
def province_outline(province: str) -> tuple[tuple[float, float], ...]:
    """(lon, lat) corners of a province's approximate outline; empty when unknown."""
    from nlp.gazetteer import WARD, load_gazetteer

    points = np.array([
        (unit.lon, unit.lat)
        for unit in load_gazetteer().units
        if unit.current and unit.level == WARD and unit.province == province and unit.lat is not None and unit.lon is not None
    ])
    if len(points) < 3:
        return ()
    try:
        hull = ConvexHull(points)
    except QhullError:
        return ()
    corners = points[hull.vertices]
    centre = corners.mean(axis=0)
    directions = corners - centre
    lengths = np.linalg.norm(directions, axis=1, keepdims=True)
    padded = corners + directions / np.where(lengths == 0, 1, lengths) * OUTLINE_PADDING
    return tuple((float(lon), float(lat)) for lon, lat in padded)

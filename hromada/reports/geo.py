"""Distances and public coordinates.

Published coordinates are snapped to the centre of a grid cell as wide as the incident's
blur radius. Snapping, not random jitter: jitter drawn anew on each request averages out
to the true spot after a few requests, while a grid cell gives away nothing finer than
itself however often it is asked for.
"""

from __future__ import annotations

import math
from decimal import Decimal

EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = 111_320


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def blur(
    latitude: Decimal | float, longitude: Decimal | float, radius_m: int
) -> tuple[float, float]:
    """The centre of the grid cell of side ``radius_m`` that holds the point.

    Rows are bands of latitude; each band's cells are as wide in metres as they are tall,
    measured at the band's middle, so a cell is never narrower than the radius.
    """
    cell_lat = radius_m / METRES_PER_DEGREE
    row = math.floor(float(latitude) / cell_lat)
    centre_lat = (row + 0.5) * cell_lat
    cell_lon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(centre_lat)), 0.01))
    column = math.floor(float(longitude) / cell_lon)
    centre_lon = (column + 0.5) * cell_lon
    return round(centre_lat, 5), round(centre_lon, 5)

"""Distances on the Earth's surface, good to a metre at neighbourhood scale."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180
ALERT_GRID_M = 100.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(
    lat: float, lon: float, radius_m: float
) -> tuple[float, float, float, float]:
    """A lat/lon box that contains the circle, for an index range scan."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, radius_m / (METRES_PER_DEGREE_LAT * coslat))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def coarsen(
    lat: float, lon: float, grid_m: float = ALERT_GRID_M
) -> tuple[float, float]:
    """Snap a point to the centre of a ~100 m cell so alerts never pin a house."""
    step_lat = grid_m / METRES_PER_DEGREE_LAT
    snapped_lat = (math.floor(lat / step_lat) + 0.5) * step_lat
    # The row's latitude, not the point's: one fixed grid per row, so every
    # point of a cell lands on the same centre and none leaks its exact place.
    coslat = max(math.cos(math.radians(snapped_lat)), 1e-6)
    step_lon = grid_m / (METRES_PER_DEGREE_LAT * coslat)
    snapped_lon = (math.floor(lon / step_lon) + 0.5) * step_lon
    return round(snapped_lat, 6), round(snapped_lon, 6)

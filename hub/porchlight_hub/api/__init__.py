"""The hub's JSON API (``/api/v1``), one module per party that calls it.

``public`` and ``transparency`` answer anyone; ``home``, ``alerts``,
``requests``, ``shares`` and ``stream`` answer paired homes; ``agency``,
``intake``, ``session`` and ``portal`` answer agencies. Keeping each party's
routes apart makes it plain what each may reach.
"""

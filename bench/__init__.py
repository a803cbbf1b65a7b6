"""Benchmarks; run one with `scripts/bench NAME` (runs `python -m bench.NAME`)."""

import logging as _logging

# Importing the integration imports Home Assistant's camera integration, which
# logs a traceback when libturbojpeg is missing (it only speeds up resizing
# snapshots, which no benchmark does); keep it out of the figures.
_logging.getLogger("homeassistant.components.camera.img_util").setLevel(
    _logging.CRITICAL
)

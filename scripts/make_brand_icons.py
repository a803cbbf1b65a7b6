"""Draw Porchlight's brand icon: a wall lantern glowing on a porch.

Since 2026.3 Home Assistant shows a custom integration's own
``brand/icon.png`` (256x256) and ``brand/icon@2x.png`` (512x512), and the
brands repository no longer takes custom integrations, so the images ship
inside the integration. They are drawn here rather than
in an image editor so that anyone can change the motif and regenerate both
sizes from one master, which keeps them identical apart from resolution.

Run it from the repository root: ``.venv/bin/python scripts/make_brand_icons.py``.
Only the PNGs are committed; re-running rewrites them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from PIL import Image, ImageChops, ImageDraw, ImageFilter

BRAND_DIR: Final = (
    Path(__file__).resolve().parent.parent
    / "custom_components"
    / "porchlight"
    / "brand"
)
SIZES: Final = {"icon.png": 256, "icon@2x.png": 512}

# Drawn on a 1024 grid and supersampled: PIL's shapes are not anti-aliased,
# so drawing large and shrinking with a good filter gives clean edges.
GRID: Final = 1024
SUPERSAMPLE: Final = 4

FRAME: Final = (52, 64, 78, 255)  # slate: readable on light and dark themes
FRAME_LIGHT: Final = (84, 101, 120, 255)
GLASS: Final = (255, 196, 64, 255)  # warm amber
FLAME: Final = (255, 246, 214, 255)
GLOW: Final = (255, 183, 40)

Point = tuple[float, float]
Point4 = tuple[float, float, float, float]


def _scaled(points: Sequence[Point], scale: float) -> list[Point]:
    return [(x * scale, y * scale) for x, y in points]


def _glow(size: int, centre: Point, radius: float) -> Image.Image:
    """A soft halo: the light the lantern casts around itself."""
    halo = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(halo)
    cx, cy = centre
    steps = 48
    for i in range(steps):
        r = radius * (1 - i / steps)
        alpha = int(150 * (i / steps) ** 1.6)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=alpha)
    halo = halo.filter(ImageFilter.GaussianBlur(radius / 10))
    layer = Image.new("RGBA", (size, size), (*GLOW, 0))
    layer.putalpha(halo)
    return layer


def _rays(draw: ImageDraw.ImageDraw, centre: Point, scale: float) -> None:
    """Short beams to the open side of the lantern, away from the wall."""
    cx, cy = centre
    for angle in (-50, -18, 18, 50):
        rad = math.radians(angle)
        inner, outer = 250, 330
        start = (cx + inner * math.cos(rad), cy + inner * math.sin(rad))
        end = (cx + outer * math.cos(rad), cy + outer * math.sin(rad))
        draw.line(_scaled([start, end], scale), fill=GLASS, width=round(30 * scale))
        for x, y in (start, end):
            r = 15 * scale
            draw.ellipse(
                (x * scale - r, y * scale - r, x * scale + r, y * scale + r), GLASS
            )


def draw_master() -> Image.Image:
    """The icon at ``GRID * SUPERSAMPLE`` pixels, on a transparent background."""
    size = GRID * SUPERSAMPLE
    s = float(SUPERSAMPLE)
    centre = (560.0, 560.0)  # centre of the glass
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    image.alpha_composite(_glow(size, (centre[0] * s, centre[1] * s), 430 * s))

    draw = ImageDraw.Draw(image)
    _rays(draw, centre, s)

    # Wall plate and the arm that holds the lantern out from the wall.
    draw.rounded_rectangle(_box(96, 300, 176, 700, s), radius=28 * s, fill=FRAME)
    draw.rectangle(_box(170, 360, 460, 408, s), fill=FRAME)
    draw.line(_scaled([(176, 520), (300, 392)], s), fill=FRAME, width=round(40 * s))

    # Roof: a cap with a small finial, wider than the glass.
    draw.ellipse(_box(528, 168, 592, 232, s), fill=FRAME)
    draw.polygon(_scaled([(560, 200), (700, 330), (420, 330)], s), fill=FRAME)
    draw.rounded_rectangle(_box(400, 318, 720, 368, s), radius=18 * s, fill=FRAME)

    # Glass, lit from inside, narrowing slightly towards the base.
    glass = [(440, 368), (680, 368), (650, 760), (470, 760)]
    draw.polygon(_scaled(glass, s), fill=GLASS)
    draw.ellipse(_box(505, 455, 615, 655, s), fill=FLAME)

    # Frame bars over the glass.
    bar = round(26 * s)
    draw.line(_scaled([(440, 368), (470, 760)], s), fill=FRAME, width=bar)
    draw.line(_scaled([(680, 368), (650, 760)], s), fill=FRAME, width=bar)
    draw.line(_scaled([(560, 368), (560, 440)], s), fill=FRAME_LIGHT, width=bar // 2)

    # Base and the drip at the bottom.
    draw.rounded_rectangle(_box(430, 748, 690, 800, s), radius=18 * s, fill=FRAME)
    draw.polygon(_scaled([(490, 800), (630, 800), (585, 850), (535, 850)], s), FRAME)
    return image


def _box(x0: float, y0: float, x1: float, y1: float, scale: float) -> Point4:
    return (x0 * scale, y0 * scale, x1 * scale, y1 * scale)


def trim(image: Image.Image, margin: float = 0.04) -> Image.Image:
    """Crop to the drawing and centre it on a square with a thin margin.

    Home Assistant's brand guidelines ask for icons without empty space
    around them; a hair of margin keeps the anti-aliased edges whole.
    """
    alpha = image.getchannel("A")
    visible = ImageChops.constant(alpha, 0)
    bbox = ImageChops.difference(alpha, visible).getbbox()
    if bbox is None:
        raise ValueError("the icon is empty")
    cropped = image.crop(bbox)
    side = max(cropped.size)
    side = round(side * (1 + 2 * margin))
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.alpha_composite(
        cropped, ((side - cropped.width) // 2, (side - cropped.height) // 2)
    )
    return square


def main() -> None:
    """Write both sizes of the icon into the integration's brand folder."""
    master = trim(draw_master())
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    for name, pixels in SIZES.items():
        icon = master.resize((pixels, pixels), Image.Resampling.LANCZOS)
        icon.save(BRAND_DIR / name, optimize=True)
        print(f"wrote {BRAND_DIR / name} ({pixels}x{pixels})")


if __name__ == "__main__":
    main()

"""Synthetic scenes: images rendered from polygons filled with material-like textures.

Each scene is a list of regions (normalised polygon, material name) painted in order, so
the ground truth of every pixel is known. Rendering is deterministic for a given seed.
Pure functions: numpy and Pillow only.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 800, 600


@dataclass(frozen=True)
class Region:
    material: str
    # [x1, y1, x2, y2, ...] normalised to the image
    vertices: tuple[float, ...]


@dataclass(frozen=True)
class SyntheticScene:
    slug: str
    scene_category: str
    description: str
    regions: tuple[Region, ...]
    seed: int


def _noise(rng: np.random.Generator, shape: tuple[int, int], scale: int) -> np.ndarray:
    """Smooth value noise in [0, 1], made by upsampling random values."""
    small = rng.random((max(2, shape[0] // scale), max(2, shape[1] // scale)))
    image = Image.fromarray((small * 255).astype(np.uint8)).resize(
        (shape[1], shape[0]), Image.Resampling.BICUBIC
    )
    return np.asarray(image, dtype=np.float32) / 255.0


def _tint(gray: np.ndarray, low: tuple[int, int, int], high: tuple[int, int, int]) -> np.ndarray:
    gray = np.clip(gray, 0, 1)[..., None]
    return (np.array(low) * (1 - gray) + np.array(high) * gray).astype(np.float32)


def _sample_texture(name: str, shape: tuple[int, int]) -> np.ndarray | None:
    """Return a CC0 texture photograph from scikit-image's sample data, tiled to ``shape``."""
    try:
        import skimage.data
    except ImportError:
        return None
    path = Path(skimage.data.__file__).parent / f"{name}.png"
    if not path.exists():
        return None
    texture = np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0
    reps = (shape[0] // texture.shape[0] + 1, shape[1] // texture.shape[1] + 1)
    return np.tile(texture, reps)[: shape[0], : shape[1]]


def texture_wood(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    plank = 70
    offset = rng.random(w // plank + 2) * 400
    col = (x // plank).astype(int)
    warp = _noise(rng, shape, 40) * 6
    grain = 0.5 + 0.5 * np.sin((y + offset[col]) / 9.0 + warp)
    grain = 0.6 * grain + 0.4 * _noise(rng, shape, 6)
    rgb = _tint(grain, (92, 52, 25), (170, 110, 60))
    rgb[(x % plank) < 2] *= 0.55  # seams between planks
    return rgb


def texture_tile(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    y, x = np.mgrid[0:h, 0:w]
    size = 60
    cell = ((x // size) + (y // size)) % 2
    base = _tint(0.7 + 0.3 * _noise(rng, shape, 8), (180, 180, 175), (235, 235, 228))
    base[cell == 1] *= 0.93
    grout = ((x % size) < 3) | ((y % size) < 3)
    base[grout] = (120, 118, 110)
    return base


def texture_brick(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    photo = _sample_texture("brick", shape)
    if photo is not None:
        return _tint(photo, (70, 25, 18), (200, 110, 80))
    h, w = shape
    y, x = np.mgrid[0:h, 0:w]
    row = y // 30
    mortar = ((y % 30) < 4) | (((x + (row % 2) * 35) % 70) < 4)
    rgb = _tint(_noise(rng, shape, 5), (120, 40, 30), (180, 80, 60))
    rgb[mortar] = (190, 185, 175)
    return rgb


def texture_painted(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    colour = rng.choice([(214, 205, 180), (170, 195, 210), (200, 214, 190), (235, 230, 220)])
    return _tint(0.95 + 0.05 * _noise(rng, shape, 3), tuple(int(c * 0.9) for c in colour), colour)


def texture_fabric(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    y, x = np.mgrid[0:h, 0:w]
    weave = 0.5 + 0.25 * np.sin(x * 1.3) + 0.25 * np.sin(y * 1.3)
    colour = rng.choice([(120, 30, 40), (40, 60, 120), (60, 100, 60), (150, 110, 60)])
    low = tuple(int(c * 0.6) for c in colour)
    return _tint(0.7 * weave + 0.3 * _noise(rng, shape, 4), low, colour)


def texture_carpet(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    fibres = 0.5 * rng.random(shape) + 0.5 * _noise(rng, shape, 12)
    return _tint(fibres, (90, 80, 70), (160, 145, 125))


def texture_metal(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    streaks = np.repeat(rng.random((1, w)), h, axis=0) * 0.3
    gradient = np.linspace(0.3, 1.0, h, dtype=np.float32)[:, None]
    return _tint(0.7 * gradient + streaks, (90, 95, 100), (215, 220, 225))


def texture_stone(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    photo = _sample_texture("gravel", shape)
    gray = photo if photo is not None else _noise(rng, shape, 4)
    return _tint(gray, (80, 78, 72), (190, 185, 175))


def texture_glass(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    h, _ = shape
    sky = np.linspace(1.0, 0.6, h, dtype=np.float32)[:, None] * np.ones(shape, dtype=np.float32)
    return _tint(sky, (120, 160, 200), (210, 230, 245))


def texture_foliage(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    photo = _sample_texture("grass", shape)
    gray = photo if photo is not None else _noise(rng, shape, 3)
    return _tint(gray, (25, 60, 20), (110, 170, 70))


TEXTURES: dict[str, Callable[[np.random.Generator, tuple[int, int]], np.ndarray]] = {
    "Wood": texture_wood,
    "Tile": texture_tile,
    "Brick": texture_brick,
    "Painted": texture_painted,
    "Fabric/cloth": texture_fabric,
    "Carpet/rug": texture_carpet,
    "Metal": texture_metal,
    "Stone": texture_stone,
    "Glass": texture_glass,
    "Foliage": texture_foliage,
}


def render(scene: SyntheticScene, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """Return the scene rendered as PNG bytes."""
    rng = np.random.default_rng(scene.seed)
    canvas = np.zeros((height, width, 3), dtype=np.float32)
    for region in scene.regions:
        texture = TEXTURES[region.material](rng, (height, width))
        mask_image = Image.new("L", (width, height), 0)
        points = [
            (region.vertices[i] * width, region.vertices[i + 1] * height)
            for i in range(0, len(region.vertices), 2)
        ]
        ImageDraw.Draw(mask_image).polygon(points, fill=255)
        mask = np.asarray(mask_image, dtype=np.float32)[..., None] / 255.0
        canvas = canvas * (1 - mask) + texture * mask
    # Soft light from the top left, so surfaces are not perfectly flat.
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    light = 1.05 - 0.25 * (x / width + y / height) / 2
    canvas = np.clip(canvas * light[..., None], 0, 255).astype(np.uint8)
    image = Image.fromarray(canvas).filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def _quad(x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
    return (x0, y0, x1, y0, x1, y1, x0, y1)


def _room(
    slug: str,
    category: str,
    description: str,
    seed: int,
    wall: str,
    floor: str,
    objects: list[Region],
) -> SyntheticScene:
    horizon = 0.62
    regions = [
        Region(wall, _quad(0, 0, 1, horizon)),
        Region(floor, (0, horizon, 1, horizon, 1, 1, 0, 1)),
        *objects,
    ]
    return SyntheticScene(slug, category, description, tuple(regions), seed)


def demo_scenes() -> list[SyntheticScene]:
    """Return the synthetic scenes shipped as demo data."""
    return [
        _room(
            "synthetic-kitchen",
            "kitchen",
            "Synthetic kitchen: tiled floor, painted wall, wooden cabinet and a metal range hood.",
            11,
            "Painted",
            "Tile",
            [
                Region("Wood", _quad(0.05, 0.35, 0.55, 0.8)),
                Region("Metal", (0.62, 0.05, 0.9, 0.05, 0.95, 0.3, 0.57, 0.3)),
                Region("Stone", _quad(0.03, 0.3, 0.57, 0.36)),
                Region("Glass", _quad(0.62, 0.38, 0.92, 0.58)),
            ],
        ),
        _room(
            "synthetic-living-room",
            "living room",
            "Synthetic living room: wooden floor, brick wall, a rug, a sofa and a window.",
            23,
            "Brick",
            "Wood",
            [
                Region("Carpet/rug", (0.2, 0.72, 0.8, 0.72, 0.92, 0.95, 0.08, 0.95)),
                Region("Fabric/cloth", (0.1, 0.4, 0.55, 0.4, 0.58, 0.7, 0.07, 0.7)),
                Region("Glass", _quad(0.65, 0.12, 0.92, 0.45)),
                Region("Foliage", (0.7, 0.18, 0.8, 0.15, 0.88, 0.3, 0.75, 0.4)),
            ],
        ),
        _room(
            "synthetic-bedroom",
            "bedroom",
            "Synthetic bedroom: carpet, painted wall, a bed with fabric covers, a wooden chest.",
            37,
            "Painted",
            "Carpet/rug",
            [
                Region("Wood", _quad(0.1, 0.35, 0.7, 0.55)),
                Region("Fabric/cloth", (0.12, 0.5, 0.68, 0.5, 0.78, 0.85, 0.02, 0.85)),
                Region("Wood", _quad(0.78, 0.45, 0.97, 0.75)),
                Region("Metal", _quad(0.82, 0.4, 0.93, 0.45)),
            ],
        ),
        _room(
            "synthetic-bathroom",
            "bathroom",
            "Synthetic bathroom: tiled walls and floor, a glass shower screen, a metal rail.",
            41,
            "Tile",
            "Stone",
            [
                Region("Painted", _quad(0.05, 0.45, 0.45, 0.8)),
                Region("Glass", _quad(0.55, 0.08, 0.95, 0.85)),
                Region("Metal", _quad(0.08, 0.3, 0.42, 0.33)),
            ],
        ),
        _room(
            "synthetic-garage",
            "garage",
            "Synthetic garage: stone floor, brick wall, a metal door and a wooden workbench.",
            53,
            "Brick",
            "Stone",
            [
                Region("Metal", _quad(0.45, 0.1, 0.95, 0.62)),
                Region("Wood", (0.02, 0.45, 0.4, 0.45, 0.42, 0.6, 0.0, 0.6)),
                Region("Wood", _quad(0.04, 0.6, 0.07, 0.85)),
                Region("Wood", _quad(0.35, 0.6, 0.38, 0.85)),
            ],
        ),
        _room(
            "synthetic-hallway",
            "hallway",
            "Synthetic hallway: wooden floor with a runner rug, painted walls, a framed mirror.",
            67,
            "Painted",
            "Wood",
            [
                Region("Carpet/rug", (0.4, 0.62, 0.6, 0.62, 0.75, 1.0, 0.25, 1.0)),
                Region("Wood", _quad(0.3, 0.1, 0.7, 0.5)),
                Region("Glass", _quad(0.33, 0.13, 0.67, 0.47)),
            ],
        ),
    ]

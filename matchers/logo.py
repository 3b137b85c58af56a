"""Find the brand pack's logos inside listing photos, and say how sure we are and why.

Two stages, because whole-image hashes cannot see a logo that covers a fifth of a photo and
sliding-window hashes fire on random fruit:

1. **Candidates** — ORB keypoints of the photo are matched against keypoints of each logo,
   computed once per logo at several scales and in several recolourings (hue turns and the
   inverted image; keypoints work on grey levels, so greyscale needs no variant of its own).
   A RANSAC similarity transform (rotation, uniform scale, shift) keeps matches that agree on
   one placement, then ECC aligns the logo's edges to the photo's for a pixel-exact placement.
2. **Verification** — the candidate region is rectified back into the logo's frame and compared
   cell by cell with the reference (correlation of gradient magnitudes, which ignores colour and
   polarity), and as a second opinion by a perceptual hash of the rectified edges. A look-alike
   emblem in the same palette shares the outline and the colours but not the lettering, so its
   text cells contradict the reference and it is rejected; a real logo partly covered still
   agrees in most cells, and its covered cells are flat rather than contradicting.

Everything about a logo is computed from the pack's image file, never from knowledge of the
stand-in artwork: replace the file and the index is rebuilt (cached by the file's hash).
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import imagehash
import numpy as np
from PIL import Image

from matchers.imageload import ImageRejected, load_image_bytes
from matchers.vision_types import LogoHit

ANALYSIS_SIDE = 800
_REFERENCE_WIDTHS = (96, 150, 240)
_RECTIFIED = 256
_GRID = 16
_CONTRADICTION = 0.3
_ECC_SIDE = 96
# Keypoints of an 800-px photo are placed to about a pixel; three allows for pyramid rounding.
_RANSAC_PIXELS = 3.0
_NEIGHBOURS = 4
_MAX_HAMMING = 70
_RATIO = 0.85
_HUE_TURNS = (0, 60, 120)
# Part of every index digest, so cached image analyses are redone when the method changes.
_METHOD_VERSION = "orb-ecc-cells-3"


@dataclass(frozen=True, slots=True)
class LogoThresholds:
    """Acceptance rules of a candidate; measured on benchmarks/bench_logo.py."""

    min_inliers: int = 10
    # Low on purpose: a logo filling the photo matches only at the coarsest pyramid levels, so
    # many of its photo keypoints find no partner; the cell check is what rejects look-alikes.
    min_inlier_ratio: float = 0.12
    # Share of the logo's detailed cells whose edges agree with the reference, and share whose
    # edges are as strong as the reference's but different (other lettering: a look-alike).
    min_cell_agreement: float = 0.6
    max_cell_contradiction: float = 0.12
    cell_correlation: float = 0.45
    max_hash_distance: int = 30
    max_angle: float = 30.0
    # Placed logo width as a fraction of the image width.
    min_width_fraction: float = 0.05
    max_width_fraction: float = 1.2


@dataclass(frozen=True, slots=True)
class _LogoModel:
    mark_id: str
    width: int
    height: int
    keypoints: np.ndarray  # (n, 2) float32, in the logo's own pixel frame
    descriptors: np.ndarray  # (n, 32) uint8 ORB
    rectified_edges: np.ndarray  # (_RECTIFIED, _RECTIFIED) float32 gradient magnitude
    coarse_edges: np.ndarray  # (_ECC_SIDE, _ECC_SIDE) float32, the alignment template
    mask: np.ndarray  # (_RECTIFIED, _RECTIFIED) bool: opaque part of the logo
    detailed_cells: np.ndarray  # (_GRID, _GRID) bool
    edge_hash: imagehash.ImageHash


class LogoIndex:
    """The pack's logo marks, ready to be searched for in photos."""

    def __init__(self, models: Sequence[_LogoModel], *, digest: str,
                 thresholds: LogoThresholds | None = None):
        self._models = tuple(models)
        self.digest = digest
        self.thresholds = thresholds or LogoThresholds()
        self._orb_local = threading.local()
        self._descriptors = (
            np.vstack([model.descriptors for model in self._models]) if self._models else np.zeros((0, 32), np.uint8)
        )
        self._owner = np.concatenate(
            [np.full(len(model.descriptors), index, np.int32) for index, model in enumerate(self._models)]
        ) if self._models else np.zeros(0, np.int32)
        self._offsets = np.cumsum([0] + [len(model.descriptors) for model in self._models])
        self._points = np.vstack([model.keypoints for model in self._models]) if self._models else np.zeros((0, 2))
        # Two reference keypoints closer than this are the same point of the logo.
        self._near = np.concatenate(
            [np.full(len(model.descriptors), 0.04 * model.width, np.float32) for model in self._models]
        ) if self._models else np.zeros(0, np.float32)

    @property
    def mark_ids(self) -> tuple[str, ...]:
        return tuple(model.mark_id for model in self._models)

    def __len__(self) -> int:
        return len(self._models)

    @classmethod
    def from_pack(cls, pack, *, thresholds: LogoThresholds | None = None) -> LogoIndex:
        """Index every logo mark of a `BrandPack` (a missing or broken logo file is an error)."""
        return cls.from_files(((mark.id, pack.logo_path(mark)) for mark in pack.logo_marks), thresholds=thresholds)

    @classmethod
    def from_files(cls, logos: Iterable[tuple[str, str | Path]], *,
                   thresholds: LogoThresholds | None = None) -> LogoIndex:
        models, digests = [], []
        for mark_id, path in logos:
            data = Path(path).read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            models.append(_model_for(mark_id, digest, data, str(path)))
            digests.append(f"{mark_id}:{digest}")
        return cls(models, digest=_index_digest(digests, thresholds), thresholds=thresholds)

    @classmethod
    def from_images(cls, logos: Iterable[tuple[str, Image.Image]], *,
                    thresholds: LogoThresholds | None = None) -> LogoIndex:
        models, digests = [], []
        for mark_id, image in logos:
            rgba = image.convert("RGBA")
            digest = hashlib.sha256(rgba.tobytes() + repr(rgba.size).encode()).hexdigest()
            models.append(_build_model(mark_id, rgba))
            digests.append(f"{mark_id}:{digest}")
        return cls(models, digest=_index_digest(digests, thresholds), thresholds=thresholds)

    def find(self, image: Image.Image | np.ndarray) -> list[LogoHit]:
        """Every indexed logo found in `image` (RGB PIL image or RGB array), best first."""
        if not self._models:
            return []
        grey, scale = _analysis_grey(image)
        keypoints, descriptors = self._orb().detectAndCompute(grey, None)
        if descriptors is None or len(keypoints) < self.thresholds.min_inliers:
            return []
        points = np.float32([keypoint.pt for keypoint in keypoints])
        matches = _match(descriptors, self._descriptors, self._owner, self._offsets, self._points, self._near)
        hits = []
        for model_index, model in enumerate(self._models):
            pairs = matches.get(model_index)
            if pairs is None or len(pairs) < self.thresholds.min_inliers:
                continue
            hit = self._verify(model, grey, points, pairs, scale)
            if hit is not None:
                hits.append(hit)
        hits.sort(key=lambda hit: -hit.score)
        return hits

    def _orb(self) -> cv2.ORB:
        orb = getattr(self._orb_local, "orb", None)
        if orb is None:
            orb = cv2.ORB_create(nfeatures=2000, scaleFactor=1.2, nlevels=8, edgeThreshold=15,
                                 patchSize=31, fastThreshold=12)
            self._orb_local.orb = orb
        return orb

    def _verify(self, model: _LogoModel, grey: np.ndarray, points: np.ndarray, pairs: np.ndarray,
                scale: float) -> LogoHit | None:
        limits = self.thresholds
        source = model.keypoints[pairs[:, 1]]
        target = points[pairs[:, 0]]
        transform, inlier_mask = cv2.estimateAffinePartial2D(
            source, target, method=cv2.RANSAC, ransacReprojThreshold=_RANSAC_PIXELS, maxIters=2000, confidence=0.995
        )
        if transform is None:
            return None
        inliers = int(inlier_mask.sum())
        if inliers < limits.min_inliers:
            return None
        zoom = float(np.hypot(transform[0, 0], transform[1, 0]))
        angle = float(np.degrees(np.arctan2(transform[1, 0], transform[0, 0])))
        placed_width = zoom * model.width
        width_fraction = placed_width / grey.shape[1]
        if abs(angle) > limits.max_angle or not limits.min_width_fraction <= width_fraction <= limits.max_width_fraction:
            return None
        inside = _inside_logo(target, transform, model.width, model.height)
        inlier_ratio = inliers / max(1, int(inside.sum()))
        if inlier_ratio < limits.min_inlier_ratio:
            return None
        # The refined alignment is used only when it makes the logo agree better: ECC can be
        # pulled off by a strong edge next to a small logo.
        candidates = []
        for placement in (transform, _refine(grey, transform, model)):
            edges = _rectify_edges(grey, placement, model)
            agreement, contradiction = _cell_agreement(edges, model, limits.cell_correlation)
            candidates.append((agreement - contradiction, agreement, contradiction, placement, edges))
        _, agreement, contradiction, transform, edges = max(candidates, key=lambda item: item[0])
        corners = cv2.transform(
            np.float32([[0, 0], [model.width, 0], [model.width, model.height], [0, model.height]])[None], transform
        )[0]
        hash_distance = _edge_hash(edges, model.mask) - model.edge_hash
        if (agreement < limits.min_cell_agreement or contradiction > limits.max_cell_contradiction
                or hash_distance > limits.max_hash_distance):
            return None
        left, top = corners.min(axis=0)
        right, bottom = corners.max(axis=0)
        bbox = _clip_box(left / scale, top / scale, right / scale, bottom / scale, grey.shape, scale)
        score = _score(inliers, inlier_ratio, agreement - contradiction, hash_distance)
        measurements = {
            "inliers": float(inliers),
            "inlier_ratio": round(float(inlier_ratio), 3),
            "cell_agreement": round(float(agreement), 3),
            "cell_contradiction": round(float(contradiction), 3),
            "hash_distance": float(hash_distance),
            # What a finding's evidence quotes as `distance`: the share of the 64 edge-hash bits in
            # which the rectified region differs from the logo (0 identical, about 0.5 unrelated).
            "distance": round(float(hash_distance) / 64, 3),
            "angle": round(float(angle), 1),
            "width_fraction": round(float(width_fraction), 3),
        }
        return LogoHit(mark_id=model.mark_id, bbox=bbox, score=score, measurements=measurements)


def _index_digest(logo_digests: Sequence[str], thresholds: LogoThresholds | None) -> str:
    parts = [_METHOD_VERSION, repr(thresholds or LogoThresholds()), *logo_digests]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _score(inliers: int, inlier_ratio: float, agreement: float, hash_distance: float) -> float:
    evidence = min(1.0, inliers / 40) * 0.3 + min(1.0, inlier_ratio / 0.6) * 0.2 + agreement * 0.35
    evidence += max(0.0, 1 - hash_distance / 64) * 0.15
    return round(float(min(0.99, 0.5 + evidence / 2)), 3)


# --- reference side -------------------------------------------------------------------------

_MODEL_CACHE: dict[tuple[str, str], _LogoModel] = {}
_MODEL_LOCK = threading.Lock()


def _model_for(mark_id: str, digest: str, data: bytes, label: str) -> _LogoModel:
    key = (mark_id, digest)
    with _MODEL_LOCK:
        cached = _MODEL_CACHE.get(key)
    if cached is not None:
        return cached
    checked = load_image_bytes(data)
    if isinstance(checked, ImageRejected):
        raise ValueError(f"logo {mark_id} ({label}): {checked.reason}")
    # Only now, with bounds and format checked, opened again to keep the alpha channel that the
    # photo loader flattens.
    rgba = Image.open(io.BytesIO(data)).convert("RGBA")
    model = _build_model(mark_id, rgba)
    with _MODEL_LOCK:
        _MODEL_CACHE[key] = model
    return model


def _build_model(mark_id: str, rgba: Image.Image) -> _LogoModel:
    rgba = _trim_transparent(rgba)
    width, height = rgba.size
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
    orb = cv2.ORB_create(nfeatures=500, scaleFactor=1.2, nlevels=3, edgeThreshold=8, patchSize=31, fastThreshold=10)
    keypoints, descriptors = [], []
    for variant in _recolourings(rgba):
        grey = _flatten(variant, alpha)
        for target_width in _REFERENCE_WIDTHS:
            factor = target_width / width
            small = cv2.resize(grey, (target_width, max(8, round(height * factor))), interpolation=cv2.INTER_AREA)
            small_alpha = cv2.resize(alpha, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)
            found, described = orb.detectAndCompute(small, None)
            if described is None:
                continue
            for keypoint, descriptor in zip(found, described, strict=True):
                x, y = keypoint.pt
                if small_alpha[min(int(y), small.shape[0] - 1), min(int(x), small.shape[1] - 1)] < 0.5:
                    continue
                keypoints.append((x / factor, y / factor))
                descriptors.append(descriptor)
    keypoints, descriptors = _without_duplicates(keypoints, descriptors)
    if len(descriptors) < 20:
        raise ValueError(f"logo {mark_id} has too little detail to be recognised ({len(descriptors)} keypoints)")
    grey = _flatten(rgba, alpha)
    rectified = cv2.resize(grey, (_RECTIFIED, _RECTIFIED), interpolation=cv2.INTER_AREA)
    mask = cv2.resize(alpha, (_RECTIFIED, _RECTIFIED), interpolation=cv2.INTER_AREA) > 0.5
    mask = cv2.erode(mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    edges = _edge_map(rectified)
    coarse = cv2.resize(grey, (_ECC_SIDE, _ECC_SIDE), interpolation=cv2.INTER_AREA)
    return _LogoModel(
        mark_id=mark_id,
        width=width,
        height=height,
        keypoints=np.float32(keypoints),
        descriptors=np.uint8(descriptors),
        rectified_edges=edges,
        coarse_edges=_edge_map(coarse),
        mask=mask,
        detailed_cells=_detailed_cells(edges, mask),
        edge_hash=_edge_hash(edges, mask),
    )


def _without_duplicates(keypoints: list, descriptors: list) -> tuple[list, list]:
    """Drop keypoints that repeat another at the same spot with a near-identical descriptor.

    Recolourings and sizes that leave a corner looking the same describe it twice; matching
    time grows with the reference size, so each look of a point is kept once.
    """
    bits = np.unpackbits(np.uint8(descriptors), axis=1) if descriptors else np.zeros((0, 256), np.uint8)
    kept_points, kept_descriptors = [], []
    by_spot: dict[tuple[int, int], list[int]] = {}
    for position, (x, y) in enumerate(keypoints):
        spot = (int(x // 4), int(y // 4))
        if any(int((bits[position] != bits[other]).sum()) < 40 for other in by_spot.get(spot, ())):
            continue
        by_spot.setdefault(spot, []).append(position)
        kept_points.append((x, y))
        kept_descriptors.append(descriptors[position])
    return kept_points, kept_descriptors


def _trim_transparent(rgba: Image.Image) -> Image.Image:
    box = rgba.getchannel("A").point(lambda value: 255 if value > 16 else 0).getbbox()
    return rgba.crop(box) if box else rgba


def _recolourings(rgba: Image.Image) -> list[Image.Image]:
    rgb = np.asarray(rgba.convert("RGB"))
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    variants = []
    for turn in _HUE_TURNS:
        shifted = hsv.copy()
        shifted[..., 0] = (shifted[..., 0].astype(np.int32) + turn // 2) % 180
        variants.append(Image.fromarray(cv2.cvtColor(shifted, cv2.COLOR_HSV2RGB)))
    variants.append(Image.fromarray(255 - rgb))
    return variants


def _flatten(variant: Image.Image, alpha: np.ndarray) -> np.ndarray:
    grey = np.asarray(variant.convert("L"), dtype=np.float32)
    # Transparent parts become mid-grey: the photo behind a pasted logo is unknown.
    return np.clip(grey * alpha + 128.0 * (1 - alpha), 0, 255).astype(np.uint8)


# --- photo side -----------------------------------------------------------------------------


def _analysis_grey(image: Image.Image | np.ndarray) -> tuple[np.ndarray, float]:
    array = np.asarray(image)
    if array.ndim == 3:
        array = cv2.cvtColor(array[..., :3], cv2.COLOR_RGB2GRAY)
    height, width = array.shape[:2]
    scale = ANALYSIS_SIDE / max(height, width)
    if abs(scale - 1.0) > 0.05:
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        array = cv2.resize(array, (max(1, round(width * scale)), max(1, round(height * scale))),
                           interpolation=interpolation)
    else:
        scale = 1.0
    return np.ascontiguousarray(array), scale


_MATCHER = cv2.BFMatcher(cv2.NORM_HAMMING)


def _match(descriptors: np.ndarray, reference: np.ndarray, owner: np.ndarray, offsets: np.ndarray,
           points: np.ndarray, near: np.ndarray) -> dict[int, np.ndarray]:
    """(photo keypoint, logo keypoint) pairs per logo that pass a location-aware ratio test.

    The reference holds the same logo point at several scales and colourings, so the second-best
    descriptor is often the same point again; the ratio is taken against the best match that
    lies elsewhere (another logo, or further than `near` from the best one in its logo).
    """
    knn = _MATCHER.knnMatch(descriptors, reference, k=_NEIGHBOURS)
    train = np.full((len(knn), _NEIGHBOURS), -1, np.int64)
    distance = np.full((len(knn), _NEIGHBOURS), np.inf, np.float32)
    for row, candidates in enumerate(knn):
        for column, match in enumerate(candidates):
            train[row, column] = match.trainIdx
            distance[row, column] = match.distance
    best = train[:, 0]
    usable = (best >= 0) & (distance[:, 0] <= _MAX_HAMMING)
    best = np.where(usable, best, 0)
    others = np.where(train[:, 1:] >= 0, train[:, 1:], 0)
    elsewhere = (owner[others] != owner[best][:, None]) | (
        np.hypot(*(points[others] - points[best][:, None]).transpose(2, 0, 1)) > near[best][:, None]
    )
    rivals = elsewhere & (train[:, 1:] >= 0)
    has_rival = rivals.any(axis=1)
    rival_distance = distance[:, 1:][np.arange(len(knn)), rivals.argmax(axis=1)]
    keep = usable & (~has_rival | (distance[:, 0] <= _RATIO * rival_distance))
    pairs = {}
    for model_index in np.unique(owner[best[keep]]):
        chosen = keep & (owner[best] == model_index)
        queries = np.flatnonzero(chosen)
        pairs[int(model_index)] = np.stack([queries, best[chosen] - offsets[model_index]], axis=1).astype(np.int32)
    return pairs


def _inside_logo(points: np.ndarray, transform: np.ndarray, width: int, height: int) -> np.ndarray:
    """Which photo points fall inside the logo as placed by `transform`."""
    inverse = cv2.invertAffineTransform(transform)
    local = points @ inverse[:, :2].T + inverse[:, 2]
    return (local[:, 0] >= 0) & (local[:, 0] <= width) & (local[:, 1] >= 0) & (local[:, 1] <= height)


def _refine(grey: np.ndarray, transform: np.ndarray, model: _LogoModel) -> np.ndarray:
    """The RANSAC placement (logo pixels -> photo pixels) refined by ECC on edge maps.

    Keypoint positions carry pyramid rounding: a small logo comes out a few percent too small
    or a pixel or two off, enough to blur the cell-by-cell comparison. Edges are aligned
    instead of intensities so a recoloured logo aligns as well as the original.
    """
    to_logo = np.float64([[model.width / _ECC_SIDE, 0, 0], [0, model.height / _ECC_SIDE, 0], [0, 0, 1]])
    warp = np.vstack([transform, [0, 0, 1]]) @ to_logo
    corners = cv2.transform(np.float32([[0, 0], [_ECC_SIDE, 0], [_ECC_SIDE, _ECC_SIDE], [0, _ECC_SIDE]])[None],
                            warp[:2])[0]
    extent = float((corners.max(axis=0) - corners.min(axis=0)).max())
    left, top = np.maximum(0, np.floor(corners.min(axis=0) - 0.1 * extent)).astype(int)
    right = min(grey.shape[1], int(np.ceil(corners[:, 0].max() + 0.1 * extent)))
    bottom = min(grey.shape[0], int(np.ceil(corners[:, 1].max() + 0.1 * extent)))
    if right - left < 16 or bottom - top < 16:
        return transform
    region = _edge_map(grey[top:bottom, left:right])
    start = warp[:2].astype(np.float32)
    start[:, 2] -= (left, top)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 1e-4)
    try:
        _correlation_value, refined = cv2.findTransformECC(
            model.coarse_edges, region, start.copy(), cv2.MOTION_AFFINE, criteria, None, 1
        )
    except cv2.error:  # did not converge: keep the keypoint estimate
        return transform
    refined = refined.astype(np.float64)
    refined[:, 2] += (left, top)
    moved = cv2.transform(np.float32([[0, 0], [_ECC_SIDE, 0], [_ECC_SIDE, _ECC_SIDE], [0, _ECC_SIDE]])[None],
                          refined)[0]
    if float(np.abs(moved - corners).max()) > 0.08 * extent:
        return transform  # wandered off: an alignment that far from the keypoints is not trusted
    return (np.vstack([refined, [0, 0, 1]]) @ np.linalg.inv(to_logo))[:2]


def _rectify_edges(grey: np.ndarray, transform: np.ndarray, model: _LogoModel) -> np.ndarray:
    to_rectified = np.float64([[_RECTIFIED / model.width, 0, 0], [0, _RECTIFIED / model.height, 0]])
    full = np.vstack([transform, [0, 0, 1]])
    inverse = np.linalg.inv(full)[:2]
    mapping = to_rectified @ np.vstack([inverse, [0, 0, 1]])
    patch = cv2.warpAffine(grey, mapping, (_RECTIFIED, _RECTIFIED), flags=cv2.INTER_AREA,
                           borderMode=cv2.BORDER_REPLICATE)
    return _edge_map(patch)


def _edge_map(grey: np.ndarray) -> np.ndarray:
    smooth = cv2.GaussianBlur(grey.astype(np.float32), (3, 3), 0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = cv2.magnitude(gx, gy)
    return cv2.GaussianBlur(magnitude, (5, 5), 0)


def _blocks(array: np.ndarray) -> np.ndarray:
    """(_GRID, _GRID, cell pixels) view of a square map: one row of pixels per grid cell."""
    step = array.shape[0] // _GRID
    trimmed = array[: step * _GRID, : step * _GRID]
    return trimmed.reshape(_GRID, step, _GRID, step).transpose(0, 2, 1, 3).reshape(_GRID, _GRID, step * step)


def _detailed_cells(edges: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Boolean (_GRID, _GRID): cells inside the logo with enough edge structure to compare."""
    inside = _blocks(mask.astype(np.float32)).mean(axis=2) >= 0.6
    energy = _blocks(edges).std(axis=2)
    if not inside.any():
        return inside
    floor = 0.35 * float(np.median(energy[inside]) or 1.0)
    return inside & (energy > max(floor, 1.0))


def _cell_agreement(edges: np.ndarray, model: _LogoModel, minimum: float) -> tuple[float, float]:
    """(share of detailed cells that agree, share that contradict) with the reference.

    A contradicting cell has as much edge structure as the reference there but a different
    one: other lettering. A covered cell (a hand, a fruit in front) is flat or holds one
    occluding edge, so it fails to agree without contradicting.
    """
    count = int(model.detailed_cells.sum())
    if count == 0:
        return 0.0, 1.0
    mine = _blocks(edges)[model.detailed_cells]
    theirs = _blocks(model.rectified_edges)[model.detailed_cells]
    mine_centred = mine - mine.mean(axis=1, keepdims=True)
    theirs_centred = theirs - theirs.mean(axis=1, keepdims=True)
    denominator = np.sqrt((mine_centred ** 2).sum(axis=1) * (theirs_centred ** 2).sum(axis=1))
    correlation = np.where(denominator > 1e-6, (mine_centred * theirs_centred).sum(axis=1) / np.maximum(denominator, 1e-6), 0.0)
    agreeing = correlation >= minimum
    contradicting = ~agreeing & (correlation < _CONTRADICTION) & (mine.std(axis=1) >= 0.5 * theirs.std(axis=1))
    return float(agreeing.sum()) / count, float(contradicting.sum()) / count


def _edge_hash(edges: np.ndarray, mask: np.ndarray) -> imagehash.ImageHash:
    masked = np.where(mask, edges, 0.0)
    top = float(masked.max()) or 1.0
    return imagehash.phash(Image.fromarray((masked * (255.0 / top)).astype(np.uint8)), hash_size=8)


def _clip_box(left: float, top: float, right: float, bottom: float, shape: tuple[int, ...],
              scale: float) -> tuple[int, int, int, int]:
    height, width = shape[0] / scale, shape[1] / scale
    left, top = max(0.0, left), max(0.0, top)
    right, bottom = min(width, right), min(height, bottom)
    return (int(round(left)), int(round(top)), max(1, int(round(right - left))), max(1, int(round(bottom - top))))

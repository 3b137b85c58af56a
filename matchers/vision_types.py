"""What image analysis hands to the verdict: logo hits and text boxes per listing image.

Boxes are (x, y, width, height) in pixels of the decoded image.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LogoHit:
    mark_id: str
    bbox: tuple[int, int, int, int]
    score: float
    # The measured quantities behind the score (inliers, inlier ratio, hash distance …),
    # kept so a reason sentence and a report can quote them.
    measurements: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextBox:
    text: str
    bbox: tuple[int, int, int, int]
    confidence: float


@dataclass(frozen=True, slots=True)
class ImageAnalysis:
    """The result for `images[index]` of a listing; `error` says why it was not analysed."""

    index: int
    source: str
    sha256: str | None = None
    error: str | None = None
    logo_hits: tuple[LogoHit, ...] = ()
    text_boxes: tuple[TextBox, ...] = ()

"""Text printed inside listing photos, read offline with RapidOCR (PP-OCR models on ONNX Runtime).

The engine takes about a second and a few hundred megabytes to build, so it is built lazily,
once per process, and shared. Input is bounded: images larger than `MAX_OCR_SIDE` on their
longer side are scaled down first (packaging text stays legible, run time stays predictable).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image

from matchers.vision_types import TextBox

MAX_OCR_SIDE = 1280
MIN_CONFIDENCE = 0.5

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


def ocr_engine() -> Any:
    """The process-wide RapidOCR engine, built on first use."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR

            # Two threads per engine: scans run one process per core, so more only contend.
            _ENGINE = RapidOCR(intra_op_num_threads=2, inter_op_num_threads=1, print_verbose=False)
        return _ENGINE


def read_text(image: Image.Image | np.ndarray, *, min_confidence: float = MIN_CONFIDENCE,
              max_side: int = MAX_OCR_SIDE) -> list[TextBox]:
    """Text lines found in an RGB image, in reading order, with boxes in the image's pixels."""
    array = np.asarray(image.convert("RGB") if isinstance(image, Image.Image) else image)
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    array = array[..., :3]
    height, width = array.shape[:2]
    if height < 8 or width < 8:
        return []
    scale = 1.0
    if max(height, width) > max_side:
        scale = max_side / max(height, width)
        resized = Image.fromarray(array).resize((max(1, round(width * scale)), max(1, round(height * scale))),
                                                Image.Resampling.BILINEAR)
        array = np.asarray(resized)
    # RapidOCR expects OpenCV's BGR order.
    result, _elapsed = ocr_engine()(np.ascontiguousarray(array[..., ::-1]))
    boxes = []
    for quad, text, confidence in result or ():
        confidence = float(confidence)
        text = str(text).strip()
        if not text or confidence < min_confidence:
            continue
        points = np.asarray(quad, dtype=np.float64) / scale
        left, top = points.min(axis=0)
        right, bottom = points.max(axis=0)
        left, top = max(0, int(left)), max(0, int(top))
        right, bottom = min(width, int(np.ceil(right))), min(height, int(np.ceil(bottom)))
        boxes.append(TextBox(text=text, bbox=(left, top, max(1, right - left), max(1, bottom - top)),
                             confidence=round(confidence, 3)))
    boxes.sort(key=lambda box: (box.bbox[1] // 20, box.bbox[0]))
    return boxes

"""Fingerprints of files: SHA-256 for the exact bytes, a perceptual hash for the picture.

The perceptual hash (pHash: the signs of the lowest frequencies of a 2-D DCT of the image
shrunk to 32×32 grey) stays the same, or within a few bits, when an image is re-encoded,
resized, lightly cropped or recompressed by a messenger, so that an old photo posted again
as "today's strike" is found even though its bytes differ.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy.fft import dctn

# Hamming distance (of 64 bits) under which two images are taken to be the same picture.
SAME_PICTURE_BITS = 6
HASH_SIZE = 8
SAMPLE = 32


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def perceptual_hash(data: bytes) -> str:
    """A 64-bit pHash as 16 hex digits, or "" when the bytes are not an image we can read."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("L", (SAMPLE * 4, SAMPLE * 4))  # JPEG: decode small, much faster
            grey = ImageOps.exif_transpose(image).convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return ""
    pixels = np.asarray(grey.resize((SAMPLE, SAMPLE), Image.Resampling.LANCZOS), dtype=np.float64)
    low = dctn(pixels, type=2, norm="ortho")[:HASH_SIZE, :HASH_SIZE]
    # Compare with the median of the low frequencies, leaving out the constant term (the
    # overall brightness), so brightening an image does not change its hash.
    median = np.median(low.flatten()[1:])
    bits = (low > median).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def distance(first: str, second: str) -> int:
    """How many of the 64 bits differ between two perceptual hashes."""
    return (int(first, 16) ^ int(second, 16)).bit_count()


def is_same_picture(first: str, second: str) -> bool:
    return bool(first and second) and distance(first, second) <= SAME_PICTURE_BITS

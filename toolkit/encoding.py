"""Decoding article files whose encoding nobody told us.

Order of evidence: a byte-order mark; strict UTF-8; UTF-8 with stray single-byte characters
(mixed files, decoded line by line); a legacy single-byte encoding. For legacy bytes, Western
news is the common case, so cp1252 (a superset of Latin-1's printable range) is preferred when
``charset_normalizer`` finds Latin-script text; otherwise its best guess is used. Bytes that
look like no text at all (NUL bytes without a UTF-16 mark, control characters) are rejected.

Example:
    >>> decode_bytes("Caf\\u00e9".encode("latin-1")).text
    'Café'
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

__all__ = ["Decoded", "NotTextError", "decode_bytes"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# A valid multi-byte UTF-8 sequence: evidence that a file that fails strict UTF-8 is mixed.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_MAX_CONTROL_SHARE = 0.01


class NotTextError(ValueError):
    """The bytes are not text in any encoding we can recognise."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding used, and a note when a fallback was needed."""

    text: str
    encoding: str
    note: str = ""


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    return len(_CONTROL.findall(text)) / len(text) <= _MAX_CONTROL_SHARE


_SCRIPTS = ("CYRILLIC", "GREEK", "ARABIC", "HEBREW", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI",
            "DEVANAGARI", "ARMENIAN", "GEORGIAN")


def _is_other_script(text: str) -> bool:
    """True when ``text`` reads as a non-Latin script: most letters are non-ASCII, of one script.

    A wrong single-byte decoding of Latin text scatters odd letters inside ASCII words
    ("naﺅve"); real Cyrillic or Arabic text is mostly non-ASCII letters.
    """
    letters = [ch for ch in text if ch.isalpha()]
    foreign = [ch for ch in letters if ord(ch) > 127]
    if not foreign or len(foreign) < 0.3 * len(letters):
        return False
    scripts = [unicodedata.name(ch, "").split(" ")[0] for ch in foreign]
    return max(scripts.count(s) for s in _SCRIPTS) >= 0.8 * len(foreign)


def _strict_utf8(data: bytes) -> str | None:
    """The bytes decoded as UTF-8, or None when they are not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_mixed(data: bytes) -> str:
    lines = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "\n".join(lines)


def decode_bytes(data: bytes) -> Decoded:
    """Decode the bytes of a text file, detecting its encoding.

    Raises :class:`NotTextError` with the reason when the bytes are binary.

    >>> decode_bytes("\\ufeffhello".encode("utf-16")).encoding
    'utf-16'
    >>> decode_bytes(b"caf\\xc3\\xa9 and caf\\xe9").note
    'mixed encodings: lines that are not UTF-8 decoded as cp1252'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise NotTextError(f"has a {encoding} byte-order mark but is not {encoding}: {exc}") from exc
    if b"\x00" in data:
        raise NotTextError("binary file (contains NUL bytes)")
    utf8 = _strict_utf8(data)
    if utf8 is not None:
        if not _looks_like_text(utf8):
            raise NotTextError("binary file (control characters)")
        return Decoded(utf8, "utf-8")
    if _UTF8_MULTIBYTE.search(data):
        text = _decode_mixed(data)
        if _looks_like_text(text):
            note = "mixed encodings: lines that are not UTF-8 decoded as cp1252"
            return Decoded(text, "utf-8+cp1252", note)
    best = from_bytes(data).best()
    # Without a byte-order mark or NUL bytes, a UTF-16/32 guess is a misreading of short text.
    if best is not None and best.encoding.startswith(("utf_16", "utf_32")):
        best = None
    guess, encoding = (str(best), best.encoding) if best is not None else ("", "")
    if best is None or not _is_other_script(guess):
        try:
            guess, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            guess, encoding = data.decode("latin-1"), "latin-1"
    if not guess or not _looks_like_text(guess):
        raise NotTextError("binary file (control characters)")
    return Decoded(guess, encoding, f"not UTF-8: decoded as {encoding}")

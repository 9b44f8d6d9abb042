"""Character-level normalisation: invisible characters and Chinese script.

Two steps, both reported in the audit so a reader can see what changed:

* :func:`normalise_invisible` (applied by :func:`analysis.ingest.clean.clean_document` to the raw
  text): zero-width characters (U+200B–U+200D, U+2060, U+00AD, and U+FEFF/BOM anywhere)
  are removed, so 动态<ZWSP>清零 is counted as 动态清零; no-break and other fixed-width
  spaces (U+00A0, U+202F, U+2007) become ordinary spaces.
* :func:`to_simplified` (applied by :func:`analysis.load_corpus` to each document's
  cleaned text): Traditional characters are converted to Simplified with OpenCC's
  ``t2s`` configuration (Open Chinese Convert, https://github.com/BYVoid/OpenCC), so
  會議 and 会议 are one word for tokens, counts, themes and reuse.  The conversion is
  kept *character-aligned*: a paragraph whose conversion changes its length is
  converted character by character instead, so offsets in the converted text are
  offsets in the original and a concordance can show the original characters.

:func:`detect_script` classifies a text as ``simplified``, ``traditional`` or
``mixed`` by an OpenCC round trip: characters that ``t2s`` changes are
Traditional-only forms, characters that ``s2t`` changes are Simplified-only forms.
"""
from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["normalise_invisible", "to_simplified", "detect_script", "SCRIPTS",
           "ZERO_WIDTH", "FIXED_SPACES"]

#: Values of the ``script`` column / manifest key.
SCRIPTS = ("simplified", "traditional", "mixed")

#: Removed wherever they occur (U+FEFF is the byte-order mark / zero-width no-break space).
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u00ad\ufeff"
#: Replaced by an ordinary space.
FIXED_SPACES = "\u00a0\u202f\u2007"

_ZW = re.compile(f"[{ZERO_WIDTH}]")
_FS = re.compile(f"[{FIXED_SPACES}]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalise_invisible(text: str) -> tuple[str, dict]:
    """Remove zero-width characters and BOMs; turn no-break spaces into spaces.

    Parameters
    ----------
    text : str
        Decoded raw text.

    Returns
    -------
    (text, counts) : tuple
        The normalised text and ``{"zero_width": n, "bom": n, "nbsp": n}`` (characters
        removed or replaced; ``bom`` counts U+FEFF, wherever it stood).

    Examples
    --------
    >>> normalise_invisible("动态\\u200b清零\\u00a0总方针")
    ('动态清零 总方针', {'zero_width': 1, 'bom': 0, 'nbsp': 1})
    """
    bom = text.count("\ufeff")
    zw = len(_ZW.findall(text)) - bom
    nbsp = len(_FS.findall(text))
    return _FS.sub(" ", _ZW.sub("", text)), {"zero_width": zw, "bom": bom, "nbsp": nbsp}


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc  # imported lazily: only documents with Traditional characters need it

    return opencc.OpenCC(config)


def _convert_aligned(text: str) -> str:
    conv = _converter("t2s")
    out = []
    for par in text.split("\n"):
        c = conv.convert(par) if _HAN.search(par) else par
        if len(c) != len(par):  # a phrase rule changed the length: keep offsets aligned
            c = "".join(conv.convert(ch) if len(conv.convert(ch)) == 1 else ch for ch in par)
        out.append(c)
    return "\n".join(out)


def detect_script(text: str, simplified: str | None = None) -> tuple[str, int, int]:
    """Classify the script of a Chinese text.

    Parameters
    ----------
    text : str
    simplified : str, optional
        ``to_simplified(text)[0]`` if already computed (saves one conversion).

    Returns
    -------
    (script, n_traditional, n_simplified) : tuple
        ``n_traditional``: characters OpenCC ``t2s`` changes (Traditional-only forms);
        ``n_simplified``: characters ``s2t`` changes (Simplified-only forms).  The script
        is ``"traditional"`` if the text has Traditional-only forms and at most 1 %
        as many Simplified-only ones, ``"simplified"`` if it has none (or at most 1 %
        of its script-specific characters are Traditional), else ``"mixed"``.

    Examples
    --------
    >>> detect_script("會議要求")[0], detect_script("会议要求")[0], detect_script("會议")[0]
    ('traditional', 'simplified', 'mixed')
    """
    if not _HAN.search(text):
        return "simplified", 0, 0
    simp = simplified if simplified is not None else _convert_aligned(text)
    n_trad = sum(a != b for a, b in zip(text, simp))
    s2t = _converter("s2t").convert(text)
    n_simp = sum(a != b for a, b in zip(text, s2t)) if len(s2t) == len(text) else \
        sum(_converter("s2t").convert(c) != c for c in text)
    specific = n_trad + n_simp
    if n_trad == 0 or n_trad <= 0.01 * specific:
        script = "simplified"
    elif n_simp <= 0.01 * specific:
        script = "traditional"
    else:
        script = "mixed"
    return script, n_trad, n_simp


def to_simplified(text: str) -> tuple[str, int]:
    """Convert Traditional characters to Simplified, keeping character offsets.

    Parameters
    ----------
    text : str
        Cleaned text (paragraphs separated by newlines).

    Returns
    -------
    (simplified, n_converted) : tuple
        ``simplified`` has the same length as ``text`` (character ``i`` of one is the
        counterpart of character ``i`` of the other); ``n_converted`` is the number of
        characters that changed.

    Examples
    --------
    >>> to_simplified("堅持動態清零，二十條")
    ('坚持动态清零，二十条', 5)
    """
    out = _convert_aligned(text)
    return out, sum(a != b for a, b in zip(text, out))

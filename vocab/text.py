"""Text folding shared by every lookup: accent-, case- and punctuation-insensitive keys."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "fold_code", "words"]

# Anything that is not a letter or a digit after folding separates words: "Agricultura,
# ganadería" and "agricultura ganaderia" must give the same key and the same words.
# Unicode-aware on purpose: letters without a decomposition ("ø", "ł") are kept, not lost.
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Return the search key of ``text``: NFKD-decomposed, marks dropped, casefolded.

    Punctuation and runs of whitespace become one space, so "Albañil" and "albanil",
    or "Migración laboral" and "migracion-laboral", fold to the same key.

    Args:
        text: any label, code or user input.

    Returns:
        The folded key, with no leading or trailing space.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    # Combining marks carry the accents and the tilde of "ñ"; dropping them is what makes
    # "migracion" match "Migración". ß/ﬁ and other compatibility forms are handled by
    # NFKD and casefold.
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def fold_code(code: str) -> str:
    """Return the lookup key of a code or notation: trimmed and casefolded, accents kept.

    Codes are matched case-insensitively ("gtm" finds "GTM") but otherwise exactly, so
    "01" and "1" stay different ISCO codes.

    Args:
        code: a code, notation or IRI local name.

    Returns:
        The casefolded code.
    """
    return code.strip().casefold()


def words(folded: str) -> tuple[str, ...]:
    """Split a folded key (see :func:`fold`) into its words.

    Args:
        folded: a string already passed through :func:`fold`.

    Returns:
        The words, in order; empty for an empty key.
    """
    return tuple(folded.split())

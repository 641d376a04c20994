"""Text folding for search that ignores case and diacritics.

``fold("Đại học Quảng Ninh") == "dai hoc quang ninh"``. Marks are removed only from Latin
letters; Thai, Chinese, Japanese and Korean text keeps its marks, so a Thai query still
matches Thai text exactly while a Vietnamese or French query ignores its accents.
"""

import re
import unicodedata

# Letters that carry their mark inside the code point and do not decompose under NFKD.
_LETTERS = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"})
_SPACES = re.compile(r"[\s\-_.,;:/()'\"’‘“”]+")


def _is_latin_base(char: str) -> bool:
    return char.isascii() or "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"


def fold(value: str | None) -> str:
    """Lower-case ``value``, strip diacritics from Latin letters and collapse punctuation."""
    if not value:
        return ""
    if value.isascii():
        # Nothing to decompose: the same result as below, about ten times sooner (an import
        # folds the hundreds of thousands of names it matches against).
        return _SPACES.sub(" ", value.lower().translate(_LETTERS)).strip()
    return _fold_unicode(value)


def _fold_unicode(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    out: list[str] = []
    previous_base = ""
    for char in decomposed:
        if unicodedata.combining(char):
            if _is_latin_base(previous_base):
                continue
        else:
            previous_base = char
        out.append(char)
    text = unicodedata.normalize("NFC", "".join(out)).translate(_LETTERS)
    return _SPACES.sub(" ", text).strip()


def tokens(value: str | None) -> list[str]:
    return [token for token in fold(value).split(" ") if token]

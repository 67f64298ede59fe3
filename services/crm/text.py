"""Folding text for search: accents and case never matter, any script works."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """'  María José NÚÑEZ ' -> 'maria jose nunez'; '王芳' -> '王芳'; 'Ｍａｒｉａ' -> 'maria'.

    NFKD splits a letter from its accents (and maps full-width forms to plain ones); the
    combining marks are dropped, then the text is casefolded and its spaces collapsed.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped).casefold()).strip()


def clean_labels(values) -> list[str]:
    """Trimmed, without blanks, each label once (compared folded), in the order given."""
    seen, out = set(), []
    for value in values or ():
        value = _SPACES.sub(" ", str(value)).strip()
        key = fold(value)
        if key and key not in seen:
            seen.add(key)
            out.append(value)
    return out


def label_search(values) -> str:
    """The folded labels between bars, '|diving|food|', so LIKE '%|diving|%' matches one exactly."""
    folded = [fold(v).replace("|", " ") for v in values or ()]
    return "|" + "|".join(f for f in folded if f) + "|" if any(folded) else ""


def label_pattern(value: str) -> str:
    """The LIKE pattern that finds one label in a label_search column (escaped for ESCAPE '\\')."""
    from .paging import like_escape

    return f"%|{like_escape(fold(value).replace('|', ' '))}|%"

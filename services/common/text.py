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

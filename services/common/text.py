"""Folding text for search (accents and case never matter, any script works), and masking the
numbers of travel documents wherever they leave the service that keeps them."""
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


def mask_number(number: str | None) -> str:
    """'X1234567' -> '****4567'. Four characters or fewer show nothing."""
    plain = "".join(c for c in number or "" if c.isalnum())
    return "****" + plain[-4:] if len(plain) > 4 else "****"

"""Labels for search (interests, tags, destinations), folded so accents and case never matter."""
import re

from services.common.paging import like_escape
from services.common.text import fold

_SPACES = re.compile(r"\s+")


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
    return f"%|{like_escape(fold(value).replace('|', ' '))}|%"

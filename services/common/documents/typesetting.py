"""Fonts, and text set in them.

The PDF uses Helvetica for every character it can encode (Windows-1252: Latin with the
accents of Spanish, French, German..., so "María Núñez" stays in one font) and, for the rest, a
TrueType font embedded as a subset of the glyphs used, so "王小明" prints on any viewer: the file
ITINERA_PDF_FONT names (.ttf, or a .ttc whose first face is used), else the Chinese sans font
fontconfig finds (fc-match / fc-list :lang=zh-cn; the container image ships WenQuanYi Micro
Hei). reportlab embeds TrueType outlines only: OpenType/CFF (.otf) files are skipped. With no
such font at all the service says so in its log when it starts, and Chinese and Korean fall back
to reportlab's built-in CID fonts (STSong-Light, HYSMyeongJo-Medium), which are referenced, not
embedded: viewers without a CJK font of their own show boxes. A character no font has (Polish
"ł" without a font that has it) is written without its accent ("l") rather than as a box.
"""
import functools
import logging
import os
import subprocess
import unicodedata
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

FONT_ENV = "ITINERA_PDF_FONT"
BASE, BOLD = "Helvetica", "Helvetica-Bold"
CHINESE, KOREAN = "STSong-Light", "HYSMyeongJo-Medium"
# What Adobe-GB1 (STSong-Light) draws beyond Windows-1252: Greek, Cyrillic, CJK symbols and
# punctuation, kana, bopomofo, CJK ideographs, compatibility ideographs, full-width forms.
CHINESE_RANGES = ((0x0370, 0x03FF), (0x0400, 0x04FF), (0x2000, 0x206F), (0x2100, 0x22FF), (0x2460, 0x26FF),
                  (0x2E80, 0x2FDF), (0x3000, 0x31BF), (0x31F0, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                  (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F))
KOREAN_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))
# Letters without a decomposition to strip: written as their base letter when no font has them.
BASE_LETTERS = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŧ": "T",
                              "ŧ": "t", "Ŋ": "N", "ŋ": "n", "ĸ": "k", "ſ": "s", "Ɓ": "B", "ƀ": "b"})


# A character every Chinese font has: a font without it is not one to print Chinese names with.
CHINESE_PROBE = ord("王")
NO_FONT = (f"No TrueType font with Chinese glyphs: set {FONT_ENV} to a .ttf/.ttc file or install one "
           f"(Debian: fonts-wqy-microhei). PDFs now print Latin text, and Chinese and Korean only in fonts "
           f"they do not embed, which viewers without such a font show as empty boxes.")


def _load(path: str):
    """The registered TrueType font for a file (subset-embedded when used); raises when unusable."""
    name = "ItineraEmbedded-" + os.path.basename(path).rsplit(".", 1)[0].replace(" ", "")
    try:
        return pdfmetrics.getFont(name)
    except KeyError:
        font = TTFont(name, path)  # a .ttc: its first face
        pdfmetrics.registerFont(font)
        return font


def _fontconfig(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):  # no fontconfig on this machine
        return ""


@functools.lru_cache(maxsize=1)
def discover_font() -> str | None:
    """A TrueType file with Chinese glyphs that fontconfig knows: fc-match's choice for Chinese sans
    first, then the others fc-list names; None when there is none."""
    best = _fontconfig("fc-match", "-f", "%{file}", "sans:lang=zh-cn").strip()
    listed = sorted(line.split(":")[0].strip() for line in _fontconfig("fc-list", ":lang=zh-cn", "file").splitlines())
    for path in dict.fromkeys([best, *listed]):
        if not path.lower().endswith((".ttf", ".ttc")):
            continue  # .otf (CFF outlines) cannot be embedded by reportlab
        try:
            if CHINESE_PROBE in _load(path).face.charToGlyph:
                return path
        except Exception:  # unreadable or not TrueType after all: try the next
            continue
    return None


class Fonts:
    def __init__(self, embedded_path: str | None):
        for name in (CHINESE, KOREAN):
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(name))
        self.embedded = self.glyphs = self.path = None
        if embedded_path:
            try:
                font = _load(embedded_path)
            except Exception as exc:  # missing, unreadable, not TrueType: print without it, and say so
                log.error("%s=%s cannot be used (%s); PDFs use the built-in fonts", FONT_ENV, embedded_path, exc)
                return
            self.embedded, self.glyphs, self.path = font.fontName, font.face.charToGlyph, embedded_path

    def font_for(self, ch: str) -> tuple[str | None, str]:
        """(font, character to write): font None is the paragraph's own (Helvetica)."""
        try:
            ch.encode("cp1252")
            return None, ch
        except UnicodeEncodeError:
            pass
        code = ord(ch)
        if self.embedded and code in self.glyphs:
            return self.embedded, ch
        if any(low <= code <= high for low, high in CHINESE_RANGES):
            return CHINESE, ch
        if any(low <= code <= high for low, high in KOREAN_RANGES):
            return KOREAN, ch
        plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        plain = plain.translate(BASE_LETTERS)
        try:
            plain.encode("cp1252")
            return None, plain
        except UnicodeEncodeError:
            return None, "?"


@functools.lru_cache(maxsize=4)
def _fonts(configured: str | None) -> Fonts:
    chosen = Fonts(configured) if configured else None
    if chosen is None or chosen.embedded is None:
        chosen = Fonts(discover_font())
    if chosen.embedded:
        log.info("PDFs embed %s for what Helvetica cannot draw (Chinese names among it)", chosen.path)
    else:
        log.warning(NO_FONT)
    return chosen


def fonts() -> Fonts:
    """The fonts PDFs use: ITINERA_PDF_FONT's file, else a Chinese TrueType font fontconfig finds
    (found once per process, and logged: the service calls this when it starts)."""
    return _fonts(os.environ.get(FONT_ENV) or None)


def rich(value, fonts_: Fonts | None = None) -> str:
    """Paragraph markup for any text: escaped, each run set in a font that has its characters."""
    fonts_ = fonts_ or fonts()
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    parts, run, run_font = [], [], None

    def flush():
        if run:
            chunk = escape("".join(run))
            parts.append(chunk if run_font is None else f'<font face="{run_font}">{chunk}</font>')
            run.clear()

    for ch in text:
        if ch == "\n":
            flush()
            parts.append("<br/>")
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            ch = " " if ch == "\t" else ""
            if not ch:
                continue
        font, written = fonts_.font_for(ch)
        if font != run_font:
            flush()
            run_font = font
        run.append(written)
    flush()
    return "".join(parts)

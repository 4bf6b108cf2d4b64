"""A QR scanner is a keyboard: it sends the keys of the payload's characters, and the computer
turns them into characters through its current layout. Under a Cyrillic layout the label's
``MBC1.C.ALM-BC-00001...`` arrives as ``ЬИС1юСюФДЬ-ИС-00001...`` (Russian ЙЦУКЕН) or
``ЬИС"юСюФДЬөИСөққққ"...`` (Kazakh, whose number row types Kazakh letters). The payload alphabet
is A-Z, 0-9, ".", "-" and "/" (item 6), so the keys can be mapped back to what the label says.
"""
import re

# The letter keys, the same in both layouts: Cyrillic letter -> the Latin key it sits on
# (ЙЦУКЕН: Q W E R T Y ... , the 2nd row A S D F ..., the 3rd Z X C V ...).
_LETTER_ROWS = (("ЙЦУКЕНГШЩЗ", "QWERTYUIOP"), ("ФЫВАПРОЛДЖ", "ASDFGHJKL;"), ("ЯЧСМИТЬБЮ", "ZXCVBNM,."))
_LETTERS = {cyrillic: latin for row, keys in _LETTER_ROWS for cyrillic, latin in zip(row, keys)}

# Russian (Windows ЙЦУКЕН): the digits and "-" stay; the key of "/" types "." ("/" under X11's
# variant), and the key of "." types "ю" (in the letters above).
RUSSIAN = dict(_LETTERS, **{".": "/"})
# Kazakh (Windows and X11, RST KazSSR 903-90): the number row types '"', Kazakh letters and
# punctuation; "-" types "ө"; the key of "/" types "№"; the key of "." types "ю".
KAZAKH = dict(_LETTERS, **{
    '"': "1", "!": "1", "Ә": "2", "І": "3", "Ң": "4", "Ғ": "5", ",": "6", ".": "7", "Ү": "8", "Ұ": "9",
    "Қ": "0", "Ө": "-", "№": "/",
})
LAYOUTS = (RUSSIAN, KAZAKH)
CYRILLIC_RE = re.compile(r"[\u0400-\u04FF№]")


def typed_in_cyrillic(text):
    """Whether the text holds what a Cyrillic keyboard layout types."""
    return bool(CYRILLIC_RE.search(text or ""))


def map_back(text, layout):
    """``text`` read through ``layout`` back to the keys' Latin characters (capitals: a scanner
    under Caps Lock types small Cyrillic letters for the label's capitals)."""
    return "".join(layout.get(char.upper(), char) for char in text)


def decode(text, well_formed):
    """The payload a scanner meant when it typed ``text`` under a Cyrillic layout: the first
    layout whose mapping gives a text ``well_formed`` accepts, else None. ASCII text is left
    to the caller as it is."""
    if not typed_in_cyrillic(text):
        return None
    for layout in LAYOUTS:
        candidate = map_back(text, layout)
        if well_formed(candidate):
            return candidate
    return None

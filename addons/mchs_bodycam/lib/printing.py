"""The language and the time of a printed document (items 9, 12, 13, 14): shared by the reports
and the models that build documents (the evidence package's manifest)."""
from datetime import date, datetime

import pytz

# the Order was published in Kazakh and Russian: its documents print in either
PRINT_LANGS = ("kk_KZ", "ru_RU")


def print_lang(env, unit, data=None):
    """The language a document of ``unit`` prints in: the one chosen at printing (``mchs_lang``
    in the report's data or context), else the unit's working language; Kazakh or Russian only."""
    chosen = (data or {}).get("mchs_lang") or env.context.get("mchs_lang")
    return chosen if chosen in PRINT_LANGS else unit._bodycam_lang()


def local_moment(value, tz):
    """A naive UTC moment as ISO 8601 in ``tz``, with its offset (a date as it is)."""
    if not value:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return pytz.utc.localize(value).astimezone(tz).isoformat(timespec="seconds")

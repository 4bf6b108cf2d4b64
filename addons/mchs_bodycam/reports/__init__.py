from . import report_chest_badge

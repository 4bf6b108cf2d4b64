from . import report_chest_badge
from . import report_journal_custody

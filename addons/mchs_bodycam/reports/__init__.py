from . import report_labels
from . import report_journal
from . import report_journal_custody
from . import report_journal_access
from . import report_destruction

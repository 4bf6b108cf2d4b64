from . import report_print
from . import report_labels
from . import report_journal
from . import report_journal_custody
from . import report_journal_access
from . import report_destruction
from . import report_evidence

from . import test_access
from . import test_concurrency
from . import test_designation
from . import test_lang
from . import test_qr
from . import test_registry
from . import test_reports
from . import test_tours

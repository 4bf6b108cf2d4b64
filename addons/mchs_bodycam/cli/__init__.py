from . import bodycam_import
from . import bodycam_verify
from . import bodycam_harden

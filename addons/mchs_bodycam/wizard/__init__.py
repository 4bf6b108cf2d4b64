from . import mchs_bodycam_slot_wizard
from . import mchs_bodycam_custody_remark_wizard
from . import mchs_bodycam_recording_access_wizard
from . import mchs_bodycam_storage_password_wizard
from . import mchs_bodycam_storage_credentials_wizard
from . import mchs_bodycam_print_wizard

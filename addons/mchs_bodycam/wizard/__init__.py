from . import mchs_bodycam_slot_wizard

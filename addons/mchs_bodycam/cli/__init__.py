from . import bodycam_import

from . import mchs_bodycam_demo

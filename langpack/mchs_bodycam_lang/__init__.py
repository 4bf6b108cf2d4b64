from . import models


def adopt_kazakh(env):
    """Databases made before this addon existed got Kazakh from mchs_bodycam's own data:
    the language record moves to this addon instead of being created twice."""
    env.cr.execute("""
        UPDATE ir_model_data SET module = 'mchs_bodycam_lang'
         WHERE module = 'mchs_bodycam' AND name = 'lang_kk_KZ' AND model = 'res.lang'
    """)

"""18.0.1.1.0: one lock mechanism replaces the hand-written guards (items 6, 9, 12, 13).

The triggers of the earlier guards are dropped here; the lock mixin creates its own when the
models are set up. Confirmations of a destruction act are withdrawn instead of deleted, so their
"once per member" rule becomes a partial index (created by the model)."""


def migrate(cr, version):
    for function in ("mchs_bodycam_recording_guard", "mchs_bodycam_access_guard",
                     "mchs_bodycam_freeze_inventory_number"):
        cr.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
    # the indexes before the struck rows were excluded from them
    cr.execute("DROP INDEX IF EXISTS mchs_bodycam_custody_camera_active")
    cr.execute("DROP INDEX IF EXISTS mchs_bodycam_custody_inspector_issued")
    cr.execute("""
        ALTER TABLE mchs_bodycam_destruction_confirmation
        DROP CONSTRAINT IF EXISTS mchs_bodycam_destruction_confirmation_member_uniq
    """)

from odoo import fields, models
from odoo.exceptions import UserError

from ..lib.apart import write_apart


class MchsBodycamStoragePasswordWizard(models.TransientModel):
    """Set the storage server's special password (item 5 ¶2); it is hashed at once."""

    _name = "mchs.bodycam.storage.password.wizard"
    _description = "Set the storage's special password"

    storage_id = fields.Many2one("mchs.bodycam.storage", required=True, readonly=True)
    # not required in the database: the clear text is wiped once hashed, or refused
    password = fields.Char(string="New special password")
    confirmation = fields.Char(string="Repeat it")

    def action_apply(self):
        self.ensure_one()
        try:
            if self.password != self.confirmation:
                raise UserError(self.env._("The two passwords differ."))
            self.storage_id._set_password(self.password)
        except UserError:
            # the form saved the clear text in its own request: wiped in a transaction of its
            # own, since the refusal rolls this one back
            wizard_id = self.id
            write_apart(self.env, lambda env: env.cr.execute(
                "UPDATE mchs_bodycam_storage_password_wizard SET password = NULL, confirmation = NULL WHERE id = %s",
                [wizard_id]))
            self.invalidate_recordset(["password", "confirmation"])
            raise
        # the clear text must not stay in the wizard's table
        self.write({"password": False, "confirmation": False})
        return {"type": "ir.actions.act_window_close"}

# pylint: disable=print-used  # an odoo-bin command: what it prints is its output
import argparse

import odoo
from odoo.cli import Command


class BodycamImport(Command):
    """Import bodycam recordings dropped in the docks' inbox folders (item 10)"""

    name = "bodycam_import"

    def run(self, args):
        parser = argparse.ArgumentParser(prog="odoo-bin bodycam_import", description=self.__doc__)
        parser.add_argument("-c", "--config", required=True, help="the Odoo server's configuration file")
        parser.add_argument("-d", "--database", required=True)
        options = parser.parse_args(args)
        odoo.tools.config.parse_config(["-c", options.config, "-d", options.database])
        registry = odoo.modules.registry.Registry(options.database)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            imported, refused = env["mchs.bodycam.dock"]._cron_import_inboxes()
        print(f"{imported} recordings imported, {refused} files refused")

# pylint: disable=print-used  # an odoo-bin command: what it prints is its output
import argparse
import sys

import odoo
from odoo.cli import Command


class BodycamVerify(Command):
    """Check the bodycam journals and recordings registry against their seals (items 9, 13)"""

    name = "bodycam_verify"

    def run(self, args):
        parser = argparse.ArgumentParser(
            prog="odoo-bin bodycam_verify", description=self.__doc__,
            epilog="Other options (-c, --db_host...) are Odoo's own. Prints one line per finding "
                   "(unit, kind, detail) and exits 1 when anything does not match, 0 when everything holds.")
        parser.add_argument("-d", "--database", required=True)
        parser.add_argument("--unit", help="the unit's code (e.g. ALM); every unit when absent")
        parser.add_argument("--files", action="store_true", help="also re-hash both copies of every recording")
        options, odoo_args = parser.parse_known_args(args)
        odoo.tools.config.parse_config([*odoo_args, "-d", options.database])
        registry = odoo.modules.registry.Registry(options.database)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            seals = env["mchs.bodycam.integrity.seal"]
            units = seals._units_to_verify(options.unit)
            if options.unit and not units:
                print(f"no unit has the code {options.unit}", file=sys.stderr)
                sys.exit(2)
            findings = seals._verify(units, files=options.files)
            cr.rollback()  # a check writes nothing
        for code, kind, detail in findings:
            print(f"{code}\t{kind}\t{detail}")
        print(f"{len(units)} units checked, {len(findings)} findings", file=sys.stderr)
        sys.exit(1 if findings else 0)

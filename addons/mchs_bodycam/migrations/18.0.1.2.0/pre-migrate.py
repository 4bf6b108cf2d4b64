"""18.0.1.2.0: a bodycam's unit and holder are its equipment's (issue 14, point 4).

The devices kept their own unit and holder, and the Maintenance app showed their equipment with
no department and no employee. Now the device's unit and holder are hr_maintenance's
``department_id`` and ``employee_id`` of the equipment (used by "other": both), which the device
keeps in its own row as stored related fields.

- The devices' ``holder_id`` column becomes ``employee_id`` (its index, foreign key, the CHECK
  "an issued device has a holder", the chatter's tracking and saved filters follow).
- Each device's unit and holder are copied onto its equipment.
- The record rules that named ``holder_id`` or went through the devices to find the unit of an
  equipment are deleted here and created again from security/mchs_bodycam_rules.xml (a noupdate
  file: Odoo does not rewrite a rule that still exists); the equipment's create rule and its
  separate read and manage rules are gone (one rule on the equipment's department).
"""
import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

DEVICES = {"mchs_bodycam_camera": "mchs.bodycam.camera", "mchs_bodycam_card": "mchs.bodycam.card"}

RULES = [
    # created again from the XML with employee_id
    "mchs_bodycam_camera_rule_inspector", "mchs_bodycam_card_rule_inspector",
    "mchs_bodycam_card_installation_rule_inspector", "mchs_bodycam_seal_rule_inspector",
    "maintenance_equipment_rule_bodycam_inspector",
    # gone: one rule on the equipment's department replaces them
    "maintenance_equipment_rule_bodycam_unit_read", "maintenance_equipment_rule_bodycam_unit_manage",
    "maintenance_equipment_rule_bodycam_create",
]


def migrate(cr, version):
    if not version:
        return
    for table, model in DEVICES.items():
        if column_exists(cr, table, "holder_id"):
            _rename_holder(cr, table, model)
        # hr_maintenance (now a dependency) installs itself with hr and maintenance
        if column_exists(cr, "maintenance_equipment", "equipment_assign_to"):
            _copy_to_equipment(cr, table)
        else:
            _logger.warning("mchs_bodycam: hr_maintenance is not installed; %s keep no unit and holder on their "
                            "equipment", table)
    _drop_rules(cr)


def _rename_holder(cr, table, model):
    cr.execute(SQL("ALTER TABLE %s RENAME COLUMN holder_id TO employee_id", SQL.identifier(table)))
    cr.execute(SQL("ALTER INDEX IF EXISTS %s RENAME TO %s", SQL.identifier(f"{table}__holder_id_index"),
                   SQL.identifier(f"{table}__employee_id_index")))
    cr.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [f"{table}_holder_id_fkey"])
    if cr.rowcount:
        cr.execute(SQL("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", SQL.identifier(table),
                       SQL.identifier(f"{table}_holder_id_fkey"), SQL.identifier(f"{table}_employee_id_fkey")))
    # the chatter's "Current holder" changes stay attached to the field (the inherited
    # employee_id of the equipment was already reflected; holder_id's row goes with the update)
    cr.execute("""
        UPDATE mail_tracking_value tracking SET field_id = new.id
          FROM ir_model_fields old, ir_model_fields new
         WHERE tracking.field_id = old.id AND old.model = %(model)s AND old.name = 'holder_id'
           AND new.model = %(model)s AND new.name = 'employee_id'
    """, {"model": model})
    cr.execute("""
        UPDATE ir_filters SET domain = replace(domain, 'holder_id', 'employee_id'),
                              context = replace(context, 'holder_id', 'employee_id'),
                              sort = replace(sort, 'holder_id', 'employee_id')
         WHERE model_id = %s
    """, [model])


def _copy_to_equipment(cr, table):
    cr.execute(SQL("""
        UPDATE maintenance_equipment equipment
           SET department_id = device.department_id, employee_id = device.employee_id,
               equipment_assign_to = 'other', company_id = device.company_id
          FROM %s device
         WHERE device.equipment_id = equipment.id
    """, SQL.identifier(table)))
    _logger.info("mchs_bodycam: the unit and holder of %s %s copied onto their equipment", cr.rowcount, table)


def _drop_rules(cr):
    cr.execute("""
        DELETE FROM ir_rule WHERE id IN (
            SELECT res_id FROM ir_model_data WHERE module = 'mchs_bodycam' AND model = 'ir.rule' AND name = ANY(%s))
    """, [RULES])
    cr.execute("DELETE FROM ir_model_data WHERE module = 'mchs_bodycam' AND model = 'ir.rule' AND name = ANY(%s)",
               [RULES])

"""SQL queries and time for one issue and one return at the scan desk (issue 3, figure 1).

    python3 bench/bench_custody_queries.py -c <odoo config> -d <database with mchs_bodycam>

Builds a unit, a responsible person, an inspector, a registered book and a sealed bodycam with a
card inside one transaction, measures desk_issue and desk_return, and rolls everything back.
Prints figures only; the test suite pins the query counts with assertQueryCount.
"""
import argparse
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry


def build(env):
    unit = env["hr.department"].create({"name": "Bench unit", "bodycam_code": "BENCHQ"})
    user = env["res.users"].create({
        "name": "Bench responsible", "login": "bench.responsible.q",
        "groups_id": [(6, 0, env.ref("mchs_bodycam.group_bodycam_responsible").ids)]})
    responsible = env["hr.employee"].create({"name": "Bench responsible", "user_id": user.id,
                                             "department_id": unit.id})
    env["mchs.bodycam.designation"].create({"department_id": unit.id, "role": "responsible",
                                            "employee_id": responsible.id, "date_start": "2020-01-01"})
    inspector = env["hr.employee"].create({"name": "Bench inspector", "department_id": unit.id,
                                           "barcode": "9900000001"})
    book = env["mchs.bodycam.journal"].create({"kind": "custody", "department_id": unit.id,
                                               "registration_number": "B-1", "registration_date": "2026-01-01"})
    book.action_register()
    camera = env["mchs.bodycam.camera"].create({"department_id": unit.id})
    env["mchs.bodycam.card"].create({"department_id": unit.id})._install_into(camera)
    camera._apply_seal("BENCH-SEAL")
    return user, inspector, camera


def measure(env, label, func):
    env.flush_all()
    env.invalidate_all()
    before, start = env.cr.sql_log_count, time.perf_counter()
    func()
    env.flush_all()
    print(f"{label}: {env.cr.sql_log_count - before} SQL queries, {(time.perf_counter() - start) * 1000:.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config])
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        user, inspector, camera = build(env)
        desk = env(user=user.id)["mchs.bodycam.custody"]
        badge = inspector._bodycam_badge_payload()
        checklist = {"check_operable": True, "battery_level": 95, "check_datetime": True, "check_quality": True,
                     "check_inventory_label": True, "check_seal_intact": True, "check_placement": True, "check_badge_worn": True,
                     "check_seal_number": "BENCH-SEAL"}
        measure(env, "one issue (desk_issue)", lambda: desk.desk_issue(camera.id, badge, checklist))
        measure(env, "one return (desk_return)", lambda: desk.desk_return(camera.id, badge))
        cr.rollback()


if __name__ == "__main__":
    main()

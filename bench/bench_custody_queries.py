"""SQL queries and time of one issue and one return at the scan desk (issue 14, figure 1).

    python3 bench/bench_custody_queries.py -c <odoo config> -d <database with mchs_bodycam> [--rounds 5]

Inside one transaction, rolled back at the end: a unit with its responsible person (a user of the
Responsible person group, designated), a registered Appendix 1 book, and per round an inspector
with a badge and a sealed bodycam with one card (and one with two cards). Each round calls
desk_issue and then desk_return as the responsible person, the way the desk does over JSON-RPC.

Queries are counted as the test suite's assertQueryCount counts them: the call, its flush, and
what the request's commit writes (mail's precommit: the chatter's tracking of the row and the
devices, one message per record). Before each call the records' cache is emptied; the registry's
caches (access rules, groups, defaults) are those of the process:

* "first request of the process": the first round, in a process that has served no desk request
  yet (a worker just started; its caches fill once per worker and user);
* the median of the other rounds: what a desk in use costs (assertQueryCount in
  tests/test_custody.py pins it, with Odoo's warmup).

Prints figures only; nothing here is asserted.
"""
import argparse
import statistics
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

CHECKS = {"check_operable": True, "battery_level": 95, "check_datetime": True, "check_quality": True,
          "check_inventory_label": True, "check_seal_intact": True, "check_placement": True,
          "check_badge_worn": True}


def build_unit(env):
    unit = env["hr.department"].create({"name": "Bench unit", "bodycam_code": "BENCHQ"})
    user = env["res.users"].create({
        "name": "Bench responsible", "login": "bench.responsible.q",
        "groups_id": [(6, 0, env.ref("mchs_bodycam.group_bodycam_responsible").ids)]})
    responsible = env["hr.employee"].create({"name": "Bench responsible", "user_id": user.id,
                                             "department_id": unit.id})
    env["mchs.bodycam.designation"].create({"department_id": unit.id, "role": "responsible",
                                            "employee_id": responsible.id, "date_start": "2020-01-01"})
    book = env["mchs.bodycam.journal"].create({"kind": "custody", "department_id": unit.id,
                                               "registration_number": "B-1", "registration_date": "2026-01-01"})
    book.action_register()
    return unit, user


def build_duty(env, unit, number, cards):
    """An inspector with a badge and a sealed bodycam with ``cards`` cards, both never issued."""
    inspector = env["hr.employee"].create({"name": f"Bench inspector {number}", "department_id": unit.id,
                                           "barcode": f"99{number:08d}"})
    camera = env["mchs.bodycam.camera"].create({"department_id": unit.id, "card_slot_count": cards})
    for _card in range(cards):
        env["mchs.bodycam.card"].create({"department_id": unit.id})._install_into(camera)
    seal = f"BENCH-SEAL-{number}"
    camera._apply_seal(seal)
    return inspector, camera, seal


def measure(env, call):
    """(queries, milliseconds) of ``call``, its flush and the commit's tracking, as assertQueryCount counts."""
    env.flush_all()
    env.cr.flush()  # the setup's own tracking, not the call's
    env.invalidate_all()
    before, start = env.cr.sql_log_count, time.perf_counter()
    call()
    env.flush_all()
    env.cr.flush()  # runs the precommit hooks: the chatter's tracking
    return env.cr.sql_log_count - before, (time.perf_counter() - start) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--rounds", type=int, default=5, help="rounds per bodycam kind (the first one cold)")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config])
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        unit, user = build_unit(env)
        duties = {cards: [build_duty(env, unit, cards * 100 + n, cards) for n in range(args.rounds)]
                  for cards in (1, 2)}
        desk = env(user=user.id)["mchs.bodycam.custody"]
        print(f"database {args.database}, {args.rounds} rounds per bodycam kind; queries counted as assertQueryCount "
              "counts them (the call, its flush and the commit's tracking)")
        for cards, rounds in duties.items():
            figures = {"issue": [], "return": []}
            for inspector, camera, seal in rounds:
                badge = inspector._bodycam_badge_payload()
                figures["issue"].append(measure(env, lambda: desk.desk_issue(
                    camera.id, badge, dict(CHECKS, check_seal_number=seal))))
                figures["return"].append(measure(env, lambda: desk.desk_return(camera.id, badge)))
            for step, runs in figures.items():
                if cards == 1:  # the process's first desk requests: its caches fill
                    print(f"first request of the process, desk_{step}: {runs[0][0]} SQL queries, {runs[0][1]:.1f} ms")
                    runs = runs[1:] or runs
                print(f"one {step} at the desk (desk_{step}), bodycam with {cards} card{'s' if cards > 1 else ''}: "
                      f"{statistics.median(q for q, _ms in runs):.0f} SQL queries, "
                      f"{statistics.median(ms for _q, ms in runs):.1f} ms (median of {len(runs)})")
        cr.rollback()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Fill a new Appendix 1 journal book with N synthetic rows, fast.

A new unit (with its responsible person, 50 inspectors and one bodycam) and a registered
custody book are created through the ORM; the rows themselves are bulk-inserted with one
INSERT ... SELECT over generate_series, in the same transaction. Every 500th row is struck
through and corrected by a remark (column 7). Prints the book's id.

    python3 bench/generate_journal.py -c odoo.conf -d DB --rows 5000
"""
import argparse
import random
import string


def generate(env, rows, inspectors=50):
    code = "B" + "".join(random.choices(string.ascii_uppercase + string.digits, k=6))
    unit = env["hr.department"].create({"name": f"Бенчмарк бөлімі {code}", "bodycam_code": code})
    responsible = env["hr.employee"].create({"name": f"Жауапты {code}", "department_id": unit.id})
    env["mchs.bodycam.designation"].create({
        "department_id": unit.id, "role": "responsible", "employee_id": responsible.id, "date_start": "2020-01-01"})
    people = env["hr.employee"].create([
        {"name": f"Инспектор {index:03d} Әлиұлы", "department_id": unit.id} for index in range(inspectors)])
    camera = env["mchs.bodycam.camera"].create({"department_id": unit.id})
    book = env["mchs.bodycam.journal"].create({
        "kind": "custody", "department_id": unit.id,
        "registration_number": f"BENCH-{code}", "registration_date": "2026-01-05"})
    book.action_register()
    env.flush_all()
    cr = env.cr
    # closed rows: they no longer hold the bodycam, so one bodycam serves all of them
    cr.execute("""
        INSERT INTO mchs_bodycam_custody (
            journal_id, row_number, department_id, company_id, state, camera_id, inspector_id,
            inventory_text, issue_datetime, issue_confirmed_at, issue_confirmation,
            return_datetime, return_confirmed_at, return_confirmation, download_datetime,
            closed_datetime, struck, is_overdue, create_uid, write_uid, create_date, write_date)
        SELECT %(book)s, n, %(unit)s, %(company)s, 'closed', %(camera)s,
               (%(inspectors)s::int[])[1 + n %% %(count)s],
               format('%%1$s-BC-%%2$s (%%1$s-MC-%%3$s, %%1$s-MC-%%4$s)', %(code)s::text,
                      lpad(n::text, 5, '0'), lpad((2 * n)::text, 5, '0'), lpad((2 * n + 1)::text, 5, '0')),
               t, t + interval '1 minute', 'badge',
               t + interval '8 hours', t + interval '8 hours 1 minute', 'session',
               t + interval '9 hours', t + interval '10 hours',
               n %% 500 = 0, false, %(uid)s, %(uid)s, now(), now()
          FROM generate_series(1, %(rows)s) AS n,
               LATERAL (SELECT timestamp '2026-01-06 04:00' + (n * interval '37 minutes') AS t) AS moment
    """, {"book": book.id, "unit": unit.id, "company": unit.company_id.id, "camera": camera.id,
          "inspectors": people.ids, "count": len(people), "code": code, "uid": env.uid, "rows": rows})
    # column 7: each struck row is corrected by the next one (item 9)
    cr.execute("""
        INSERT INTO mchs_bodycam_custody_remark (custody_id, company_id, department_id, kind, signed_by_id,
                                                 signed_at, related_custody_id, note,
                                                 create_uid, write_uid, create_date, write_date)
        SELECT struck.id, struck.company_id, struck.department_id, 'correction', %(uid)s, now(), fix.id,
               'inventory number', %(uid)s, %(uid)s, now(), now()
          FROM mchs_bodycam_custody struck
          JOIN mchs_bodycam_custody fix ON fix.journal_id = struck.journal_id
                                       AND fix.row_number = struck.row_number + 1
         WHERE struck.journal_id = %(book)s AND struck.struck
    """, {"book": book.id, "uid": env.uid})
    # the book's lock lets its next row number go up by one per row only (item 9): the bulk
    # rows move it at once, with that trigger off for this one statement of this transaction
    cr.execute("ALTER TABLE mchs_bodycam_journal DISABLE TRIGGER mchs_bodycam_journal_lock")
    cr.execute("UPDATE mchs_bodycam_journal SET next_row_number = %s WHERE id = %s", [rows + 1, book.id])
    cr.execute("ALTER TABLE mchs_bodycam_journal ENABLE TRIGGER mchs_bodycam_journal_lock")
    env.invalidate_all()
    return book


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database with mchs_bodycam installed")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config])
    registry = Registry(args.database)
    with registry.cursor() as cr:  # one transaction: committed when the block ends
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        book = generate(env, args.rows)
        print(book.id)


if __name__ == "__main__":
    main()

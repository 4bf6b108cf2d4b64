#!/usr/bin/env python3
"""Time and peak memory of the Appendix 1 journal reports.

Renders the PDF of a 5,000-row book and the XLSX of a 100,000-row book (both generated
first by generate_journal.py, in a transaction that is rolled back at the end unless
--keep is given) and prints wall time, tracemalloc peak (Python allocations) and the
growth of the process's maximum resident set size. Figures only, no assertions.

wkhtmltopdf fetches the report styles from report.url (or web.base.url): point it at a
running Odoo server with --report-url for a faithful PDF, otherwise it renders without
Odoo's stylesheets (the journal's own styles are inline).

    python3 bench/bench_journal_reports.py -c odoo.conf -d DB [--pdf-rows 5000] [--xlsx-rows 100000]
"""
import argparse
import os
import resource
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from generate_journal import generate  # noqa: E402


def measure(label, function):
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{label}: {elapsed:.1f} s, tracemalloc peak {peak / 2**20:.1f} MiB, "
          f"max RSS +{(rss_after - rss_before) / 1024:.1f} MiB (now {rss_after / 1024:.1f} MiB)", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database with mchs_bodycam installed")
    parser.add_argument("--pdf-rows", type=int, default=5000)
    parser.add_argument("--xlsx-rows", type=int, default=100000)
    parser.add_argument("--lang", default="kk_KZ")
    parser.add_argument("--report-url", help="URL of a running Odoo server for wkhtmltopdf's styles")
    parser.add_argument("--keep", action="store_true", help="commit the generated books")
    args = parser.parse_args()

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": args.lang, "tz": "Asia/Almaty"})
        if args.report_url:
            env["ir.config_parameter"].set_param("report.url", args.report_url)
        start = time.perf_counter()
        pdf_book = generate(env, args.pdf_rows)
        xlsx_book = generate(env, args.xlsx_rows)
        print(f"generated books of {args.pdf_rows} and {args.xlsx_rows} rows in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        env.invalidate_all()
        reports = env["ir.actions.report"].with_context(force_report_rendering=True)

        # the XLSX first: the max RSS growth of the PDF would hide its own
        xlsx, _kind = measure(
            f"XLSX, {args.xlsx_rows} rows",
            lambda: reports._render_xlsx("mchs_bodycam.report_journal_custody_xlsx", xlsx_book.ids, {}))
        print(f"  {len(xlsx) / 2**20:.1f} MiB")
        env.invalidate_all()
        pdf, _kind = measure(
            f"PDF, {args.pdf_rows} rows",
            lambda: reports._render_qweb_pdf("mchs_bodycam.action_report_journal_custody", res_ids=pdf_book.ids))
        from PyPDF2 import PdfReader
        import io
        print(f"  {len(pdf) / 2**20:.1f} MiB, {len(PdfReader(io.BytesIO(pdf)).pages)} pages")
        if not args.keep:
            cr.rollback()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The Appendix 1 journal reports against their raw tools, in the same run (issue 14).

Generates two books (generate_journal.py, in a transaction rolled back at the end unless
--keep), then, --runs times each, alternating:

* XLSX of the large book: the product (``_render_xlsx``, OCA report_xlsx) against raw
  xlsxwriter (constant_memory, the product's workbook options) writing the same cells with the
  same formats, taken from the product's own output: the raw sheet and styles must come out
  byte for byte the product's (checked and printed).
* PDF of the small book: the product (``_render_qweb_pdf``: rows, layout, QWeb, wkhtmltopdf,
  certification page, page numbers) against raw wkhtmltopdf run on the exact HTML files and with
  the exact options the product passed it (captured from the product's first print).

Prints each run and the medians side by side with their ratio; the raw tool goes first on odd
runs, the product on even ones. Nothing is timed under tracemalloc: memory (tracemalloc peak,
the process's peak RSS during the pass) is taken in a separate pass first, while the process is
small. Figures only, no assertions.

wkhtmltopdf fetches Odoo's stylesheets from report.url: give a running Odoo server with
--report-url (the raw runs load them from the same server), otherwise both render without them.

    python3 bench/bench_journal_reports.py -c odoo.conf -d DB [--pdf-rows 5000] [--xlsx-rows 100000]
        [--runs 3] [--lang kk_KZ] [--report-url http://127.0.0.1:8069] [--keep]
"""
import argparse
import gc
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile

from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_retention import proc_status, reset_peak_rss  # noqa: E402
from generate_journal import generate  # noqa: E402

XLSX_REPORT = "mchs_bodycam.report_journal_custody_xlsx"
PDF_REPORT = "mchs_bodycam.action_report_journal_custody"
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def in_turn(run, raw, product):
    """(seconds, result) of the raw tool and of the product, run one after the other: the raw
    tool first in runs 1, 3, ... (``run`` counts from 0), the product first in runs 2, 4, ..., so
    that neither always goes first."""
    if run % 2:
        product_result = timed(product)
        return timed(raw), product_result
    raw_result = timed(raw)
    return raw_result, timed(product)


def side_by_side(label, runs, raw_name, notes=()):
    """Print each run and the medians: product, raw tool, ratio."""
    print(f"{label}, median of {len(runs)}:")
    for index, run in enumerate(runs, start=1):
        extra = f" ({run['note']})" if run.get("note") else ""
        print(f"  run {index}: product {run['product']:.2f} s{extra}, {raw_name} {run['raw']:.2f} s, "
              f"ratio {run['product'] / run['raw']:.2f}")
    product = statistics.median(run["product"] for run in runs)
    raw = statistics.median(run["raw"] for run in runs)
    ratios = [run["product"] / run["raw"] for run in runs]
    print(f"  median: product {product:.2f} s, {raw_name} {raw:.2f} s: {product / raw:.2f} x "
          f"(per-run ratios {min(ratios):.2f}-{max(ratios):.2f})")
    for note in notes:
        print(f"  {note}")
    sys.stdout.flush()


# ---------------------------------------------------------------------- XLSX

def xlsx_parts(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in ("xl/workbook.xml", "xl/worksheets/sheet1.xml",
                                                      "xl/styles.xml")}


def sheet_cells(content):
    """The product's sheet as the raw tool will write it: its name and its rows of cells
    (column, kind, value, format name), kind n (number), s (string) or b (blank). The format of
    a cell is named after its place in the form (write_journal_xlsx): the headings' rows, then
    each row's number and texts, struck through on a corrected row."""
    parts = xlsx_parts(content)
    name = etree.fromstring(parts["xl/workbook.xml"]).find(f".//{SHEET_NS}sheet").get("name")
    header_formats = {(0, 0): "bold", (2, 0): "title"}
    rows, number_style = [], None
    for _event, element in etree.iterparse(io.BytesIO(parts["xl/worksheets/sheet1.xml"]), tag=f"{SHEET_NS}row"):
        row = int(element.get("r")) - 1
        cells, struck = [], False
        for cell in element.iter(f"{SHEET_NS}c"):
            column = column_index(cell.get("r"))
            style = int(cell.get("s", 0))
            if row == 7 and column == 0:
                number_style = style
            if row < 8:
                form = {6: "heading", 7: "number"}.get(row) or header_formats.get((row, column))
            elif column == 0:
                struck = style != number_style
                form = "struck_number" if struck else "number"
            else:
                form = "struck" if struck else "cell"
            if cell.get("t") == "inlineStr":
                cells.append((column, "s", "".join(cell.find(f"{SHEET_NS}is").itertext()), form))
            elif cell.find(f"{SHEET_NS}v") is not None:
                cells.append((column, "n", float(cell.find(f"{SHEET_NS}v").text), form))
            else:
                cells.append((column, "b", "", form))
        rows.append((row, tuple(cells)))
        element.clear()
    return name, rows


def column_index(reference):
    letters = "".join(char for char in reference if char.isalpha())
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - ord("A") + 1
    return index - 1


def raw_xlsx(name, rows, widths, options, format_properties):
    """Raw xlsxwriter: the same cells, formats, widths and frozen headings as the product."""
    import xlsxwriter
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, dict(options))
    formats = {name: workbook.add_format(properties) for name, properties in format_properties.items()}
    formats[None] = None
    sheet = workbook.add_worksheet(name)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(8, 0)
    write = {"n": sheet.write_number, "s": sheet.write_string, "b": sheet.write_blank}
    for row, cells in rows:
        for column, kind, value, style in cells:
            write[kind](row, column, value, formats[style])
    workbook.close()
    return stream.getvalue()


def bench_xlsx(env, book, args):
    from odoo.addons.mchs_bodycam.reports.report_journal import XLSX_FORMATS, XLSX_OPTIONS
    from odoo.addons.mchs_bodycam.reports.report_journal_custody import JournalCustodyForm

    reports = env["ir.actions.report"].with_context(force_report_rendering=True, mchs_lang=args.lang)

    def product():
        env.invalidate_all()
        return reports._render_xlsx(XLSX_REPORT, book.ids, {})[0]

    first = product()  # warm-up; its cells are the raw tool's input
    name, rows = sheet_cells(first)
    # the cells stay in memory for the raw runs: keep them out of the garbage collector's scans
    gc.collect()
    gc.freeze()

    def raw():
        return raw_xlsx(name, rows, JournalCustodyForm.xlsx_widths, XLSX_OPTIONS, XLSX_FORMATS)

    same = {part: xlsx_parts(raw())[part] == xlsx_parts(first)[part]
            for part in ("xl/worksheets/sheet1.xml", "xl/styles.xml")}
    runs, same["product output stable"] = [], True
    for run in range(args.runs):
        (raw_time, _content), (product_time, content) = in_turn(run, raw, product)
        runs.append({"product": product_time, "raw": raw_time})
        same["product output stable"] &= xlsx_parts(content)["xl/worksheets/sheet1.xml"] == \
            xlsx_parts(first)["xl/worksheets/sheet1.xml"]
    gc.unfreeze()
    data_rows = len(rows) - 8
    yes = {key: "yes" if value else "NO" for key, value in same.items()}
    side_by_side(f"XLSX, {data_rows:,} rows ({args.lang}, {len(first) / 2**20:.1f} MiB)", runs,
                 "raw xlsxwriter (constant_memory)",
                 [f"raw output identical to the product's: sheet {yes['xl/worksheets/sheet1.xml']}, "
                  f"styles {yes['xl/styles.xml']}; product output the same in every run: "
                  f"{yes['product output stable']}"])


# ---------------------------------------------------------------------- PDF

class WkhtmltopdfCalls:
    """Records the product's wkhtmltopdf runs (options, duration) and, when ``keep`` is a folder,
    copies the files each run reads, so that the raw tool runs on exactly the same input."""

    def __init__(self, keep=None, raw_output=None):
        from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin
        self.binary = _get_wkhtmltopdf_bin()
        self.keep = keep
        self.raw_output = raw_output  # the raw tool's output file: its runs are not the product's
        self.calls = []
        self.original = subprocess.Popen

    def __enter__(self):
        recorder = self

        class Popen(recorder.original):
            def __init__(self, command, *args, **kwargs):
                if isinstance(command, (list, tuple)) and command and command[0] == recorder.binary \
                        and "--version" not in command:
                    self.mchs_call = recorder.record(list(command))
                super().__init__(command, *args, **kwargs)

            def communicate(self, *args, **kwargs):
                result = super().communicate(*args, **kwargs)
                call = getattr(self, "mchs_call", None)
                if call:
                    call["seconds"] = time.perf_counter() - call["start"]
                return result

        subprocess.Popen = Popen
        return self

    def __exit__(self, *exc):
        subprocess.Popen = self.original

    def record(self, command):
        call = {"command": command, "start": time.perf_counter(), "seconds": None, "input_bytes": 0,
                "inputs": [], "options": [], "raw": command[-1] == self.raw_output}
        if self.keep:
            copied = []
            for index, argument in enumerate(command[:-1]):
                if index and os.path.isfile(argument):
                    target = os.path.join(self.keep, f"{len(self.calls)}-{index}-{os.path.basename(argument)}")
                    shutil.copyfile(argument, target)
                    call["input_bytes"] += os.path.getsize(target)
                    call["inputs"].append(os.path.basename(argument))
                    argument = target
                elif index:
                    call["options"].append(argument)
                copied.append(argument)
            call["replay"] = copied  # without the output file
        self.calls.append(call)
        return call


def pdf_pages(content):
    result = subprocess.run(["qpdf", "--show-npages", "-"], input=content, capture_output=True, check=False)
    if result.returncode:  # qpdf before 11 reads no stdin
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(content)
            handle.flush()
            result = subprocess.run(["qpdf", "--show-npages", handle.name], capture_output=True, check=True)
    return int(result.stdout)


def bench_pdf(env, book, args, folder):
    reports = env["ir.actions.report"].with_context(force_report_rendering=True, mchs_lang=args.lang)

    def product():
        env.invalidate_all()
        return reports._render_qweb_pdf(PDF_REPORT, res_ids=book.ids)[0]

    with WkhtmltopdfCalls(keep=folder) as capture:
        first = product()
    book_call = max(capture.calls, key=lambda call: call["input_bytes"])  # the run that printed the rows
    output = os.path.join(folder, "raw.pdf")
    command = book_call["replay"] + [output]

    def raw():
        subprocess.run(command, capture_output=True, check=False)
        with open(output, "rb") as handle:
            return handle.read()

    raw_pages = pdf_pages(raw())
    runs = []
    for run in range(args.runs):
        with WkhtmltopdfCalls(raw_output=output) as calls:
            (raw_time, _content), (product_time, content) = in_turn(run, raw, product)
        inside = sum(call["seconds"] or 0 for call in calls.calls if not call["raw"])
        product_calls = [call for call in calls.calls if not call["raw"]]
        runs.append({"product": product_time, "raw": raw_time,
                     "note": f"{len(product_calls)} wkhtmltopdf run(s) inside: {inside:.2f} s"})
    side_by_side(f"PDF, {args.pdf_rows:,} rows ({args.lang}, {pdf_pages(first)} pages, {len(first) / 2**20:.1f} MiB)",
                 runs, "raw wkhtmltopdf",
                 [f"the product ran wkhtmltopdf {len(capture.calls)} time(s) per print; raw = its run on the book's "
                  f"input: {', '.join(book_call['inputs'])} ({book_call['input_bytes'] / 2**20:.1f} MiB), "
                  f"{raw_pages} pages; options: {' '.join(book_call['options'])}"])


# ---------------------------------------------------------------------- memory

def memory(label, function):
    """A separate pass under tracemalloc (which slows Python down several times): its peak, and
    the process's peak resident set during the pass (VmHWM, reset first) over its size before."""
    gc.collect()
    reset = reset_peak_rss()
    before = proc_status("VmRSS")
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss = proc_status("VmHWM")
    print(f"memory, {label} (separate pass): tracemalloc peak {peak / 2**20:.1f} MiB, peak RSS "
          f"{peak_rss:.1f} MiB, {peak_rss - before:+.1f} MiB over the {before:.1f} MiB before"
          + ("" if reset else " (peak not reset: /proc/self/clear_refs not writable)"), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database with mchs_bodycam installed")
    parser.add_argument("--pdf-rows", type=int, default=5000, help="0: no PDF")
    parser.add_argument("--xlsx-rows", type=int, default=100000, help="0: no XLSX")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="kk_KZ")
    parser.add_argument("--report-url", help="URL of a running Odoo server for wkhtmltopdf's styles")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory pass")
    parser.add_argument("--keep", action="store_true", help="commit the generated books")
    args = parser.parse_args()

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config])
    registry = Registry(args.database)
    with registry.cursor() as cr, tempfile.TemporaryDirectory(prefix="bench-journal-") as folder:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": args.lang, "tz": "Asia/Almaty"})
        if args.report_url:
            env["ir.config_parameter"].set_param("report.url", args.report_url)
        start = time.perf_counter()
        pdf_book = generate(env, args.pdf_rows) if args.pdf_rows else None
        xlsx_book = generate(env, args.xlsx_rows) if args.xlsx_rows else None
        print(f"generated books of {args.pdf_rows} and {args.xlsx_rows} rows in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        reports = env["ir.actions.report"].with_context(force_report_rendering=True, mchs_lang=args.lang)
        if not args.no_memory:
            # first, while the process is small: the timed passes keep the raw tool's cells
            if xlsx_book:
                env.invalidate_all()
                memory(f"XLSX {args.xlsx_rows:,} rows",
                       lambda: reports._render_xlsx(XLSX_REPORT, xlsx_book.ids, {}))
            if pdf_book:
                env.invalidate_all()
                memory(f"PDF {args.pdf_rows:,} rows",
                       lambda: reports._render_qweb_pdf(PDF_REPORT, res_ids=pdf_book.ids))
        if xlsx_book:
            bench_xlsx(env, xlsx_book, args)
        if pdf_book:
            bench_pdf(env, pdf_book, args, folder)
        if not args.keep:
            cr.rollback()


if __name__ == "__main__":
    main()

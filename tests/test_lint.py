"""Issue 14, point 2: the lint stage of make test (tools/lint.sh, the hooks of
.pre-commit-config.yaml: pylint-odoo with OCA's mandatory checks, oca-checks-odoo-module,
oca-checks-po) finds nothing in the repository, and finds what a newcomer would slip in."""
import os
import shutil
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINT = os.path.join(REPO, "tools", "lint.sh")
CONFIG = (".pre-commit-config.yaml", ".pylintrc-mandatory")
ADDON = "addons/mchs_bodycam"
HOOKS = ("pylint-odoo", "oca-checks-odoo-module", "oca-checks-po")


def lint(work_tree):
    run = subprocess.run(["bash", LINT, work_tree], capture_output=True, text=True, timeout=1200)
    return run.returncode, run.stdout + run.stderr


def git(work_tree, *args):
    subprocess.run(["git", "-C", work_tree, *args], check=True, capture_output=True, timeout=120)


def test_the_repository_has_no_finding():
    rc, output = lint(REPO)
    assert rc == 0, output[-6000:]
    for hook in HOOKS:  # each hook ran on files of its kind, none was skipped for want of files
        assert any(line.startswith(hook) and line.endswith("Passed") for line in output.splitlines()), output


def _replace(path, old, new):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert old in text, (path, old)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace(old, new, 1))


def test_a_finding_of_each_kind_fails_the_stage():
    """A copy of the addon with the lint configuration, in a git work tree of its own (the hooks
    lint what git tracks), and one slip for each hook: a print() in a model (pylint-odoo), an XML
    header in lower case (oca-checks-odoo-module), a translation whose placeholder was translated
    too (oca-checks-po). The stage fails and names each, at its file."""
    work_tree = tempfile.mkdtemp(prefix="mchs-lint-")
    try:
        for name in CONFIG:
            shutil.copy(os.path.join(REPO, name), work_tree)
        tracked = subprocess.run(["git", "-C", REPO, "ls-files", "-z", ADDON], check=True,
                                 capture_output=True, text=True).stdout.split("\0")
        for path in filter(None, tracked):
            os.makedirs(os.path.join(work_tree, os.path.dirname(path)), exist_ok=True)
            shutil.copy(os.path.join(REPO, path), os.path.join(work_tree, path))
        git(work_tree, "init", "--quiet")
        git(work_tree, "add", "--all")
        assert lint(work_tree)[0] == 0, "the copy lints clean before the slips"

        model = os.path.join(work_tree, ADDON, "models", "mchs_bodycam_journal.py")
        _replace(model, "    def init(self):", "    def _lint_probe(self):\n        print(self)\n\n    def init(self):")
        view = os.path.join(work_tree, ADDON, "views", "mchs_bodycam_journal_views.xml")
        _replace(view, '<?xml version="1.0" encoding="UTF-8" ?>', '<?xml version="1.0" encoding="utf-8"?>')
        catalog = os.path.join(work_tree, ADDON, "i18n", "ru.po")
        with open(catalog, "a", encoding="utf-8") as handle:
            handle.write('\n#. module: mchs_bodycam\n#. odoo-python\n#: code:addons/mchs_bodycam/models/x.py:0\n'
                         '#, python-format\nmsgid "Lint probe of %(unit)s"\nmsgstr "Проба линтера: %(подразделение)s"\n')
        rc, output = lint(work_tree)
        assert rc == 1, output[-6000:]
        assert f"{ADDON}/models/mchs_bodycam_journal.py" in output and "print-used" in output, output[-6000:]
        assert f"{ADDON}/views/mchs_bodycam_journal_views.xml:1: xml-header-wrong" in output, output[-6000:]
        assert f"{ADDON}/i18n/ru.po" in output and "po-python-parse-printf" in output, output[-6000:]
    finally:
        shutil.rmtree(work_tree, ignore_errors=True)

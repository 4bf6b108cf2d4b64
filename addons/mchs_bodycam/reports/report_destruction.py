"""The year-end commission's printed acts: the act destroying the recordings past their
retention (item 12, a free-form act) and the act of the annual check of access and of the
archive's integrity (item 13).

As for the journal books (reports/report_journal.py), the fixed texts are kept here in Kazakh
and in Russian (TEXTS) and the form is printed in Russian when the printing user's language
is Russian, in Kazakh otherwise; the templates (reports/report_destruction.xml) translate
nothing. Dates and times are printed in the printing user's timezone. Kinds of findings and
locations have their own labels here, in the form's language, not Odoo's selection labels.
"""
from collections import Counter

from odoo import api, models

from .report_journal import PrintedForm

GIGABYTE = 1024 ** 3
# sizes print alike in both languages: "486 000 байт (< 0,01 ГБ)"
DECIMAL_POINT = ","
SIZE = "{bytes} байт ({gb} ГБ)"
ROLE_ORDER = ("chairman", "responsible", "anti_corruption", "member")
ACCESS_KINDS = ("chain", "unauthorized", "refused")
FILE_KINDS = ("missing", "changed", "mismatch", "unknown", "not_destroyed")

# Order No. 495 as its official Kazakh text names it (acting Minister), and in Russian
_ORDER_KK = ("Қазақстан Республикасы Төтенше жағдайлар министрінің м.а. 2025 жылғы 21 қарашадағы "
             "№ 495 бұйрығымен бекітілген Нұсқаулықтың")
_ORDER_RU = ("Инструкции, утверждённой приказом исполняющего обязанности Министра по чрезвычайным "
             "ситуациям Республики Казахстан от 21 ноября 2025 года № 495")

TEXTS = {
    "kk": {
        # -- shared
        "unit": "Бөлімше",
        "commission": "Комиссия құрамы",
        "member_headings": ["№", "Т.А.Ә.", "Лауазымы", "Комиссиядағы рөлі"],
        "roles": {
            "chairman": "Комиссия төрағасы",
            "responsible": "Жауапты тұлға",
            "anti_corruption": "Сыбайлас жемқорлыққа қарсы іс-қимыл ұйымдастыруға жауапты қызметкер",
            "member": "Төрағаның шешімімен комиссия мүшесі",
        },
        "decision": "Комиссия төрағасының шешімі",
        "signatures": "Комиссия мүшелерінің қолдары",
        "signature": "(қолы)",
        "confirmed_at": "жүйеде растады: {at}",
        "not_completed": "АЯҚТАЛМАҒАН",
        "state": "Күйі",
        "yes": "иә",
        "no": "жоқ",
        # -- item 12: destruction act
        "act_title": "Бейнежазбаларды жою актісі",
        "number": "Актінің нөмірі",
        "date": "Жасалған күні",
        "place": "Жасалған орны",
        "act_basis": f"Негіздеме: {_ORDER_KK} 12-тармағы. Азаматтық қорғаныс саласындағы мемлекеттік бақылау "
                     "және әкімшілік құқық бұзушылықтар бойынша жазбаларды сақтау мерзімі – 3 жыл; жыл "
                     "қорытындысы бойынша Комиссия жазбаларды тексеріп, мерзімі өткен жазбаларды жою актісін "
                     "жасау арқылы жояды.",
        "act_states": {
            "draft": "қарауда",
            "confirming": "растауда",
            "destroying": "файлдар жойылуда",
            "failed": "жою тоқтады",
            "done": "жойылды",
            "cancelled": "күші жойылды",
        },
        "act_draft_note": "Бұл акт әлі аяқталған жоқ: бейнежазбалар жойылған жоқ, акт қол қоюға жатпайды.",
        "destroyed_list": "Жойылған жазбалар тізбесі",
        "proposed_list": "Жоюға ұсынылған жазбалар тізбесі",
        "line_headings": ["№", "Бейнетіркегіштің түгендеу нөмірі", "Мемлекеттік инспектор", "Жазба кезеңі",
                          "SHA-256"],
        "no_lines": "Жазбалар жоқ.",
        "excluded_list": "Жоюдан алынып тасталған жазбалар",
        "excluded_headings": ["№", "Бейнетіркегіштің түгендеу нөмірі", "Жазба кезеңі", "Алынып тасталу себебі"],
        "totals": "Қорытынды",
        "destroyed_count": "Жойылған жазбалар саны",
        "to_destroy_count": "Жоюға жататын жазбалар саны",
        "total_size": "Жалпы көлемі",
        "excluded_count": "Алынып тасталған жазбалар саны",
        "done_at": "Жою аяқталды",
        # -- item 13: audit act
        "audit_title": "Бейнематериалдарға қол жеткізуді және мұрағат тұтастығын жыл сайынғы тексеру актісі",
        "audit_basis": f"Негіздеме: {_ORDER_KK} 13-тармағы. Жыл қорытындысы бойынша комиссия қол жеткізу мен "
                       "архивтің тұтастығына тексеру жүргізеді.",
        "audit_states": {"draft": "жоба", "running": "тексеру жүріп жатыр", "done": "аяқталды"},
        "audit_draft_note": "Тексеру әлі аяқталған жоқ: нәтижелері толық емес, акт қол қоюға жатпайды.",
        "year": "Тексерілетін жыл",
        "checker": "Тексеруші",
        "started_at": "Тексеру басталды",
        "audit_done_at": "Тексеру аяқталды",
        "access_section": "1. Бейнематериалдарға қол жеткізу (бейнематериалдар бойынша іс-әрекеттерді тіркеу журналы)",
        "chain_ok": "Журнал жолдарының хэш-тізбегі бүтін",
        "access_count": "Тексерілген журнал жолдарының саны",
        "access_headings": ["Журнал жолы №", "Түрі", "Толығырақ"],
        "integrity_section": "2. Мұрағаттың тұтастығы",
        "recordings_checked": "Тексерілген жазбалар",
        "of_total": "{checked}, барлығы {total}",
        "files_hashed": "Хэштелген файлдар саны",
        "bytes_hashed": "Хэштелген көлем",
        "file_headings": ["№", "Түрі", "Орны", "SHA-256"],
        "no_findings": "Бұзушылықтар анықталған жоқ.",
        "kind_totals": "Түрлері бойынша қорытынды",
        "kind_headings": ["Түрі", "Саны"],
        "conclusion": "Қорытынды",
        "conclusion_clean": "бұзушылықтар анықталған жоқ.",
        "conclusion_findings": "{count} бұзушылық анықталды.",
        "kinds": {
            "chain": "Журнал тізбегі бұзылған",
            "unauthorized": "Басқа тұлғаның қол жеткізуі",
            "refused": "Қабылданбаған әрекет",
            "missing": "Файл жоқ",
            "changed": "Файл өзгертілген",
            "mismatch": "Негізгі және резервтік көшірмелер әртүрлі",
            "unknown": "Тізілімде жоқ файл",
            "not_destroyed": "Жойылғаннан кейін қалған файл",
        },
        "locations": {"primary": "негізгі", "backup": "резервтік"},
    },
    "ru": {
        # -- shared
        "unit": "Подразделение",
        "commission": "Состав комиссии",
        "member_headings": ["№", "Ф.И.О.", "Должность", "Роль в комиссии"],
        "roles": {
            "chairman": "Председатель комиссии",
            "responsible": "Ответственное лицо",
            "anti_corruption": "Сотрудник, ответственный за организацию противодействия коррупции",
            "member": "Член комиссии по решению председателя",
        },
        "decision": "Решение председателя комиссии",
        "signatures": "Подписи членов комиссии",
        "signature": "(подпись)",
        "confirmed_at": "подтверждено в системе: {at}",
        "not_completed": "НЕ ЗАВЕРШЁН",
        "state": "Состояние",
        "yes": "да",
        "no": "нет",
        # -- item 12: destruction act
        "act_title": "Акт уничтожения видеозаписей",
        "number": "Номер акта",
        "date": "Дата составления",
        "place": "Место составления",
        "act_basis": f"Основание: пункт 12 {_ORDER_RU}. Срок хранения записей по государственному контролю в "
                     "области гражданской обороны и административным правонарушениям – 3 года; по итогам года "
                     "комиссия проверяет записи и уничтожает записи с истекшим сроком хранения с составлением "
                     "акта уничтожения.",
        "act_states": {
            "draft": "на рассмотрении",
            "confirming": "на подтверждении",
            "destroying": "идёт удаление файлов",
            "failed": "удаление остановлено",
            "done": "уничтожено",
            "cancelled": "отменён",
        },
        "act_draft_note": "Акт ещё не завершён: видеозаписи не уничтожены, акт не подлежит подписанию.",
        "destroyed_list": "Перечень уничтоженных записей",
        "proposed_list": "Перечень записей, предложенных к уничтожению",
        "line_headings": ["№", "Инвентарный номер видеорегистратора", "Государственный инспектор",
                          "Период записи", "SHA-256"],
        "no_lines": "Записей нет.",
        "excluded_list": "Записи, исключённые из уничтожения",
        "excluded_headings": ["№", "Инвентарный номер видеорегистратора", "Период записи", "Причина исключения"],
        "totals": "Итого",
        "destroyed_count": "Уничтожено записей",
        "to_destroy_count": "Подлежит уничтожению записей",
        "total_size": "Общий объём",
        "excluded_count": "Исключено записей",
        "done_at": "Уничтожение завершено",
        # -- item 13: audit act
        "audit_title": "Акт ежегодной проверки доступа к видеоматериалам и целостности архива",
        "audit_basis": f"Основание: пункт 13 {_ORDER_RU}. По итогам года комиссия проводит проверку доступа и "
                       "целостности архива.",
        "audit_states": {"draft": "проект", "running": "идёт проверка", "done": "завершена"},
        "audit_draft_note": "Проверка ещё не завершена: результаты неполны, акт не подлежит подписанию.",
        "year": "Проверяемый год",
        "checker": "Проверяющий",
        "started_at": "Проверка начата",
        "audit_done_at": "Проверка завершена",
        "access_section": "1. Доступ к видеоматериалам (журнал регистрации действий с видеоматериалами)",
        "chain_ok": "Цепочка хешей строк журнала сходится",
        "access_count": "Проверено строк журнала",
        "access_headings": ["Строка журнала №", "Вид", "Подробности"],
        "integrity_section": "2. Целостность архива",
        "recordings_checked": "Проверено записей",
        "of_total": "{checked} из {total}",
        "files_hashed": "Хешировано файлов",
        "bytes_hashed": "Хешированный объём",
        "file_headings": ["№", "Вид", "Место", "SHA-256"],
        "no_findings": "Нарушений не выявлено.",
        "kind_totals": "Итого по видам",
        "kind_headings": ["Вид", "Количество"],
        "conclusion": "Заключение",
        "conclusion_clean": "нарушений не выявлено.",
        "conclusion_findings": "выявлено нарушений: {count}.",
        "kinds": {
            "chain": "Нарушена цепочка журнала",
            "unauthorized": "Доступ постороннего лица",
            "refused": "Отклонённая попытка доступа",
            "missing": "Файл отсутствует",
            "changed": "Файл изменён",
            "mismatch": "Основная и резервная копии различаются",
            "unknown": "Файл, неизвестный реестру",
            "not_destroyed": "Файл остался после уничтожения",
        },
        "locations": {"primary": "основное", "backup": "резервное"},
    },
}


class CommissionActFormat(PrintedForm):
    """Formatting shared by the two acts: the printing user's timezone, the form's language."""

    texts = TEXTS

    def period(self, start, end):
        return f"{self.datetime(start)} – {self.datetime(end)}"

    @staticmethod
    def date(value):
        return value.strftime("%d.%m.%Y") if value else ""

    @staticmethod
    def integer(value):
        """12 345 678: Kazakhstan's thousands separator is a space."""
        return f"{int(value or 0):,}".replace(",", " ")

    def size(self, size):
        size = size or 0
        gigabytes = size / GIGABYTE
        if 0 < gigabytes < 0.01:
            gb = "< 0" + DECIMAL_POINT + "01"
        else:
            gb = f"{gigabytes:,.2f}".replace(",", " ").replace(".", DECIMAL_POINT)
        return SIZE.format(bytes=self.integer(size), gb=gb)

    @staticmethod
    def access_detail(finding):
        """Who accessed, and a refusal's reason as journaled; the finding's own detail was
        written in the background job's language, not the form's."""
        access = finding.access_id
        if finding.kind == "chain" or not access:
            return ""
        return ", ".join(filter(None, [access.user_id.name, access.refusal if finding.kind == "refused" else ""]))

    def members(self, commission, confirmations=None):
        """The commission's members, the chairman first (item 12), with their role in words
        and, for an act, when each confirmed it in the system."""
        confirmed = {confirmation.member_id.id: confirmation.confirmed_at for confirmation in confirmations or []}
        members = commission.member_ids.sorted(lambda member: (ROLE_ORDER.index(member.role), member.sequence,
                                                               member.id))
        return [{
            "name": member.employee_id.name or "",
            "job_title": member.job_title or "",
            "role": self.text["roles"].get(member.role, ""),
            "confirmed": self.text["confirmed_at"].format(at=self.datetime(confirmed[member.id]))
            if member.id in confirmed else "",
        } for member in members]


class ReportCommissionAct(models.AbstractModel):
    """Values of a printed commission act: each record's printed values (``_printed``) under
    ``_values_key``, and the form's texts."""

    _name = "mchs.bodycam.commission.act.report"
    _description = "Printed commission act"
    _act_model = None
    _values_key = None

    @api.model
    def _get_report_values(self, docids, data=None):
        records = self.env[self._act_model].browse(docids)
        form = CommissionActFormat(self.env)
        return {
            "doc_ids": docids,
            "doc_model": self._act_model,
            "docs": records,
            self._values_key: {record.id: self._printed(form, record) for record in records},
            "text": form.text,
        }

    def _printed(self, form, record):
        raise NotImplementedError


class ReportDestructionAct(models.AbstractModel):
    """Values of the printed destruction act (item 12)."""

    _name = "report.mchs_bodycam.report_destruction_act"
    _inherit = "mchs.bodycam.commission.act.report"
    _description = "Destruction act of bodycam recordings (printed)"
    _act_model = "mchs.bodycam.destruction"
    _values_key = "acts"

    def _printed(self, form, act):
        text = form.text
        confirmations = act.confirmation_ids
        destroyed = [{
            "inventory": line.inventory_number or "",
            "inspector": line.inspector_id.name or "",
            "period": form.period(line.recording_start, line.recording_end),
            "sha256": line.sha256 or "",
        } for line in act._report_lines()]
        excluded = [{
            "inventory": line.inventory_number or "",
            "period": form.period(line.recording_start, line.recording_end),
            "reason": line.exclusion_reason or "",
        } for line in act._report_lines(excluded=True)]
        done = act.state == "done"
        return {
            "done": done,
            "state": text["act_states"].get(act.state, act.state),
            "number": act.name or "",
            "date": form.date(act.date),
            "place": act.place or "",
            "unit": act.department_id.name or "",
            "members": form.members(act.commission_id, confirmations),
            "decision": act.commission_id.decision or "",
            "destroyed": destroyed,
            "excluded": excluded,
            "list_title": text["destroyed_list"] if done else text["proposed_list"],
            "count_label": text["destroyed_count"] if done else text["to_destroy_count"],
            "count": form.integer(act.destroy_count),
            "size": form.size(act.destroy_size),
            "excluded_count": form.integer(act.excluded_count),
            "done_at": form.datetime(act.done_at),
        }


class ReportAudit(models.AbstractModel):
    """Values of the printed annual audit act (item 13)."""

    _name = "report.mchs_bodycam.report_audit"
    _inherit = "mchs.bodycam.commission.act.report"
    _description = "Annual audit of access and archive integrity (printed)"
    _act_model = "mchs.bodycam.audit"
    _values_key = "audits"

    def _printed(self, form, audit):
        text = form.text
        findings = audit.finding_ids
        access = findings.filtered(lambda finding: finding.kind in ACCESS_KINDS).sorted(
            lambda finding: (finding.access_sequence or 0, ACCESS_KINDS.index(finding.kind), finding.id))
        files = findings.filtered(lambda finding: finding.kind in FILE_KINDS).sorted(
            lambda finding: (FILE_KINDS.index(finding.kind), finding.sha256 or "", finding.location or "",
                             finding.id))
        counts = Counter(findings.mapped("kind"))
        total = len(findings)
        done = audit.state == "done"
        return {
            "done": done,
            "state": text["audit_states"].get(audit.state, audit.state),
            "unit": audit.department_id.name or "",
            "year": audit.year,
            "members": form.members(audit.commission_id),
            "decision": audit.commission_id.decision or "",
            "checker": audit._checker_label(),
            "started_at": form.datetime(audit.started_at),
            "done_at": form.datetime(audit.done_at),
            "chain_ok": text["yes"] if audit.chain_ok else text["no"],
            "access_count": form.integer(audit.access_count),
            "access_findings": [{
                "row": finding.access_sequence or "",
                "kind": text["kinds"][finding.kind],
                "detail": form.access_detail(finding),
            } for finding in access],
            "recordings": text["of_total"].format(checked=form.integer(audit.recording_checked),
                                                  total=form.integer(audit.recording_total)),
            "file_count": form.integer(audit.file_count),
            "byte_count": form.size(audit.byte_count),
            "file_findings": [{
                "kind": text["kinds"][finding.kind],
                "location": text["locations"].get(finding.location, "") if finding.location else "—",
                "sha256": finding.sha256 or "",
            } for finding in files],
            "kind_totals": [(text["kinds"][kind], counts[kind]) for kind in ACCESS_KINDS + FILE_KINDS],
            "conclusion": text["conclusion_findings"].format(count=total) if total else text["conclusion_clean"],
        }

"""What may still change in a document, in which state: one declaration per model.

Journal rows are written in pen and corrected only by striking through (item 9), evidence is
kept "without the right to change data" (item 13), acts and audits are signed (items 12, 13).
Each document of the addon declares, per lock state, the fields that may still change; the
declaration is enforced twice from the same source:

* in ``write()``, ``create()`` and ``unlink()``, with a translated refusal, for every caller
  (forms, imports, JSON-RPC as any role, ``sudo()``);
* by a database trigger generated from it, for every UPDATE, DELETE and TRUNCATE, Odoo's own
  database role included (once the tables belong to another role, see ``bodycam_harden``, that
  role can no longer switch it off either). Stored computed fields of a locked document are
  precomputed, so that its INSERT carries them.

A person (not ``sudo()``) may moreover write only ``_lock_user_writable`` directly; the rest
changes through the model's ``action_*`` methods, which check their own rules and write with
``sudo()``.
"""
import functools

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

ALL = "*"


class AllBut(frozenset):
    """Every field may change except these (a registry entry whose number is frozen, item 6)."""

# the ORM's own bookkeeping, free in every state
ALWAYS_FREE = frozenset({"write_uid", "write_date"})


def _sql_text_array(names):
    return SQL("ARRAY[%s]::text[]", SQL(", ").join(SQL("%s", name) for name in sorted(names))) if names \
        else SQL("ARRAY[]::text[]")


class MchsBodycamLockMixin(models.AbstractModel):
    _name = "mchs.bodycam.lock.mixin"
    _description = "Fields that may still change, per state"

    # The row's lock state as SQL over the row named {row}, and in Python (_lock_state). A
    # subquery may read other tables (a line is locked by its act's state).
    _lock_state_sql = "{row}.state"
    # {lock state: fields that may still change in it, ALL, or AllBut(frozen fields)}; a state
    # not listed: none.
    _lock_changeable = {}
    # of those, fields that may only be filled once: from empty (or false) to a value
    _lock_fill_once = frozenset()
    # many2many fields to which records may be added but from which none is ever removed
    _lock_add_only = frozenset()
    # {state: states it may move to} for the `state` field, or None
    _lock_transitions = None
    # lock states in which a row may be deleted
    _lock_deletable = frozenset()
    # {lock state: fields a person may write directly}; not declared: the changeable ones; a state
    # not listed once it is declared: none
    _lock_user_writable = {}
    # {lock state: fields a person (not sudo) may give when creating a row in it}; None: no limit
    _lock_user_creatable = None
    # further conditions on every UPDATE, as SQL over OLD and NEW, with the refusal to raise
    _lock_sql_checks = ()

    # ------------------------------------------------------------------ Python side

    def _lock_state(self):
        """The record's lock state; must agree with ``_lock_state_sql``."""
        self.ensure_one()
        return self.state

    def _lock_columns(self, names):
        """The stored fields among ``names`` whose value lives in this model's table or in a
        many2many table of its own (one2many and non-stored fields write other records)."""
        return {name for name in names
                if name not in ALWAYS_FREE and name in self._fields and self._fields[name].store
                and self._fields[name].type != "one2many"}

    @staticmethod
    def _lock_outside(names, allowed):
        """The fields among ``names`` that ``allowed`` (ALL, AllBut or a set) does not let change."""
        if allowed == ALL:
            return set()
        if isinstance(allowed, AllBut):
            return names & allowed
        return names - set(allowed)

    def _lock_refuse(self, message):
        raise UserError(message)

    def _lock_labels(self, names):
        return ", ".join(sorted(self._fields[name]._description_string(self.env) for name in names))

    def _lock_check_write(self, vals):
        names = self._lock_columns(vals)
        if not names:
            return
        for record in self:
            state = record._lock_state()
            changeable = self._lock_changeable.get(state, ())
            refused = self._lock_outside(names, changeable)
            refused |= {name for name in names & self._lock_fill_once if record[name]}
            refused |= {name for name in names & self._lock_add_only if record._lock_removes_links(name, vals[name])}
            if refused:
                record._lock_refuse(self.env._(
                    "%(document)s %(name)s is locked: %(fields)s can no longer be changed. A signed record is "
                    "corrected by its own steps, never rewritten (items 9, 13).",
                    document=self._description, name=record.display_name, fields=self._lock_labels(refused)))
            if not self.env.su:
                # once a model says what a person writes in some states, the others take none
                writable = self._lock_user_writable.get(state, set() if self._lock_user_writable else changeable)
                refused = self._lock_outside(names, writable)
                if refused:
                    record._lock_refuse(self.env._(
                        "%(fields)s of %(document)s %(name)s change only through its buttons.",
                        fields=self._lock_labels(refused), document=self._description, name=record.display_name))
        if self._lock_transitions is not None and "state" in vals:
            labels = dict(self._fields["state"]._description_selection(self.env))
            for record in self:
                if record.state != vals["state"] and vals["state"] not in self._lock_transitions.get(record.state, ()):
                    record._lock_refuse(self.env._(
                        "%(document)s %(name)s cannot go from %(old)s to %(new)s.",
                        document=self._description, name=record.display_name,
                        old=labels.get(record.state, record.state), new=labels.get(vals["state"], vals["state"])))

    def _lock_check_create(self, vals_list):
        if self.env.su:
            return
        self.check_access("create")
        if self._lock_user_creatable is None:
            return
        for vals in vals_list:
            state = self.new(vals)._lock_state()
            if state not in self._lock_user_creatable:
                self._lock_refuse(self.env._(
                    "A %(document)s is created as a draft and takes its later states through its buttons.",
                    document=self._description))
            refused = self._lock_outside(self._lock_columns(vals), self._lock_user_creatable[state])
            if refused:
                self._lock_refuse(self.env._(
                    "%(fields)s of a %(document)s are filled in by its own steps, not by hand.",
                    fields=self._lock_labels(refused), document=self._description))

    def _lock_write(self, vals):
        """A step of the document's own, taken by its action_* method once that has checked who
        may take it and when: written with sudo(), the real user staying the writer of record.
        The user still needs the right to write the record (access rights and record rules)."""
        self._lock_check_access("write")
        self._lock_step(vals)

    def _lock_check_access(self, operation):
        """``check_access(operation)``, see _lock_check_access_all."""
        self._lock_check_access_all(operation, self)

    @api.model
    def _lock_check_access_all(self, operation, *recordsets):
        """``check_access(operation)`` on each of ``recordsets`` (of any models), the record rules
        evaluated by the database, as a search applies them, in one query for all: Odoo's own check
        evaluates them record by record in Python, reading every record a rule goes through (the
        unit's members, a device's equipment and its followers), a query or more each. Raises
        AccessError like check_access."""
        recordsets = [records for records in recordsets if records and not records.env.su]
        for records in recordsets:
            records.env["ir.model.access"].check(records._name, operation)
        for records, forbidden in zip(recordsets, self._lock_forbidden(operation, recordsets)):
            if forbidden:
                raise records.env["ir.rule"]._make_access_error(operation, forbidden)

    @api.model
    def _lock_forbidden(self, operation, recordsets):
        """For each of ``recordsets`` (real records, each in its user's environment), those its
        record rules refuse for ``operation``: one query for all, archived records included."""
        queries = []
        for index, records in enumerate(recordsets):
            query = records.sudo()._where_calc([("id", "in", records.ids)], active_test=False)
            records._apply_ir_rules(query, operation)
            queries.append(query.select(SQL("%s", index), SQL.identifier(records._table, "id")))
        allowed = set(self.env.execute_query(SQL(" UNION ALL ").join(queries))) if queries else set()
        return [records.filtered(lambda record, index=index: (index, record.id) not in allowed)
                for index, records in enumerate(recordsets)]

    def _check_access(self, operation):
        """Odoo's check; at creation, the record rules are evaluated by the database (one query,
        _lock_forbidden): a document just created is in no cache, and Odoo would read every record
        its rules go through to evaluate them (all the members of a unit)."""
        if operation != "create" or self.env.su or not self or not all(self._ids) \
                or not self.env["ir.model.access"].check(self._name, operation, raise_exception=False):
            return super()._check_access(operation)
        forbidden = self._lock_forbidden(operation, [self])[0]
        if forbidden:
            return forbidden, functools.partial(self.env["ir.rule"]._make_access_error, operation, forbidden)
        return None

    def _lock_step(self, vals):
        """A step of the document's own (its action's or its background job's), written with
        sudo() and flushed at once: the database checks the same transitions, and the ORM would
        otherwise merge two steps of one request (an issue and a return) into one UPDATE."""
        self.sudo().write(vals)
        self.flush_recordset(list(vals))

    @api.model_create_multi
    def create(self, vals_list):
        self._lock_check_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if self and not self.env.su:
            self.check_access("write")  # a person's rights first, then the lock
        self._lock_check_write(vals)
        return super().write(vals)

    def _lock_removes_links(self, name, commands):
        """Whether writing ``commands`` to the many2many ``name`` would unlink a record."""
        current = set(self[name].ids)
        for command in commands:
            if command[0] in (Command.UNLINK, Command.DELETE) and command[1] in current:
                return True
            if command[0] == Command.CLEAR and current:
                return True
            if command[0] == Command.SET and current - set(command[2]):
                return True
        return False

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        for record in self:
            if record._lock_state() not in self._lock_deletable:
                record._lock_refuse(self.env._(
                    "%(document)s %(name)s is kept: it can no longer be deleted.",
                    document=self._description, name=record.display_name))

    # ------------------------------------------------------------------ database side

    def init(self):
        super().init()
        if self._abstract:
            return
        self._lock_create_trigger()
        for name in sorted(self._lock_many2many_fields()):
            self._lock_create_relation_trigger(self._fields[name])

    def _lock_state_at(self, row):
        return SQL(self._lock_state_sql.format(row=row))

    def _lock_allowed_sql(self):
        """SQL: the changeable columns of ``lock_state`` as a text array (NULL: all)."""
        cases = [SQL("WHEN %s THEN %s", state, SQL("NULL") if names == ALL or isinstance(names, AllBut)
                     else _sql_text_array(self._lock_columns(names)))
                 for state, names in self._lock_changeable.items()]
        return SQL("CASE lock_state %s ELSE ARRAY[]::text[] END", SQL(" ").join(cases)) if cases \
            else SQL("ARRAY[]::text[]")

    def _lock_frozen_sql(self):
        """SQL: for an AllBut state, the columns that stay frozen (NULL for the others)."""
        cases = [SQL("WHEN %s THEN %s", state, _sql_text_array(self._lock_columns(names)))
                 for state, names in self._lock_changeable.items() if isinstance(names, AllBut)]
        return SQL("CASE lock_state %s ELSE NULL END", SQL(" ").join(cases)) if cases else SQL("NULL::text[]")

    def _lock_transitions_sql(self):
        if self._lock_transitions is None:
            return SQL("")
        pairs = {f"{old}>{new}" for old, news in self._lock_transitions.items() for new in news}
        return SQL("""
            IF 'state' = ANY(changed) AND NOT ((OLD.state || '>' || NEW.state) = ANY(%s)) THEN
                RAISE EXCEPTION %s, TG_TABLE_NAME, OLD.id, OLD.state, NEW.state
                    USING ERRCODE = 'check_violation';
            END IF;""", _sql_text_array(pairs), "mchs_bodycam: % % cannot go from % to %")

    def _lock_checks_sql(self):
        return SQL(" ").join(
            SQL("IF NOT (%s) THEN RAISE EXCEPTION %s, OLD.id USING ERRCODE = 'check_violation'; END IF;",
                SQL(condition), f"mchs_bodycam: {self._table} %: {message}")
            for condition, message in self._lock_sql_checks)

    def _lock_create_trigger(self):
        table = SQL.identifier(self._table)
        function = SQL.identifier(f"{self._table}_lock")
        fill_once = self._lock_columns(self._lock_fill_once)
        self.env.cr.execute(SQL("""
            CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger AS $body$
            DECLARE
                lock_state text;
                allowed text[];
                frozen text[];
                changed text[];
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN
                    RAISE EXCEPTION %(msg_truncate)s,
                        TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
                END IF;
                lock_state := %(old_state)s;
                IF TG_OP = 'DELETE' THEN
                    IF lock_state = ANY(%(deletable)s) THEN
                        RETURN OLD;
                    END IF;
                    RAISE EXCEPTION %(msg_delete)s, TG_TABLE_NAME, OLD.id, lock_state
                        USING ERRCODE = 'check_violation';
                END IF;
                SELECT coalesce(array_agg(n.key), ARRAY[]::text[]) INTO changed
                  FROM jsonb_each(to_jsonb(NEW)) n
                 WHERE n.value IS DISTINCT FROM (to_jsonb(OLD) -> n.key) AND n.key <> ALL(%(free)s);
                IF cardinality(changed) = 0 THEN
                    RETURN NEW;
                END IF;
                allowed := %(allowed)s;
                frozen := %(frozen)s;
                IF frozen IS NOT NULL AND changed && frozen THEN
                    allowed := ARRAY(SELECT unnest(changed) EXCEPT SELECT unnest(frozen));
                END IF;
                IF allowed IS NOT NULL AND NOT (changed <@ allowed) THEN
                    RAISE EXCEPTION %(msg_locked)s, TG_TABLE_NAME, OLD.id,
                        lock_state, array_to_string(ARRAY(SELECT unnest(changed) EXCEPT SELECT unnest(allowed)), ', ')
                        USING ERRCODE = 'check_violation';
                END IF;
                IF EXISTS (SELECT 1 FROM unnest(%(fill_once)s) name
                            WHERE name = ANY(changed)
                              AND coalesce(to_jsonb(OLD) -> name, 'null'::jsonb) NOT IN ('null'::jsonb, 'false'::jsonb))
                THEN
                    RAISE EXCEPTION %(msg_fill_once)s, TG_TABLE_NAME, OLD.id
                        USING ERRCODE = 'check_violation';
                END IF;
                %(transitions)s
                %(checks)s
                RETURN NEW;
            END $body$ LANGUAGE plpgsql
        """, function=function, old_state=self._lock_state_at("OLD"), deletable=_sql_text_array(self._lock_deletable),
            free=_sql_text_array(ALWAYS_FREE), allowed=self._lock_allowed_sql(), frozen=self._lock_frozen_sql(), fill_once=_sql_text_array(fill_once),
            transitions=self._lock_transitions_sql(), checks=self._lock_checks_sql(),
            msg_truncate="mchs_bodycam: % is a journal or evidence, never truncated (items 9, 13)",
            msg_delete="mchs_bodycam: % % is kept (%), never deleted",
            msg_locked="mchs_bodycam: % % is locked (%): % may not change",
            msg_fill_once="mchs_bodycam: % %: a value filled once may not change"))
        for name, timing in (("lock", SQL("BEFORE UPDATE OR DELETE ON %s FOR EACH ROW", table)),
                             ("no_truncate", SQL("BEFORE TRUNCATE ON %s FOR EACH STATEMENT", table))):
            trigger = SQL.identifier(f"{self._table}_{name}")
            self.env.cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", trigger, table))
            self.env.cr.execute(SQL("CREATE TRIGGER %s %s EXECUTE FUNCTION %s()", trigger, timing, function))

    def _lock_many2many_fields(self):
        """The many2many fields of the model that the lock constrains in some state."""
        return {name for name, field in self._fields.items()
                if field.type == "many2many" and field.store and field.model_name == self._name
                and any(self._lock_outside({name}, names) for names in self._lock_changeable.values())}

    def _lock_create_relation_trigger(self, field):
        """A many2many's links are the document's too. A link is removed only in a lock state where
        the field may change (and is not add-only); links are added in such a state, or, for a
        field filled once, to a document that has none yet (a correction's new row gets its
        cards, item 9). Added links are checked per statement, since one INSERT adds them all."""
        relation = SQL.identifier(field.relation)
        table = SQL.identifier(self._table)
        column = SQL.identifier(field.column1)
        states = [state for state, names in self._lock_changeable.items() if not self._lock_outside({field.name}, names)]
        removable = [] if field.name in self._lock_add_only else states
        fill_once = field.name in self._lock_fill_once
        remove_function = SQL.identifier(f"{field.relation}_lock")
        add_function = SQL.identifier(f"{field.relation}_lock_add")
        self.env.cr.execute(SQL("""
            CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger AS $body$
            DECLARE
                lock_state text;
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN
                    RAISE EXCEPTION %(msg_truncate)s, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
                END IF;
                SELECT %(state)s INTO lock_state FROM %(table)s r WHERE r.id = OLD.%(column)s;
                IF NOT FOUND OR lock_state = ANY(%(removable)s) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION %(msg_locked)s, OLD.%(column)s, lock_state USING ERRCODE = 'check_violation';
            END $body$ LANGUAGE plpgsql
        """, function=remove_function, state=self._lock_state_at("r"), table=table, column=column,
            removable=_sql_text_array(removable),
            msg_truncate="mchs_bodycam: % belongs to a journal or evidence, never truncated",
            msg_locked=f"mchs_bodycam: document % is locked (%): its {field.name} are not removed"))
        self.env.cr.execute(SQL("""
            CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger AS $body$
            DECLARE
                document_id integer;
            BEGIN
                SELECT r.id INTO document_id
                  FROM (SELECT DISTINCT added.%(column)s AS id FROM added) touched
                  JOIN %(table)s r ON r.id = touched.id
                 WHERE NOT (%(state)s = ANY(%(states)s))
                   AND NOT (%(fill_once)s AND NOT EXISTS (
                        SELECT 1 FROM %(relation)s link
                         WHERE link.%(column)s = r.id
                           AND (link.%(column)s, link.%(column2)s) NOT IN (SELECT added.%(column)s, added.%(column2)s FROM added)))
                 LIMIT 1;
                IF FOUND THEN
                    RAISE EXCEPTION %(msg_locked)s, document_id USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
            END $body$ LANGUAGE plpgsql
        """, function=add_function, state=self._lock_state_at("r"), table=table, column=column,
            column2=SQL.identifier(field.column2), relation=relation, states=_sql_text_array(states),
            fill_once=SQL("true" if fill_once else "false"),
            msg_locked=f"mchs_bodycam: document % is locked: its {field.name} are not added to"))
        triggers = (
            ("lock", SQL("BEFORE UPDATE OR DELETE ON %s FOR EACH ROW", relation), remove_function),
            ("no_truncate", SQL("BEFORE TRUNCATE ON %s FOR EACH STATEMENT", relation), remove_function),
            ("lock_add", SQL("AFTER INSERT ON %s REFERENCING NEW TABLE AS added FOR EACH STATEMENT", relation),
             add_function),
        )
        for name, timing, function in triggers:
            trigger = SQL.identifier(f"{field.relation}_{name}")
            self.env.cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", trigger, relation))
            self.env.cr.execute(SQL("CREATE TRIGGER %s %s EXECUTE FUNCTION %s()", trigger, timing, function))

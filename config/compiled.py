"""A hot path's queryset compiled to SQL once per database connection, then run with each call's values.

The ORM builds and compiles a queryset's SQL on every evaluation. For the statements a practice turn
or a direct message runs every time (bench/turn_profile.py, bench/dm_profile.py) that is most of
their CPU: the session lock costs 1.6 ms of CPU through `QuerySet.get()` on the bench machine and
0.6 ms compiled once. `CompiledQuery` asks the ORM for the SQL, the backend's converters and the
model populators on a connection's first call, then executes that SQL with the call's values and
builds the instances as `ModelIterable` does (`Model.from_db`, `select_related` and annotations
populated). The SQL stays the ORM's own, on every backend.

`build(*values)` returns the queryset, and `fields[i]` prepares `values[i]` for the database as a
lookup on that field would. Values are UUIDs, strings, integers, aware datetimes or dicts (JSON),
never None (the ORM writes `IS NULL` for None, which a compiled `= %s` would not). To tell the
parameters the values fill from the ORM's own constants (Exists' `SELECT 1`), the first call
compiles the queryset twice, with the values and with stand-ins of the same kinds drawn at random:
a parameter that changed is a value's, one that did not is a constant, however the values happen
to compare with the constants. A value that fills no parameter (a field that prepares it otherwise
than the lookup does) fails at once, on every backend the tests run on. A locking queryset still
refuses to run outside a transaction.

`CompiledInsert` stores model instances as `bulk_create()` would, in one INSERT whose SQL is the
ORM's INSERT of one row, compiled once per connection, its VALUES repeated for each row (one
statement, so no transaction of its own is needed, where `bulk_create` opens one).

`CompiledUpdate` does the same for an UPDATE: `build(*values)` returns the queryset and the new
field values (`QuerySet.update()`'s keywords, expressions such as `F("n") + 1` included), and
`run(*values)` returns the rows updated. A value set prepares as a lookup on its field would.
"""

import datetime
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import AutoField, Field, Model
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError

# For each parameter of a compiled SQL, the index of the value that fills it, or (None, the constant).
_Slots = tuple[tuple[int | None, object], ...]


@dataclass(frozen=True)
class _Plan:
    sql: str
    slots: _Slots
    converters: dict
    compiler: object
    model: type[Model]
    start: int
    end: int
    init_list: list[str]
    populators: list
    annotations: dict
    for_update: bool


def _stand_in(value):
    """A value of the same kind as `value` that no call and no constant will equal."""
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, str):
        return f"{value}:{secrets.token_hex(8)}"
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 1 + secrets.randbelow(1 << 30)
    if isinstance(value, dict):
        return {**value, "stand-in": secrets.token_hex(8)}
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value + datetime.timedelta(seconds=1 + secrets.randbelow(1 << 20), microseconds=secrets.randbelow(10**6))
    raise TypeError(
        f"Compiled statements take UUID, str, int, dict and aware datetime values, not {type(value).__name__}."
    )


def _same(param, other) -> bool:
    """Whether two prepared parameters are the same value (a JSON value's adapter compares by identity:
    its `obj` is compared)."""
    return type(param) is type(other) and getattr(param, "obj", param) == getattr(other, "obj", other)


def _plan_of(statement, connection, make: Callable):
    """The statement's plan on this connection, made on the first call. Plans are kept on the
    connection's wrapper: they hold the connection (bound converters, the compiler), so they go
    when it goes."""
    plans = connection.__dict__.setdefault("compiled_plans", {})
    plan = plans.get(statement)
    if plan is None:
        plan = plans[statement] = make()
    return plan


class _Compiled:
    """What a compiled SELECT and a compiled UPDATE share: the values prepared, the SQL's parameters told
    from the ORM's constants (the module's docstring), one plan per connection."""

    def __init__(self, build: Callable, *, fields: Sequence[Field], using: str = "default"):
        self.build = build
        self.fields = tuple(fields)
        self.using = using

    def _prepared(self, connection, values: Sequence) -> list:
        if len(values) != len(self.fields):
            raise TypeError(f"{type(self).__name__} takes {len(self.fields)} values, {len(values)} given.")
        if any(value is None for value in values):
            raise TypeError(f"{type(self).__name__} takes no None: the ORM looks it up with IS NULL.")
        pairs = zip(self.fields, values, strict=True)
        return [field.get_db_prep_value(value, connection, prepared=False) for field, value in pairs]

    def _compiled(self, connection, values: Sequence) -> tuple:
        """The compiler, SQL and parameters the ORM makes of `build(*values)`."""
        raise NotImplementedError

    def _slots(self, connection, values: Sequence, prepared: list) -> tuple:
        """The compiler and SQL of the first values, and which value (or constant) fills each parameter."""
        compiler, sql, params = self._compiled(connection, values)
        stand_ins = [_stand_in(value) for value in values]
        _, other_sql, other_params = self._compiled(connection, stand_ins)
        other_prepared = self._prepared(connection, stand_ins)
        name = type(self).__name__
        if other_sql != sql or len(other_params) != len(params):
            raise ImproperlyConfigured(f"{name}: the queryset's SQL depends on its values.")
        slots = []
        for param, other in zip(params, other_params, strict=True):
            if _same(param, other):
                slots.append((None, param))  # the ORM's own constant
                continue
            index = next((i for i, value in enumerate(other_prepared) if _same(value, other)), None)
            if index is None or not _same(prepared[index], param):
                raise ImproperlyConfigured(f"{name}: the queryset's parameter {param!r} is none of the values.")
            slots.append((index, None))
        unused = set(range(len(prepared))) - {index for index, _ in slots}
        if unused:
            raise ImproperlyConfigured(
                f"{name}: the values {[prepared[i] for i in sorted(unused)]!r} fill none of the queryset's "
                f"parameters {params!r}."
            )
        return compiler, sql, tuple(slots)

    @staticmethod
    def _params(slots: _Slots, prepared: list) -> list:
        return [constant if index is None else prepared[index] for index, constant in slots]


class CompiledQuery(_Compiled):
    def _compiled(self, connection, values: Sequence) -> tuple:
        queryset = self.build(*values)
        if (
            queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups
            or queryset.db != self.using
        ):
            raise ImproperlyConfigured(
                "CompiledQuery builds model instances on its own database: no values(), prefetch_related() or using()."
            )
        compiler = queryset.query.get_compiler(connection=connection)
        return compiler, *compiler.as_sql()

    def _plan(self, connection, values: Sequence, prepared: list) -> _Plan:
        compiler, sql, slots = self._slots(connection, values, prepared)
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Plan(
            sql=sql,
            slots=slots,
            converters=compiler.get_converters([column for column, _, _ in select]),
            compiler=compiler,
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[column.target.attname for column, _, _ in select[start:end]],
            populators=get_related_populators(klass_info, select, self.using),
            annotations=dict(compiler.annotation_col_map),
            for_update=bool(compiler.query.select_for_update)
            and connection.features.has_select_for_update
            and connection.features.supports_transactions,
        )

    def all(self, *values) -> list[Model]:
        """The instances the queryset built from `values` would give."""
        connection = connections[self.using]
        prepared = self._prepared(connection, values)
        plan = _plan_of(self, connection, lambda: self._plan(connection, values, prepared))
        if plan.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, self._params(plan.slots, prepared))
            rows = cursor.fetchall()
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        found = []
        for row in rows:
            instance = plan.model.from_db(self.using, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, instance)
            for name, position in plan.annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def first(self, *values) -> Model | None:
        """The first instance (the queryset's own ordering and limit apply), or None."""
        found = self.all(*values)
        return found[0] if found else None


class CompiledUpdate(_Compiled):
    """`build(*values)` -> (queryset, the keywords of its `update()`), compiled once per connection."""

    def _compiled(self, connection, values: Sequence) -> tuple:
        queryset, changes = self.build(*values)
        if queryset.db != self.using or queryset.query.is_sliced or queryset.query.combinator:
            raise ImproperlyConfigured("CompiledUpdate updates a plain queryset on its own database.")
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        query.clear_select_clause()
        query.clear_ordering(force=True)
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if query.related_updates or query.related_ids is not None:
            raise ImproperlyConfigured("CompiledUpdate updates one table in one statement.")
        return compiler, sql, params

    def run(self, *values) -> int:
        """The rows the queryset built from `values` updated, as `QuerySet.update()` would."""
        connection = connections[self.using]
        prepared = self._prepared(connection, values)
        _, sql, slots = _plan_of(self, connection, lambda: self._slots(connection, values, prepared))
        with transaction.mark_for_rollback_on_error(using=self.using), connection.cursor() as cursor:
            cursor.execute(sql, self._params(slots, prepared))
            return cursor.rowcount


@dataclass(frozen=True)
class _InsertPlan:
    head: str  # INSERT INTO ... VALUES
    row: str  # one row's placeholders
    tail: str  # RETURNING ..., or nothing
    compiler: object
    converters: dict


class CompiledInsert:
    """`insert(objs)`: new instances of `model` in one INSERT, as `bulk_create(objs)` stores them (each
    field's `pre_save` and database preparation; an auto primary key read back and set)."""

    def __init__(self, model: type[Model], *, using: str = "default"):
        self.model = model
        self.using = using
        opts = model._meta
        self.auto = isinstance(opts.pk, AutoField)
        self.fields = [
            field for field in opts.concrete_fields if not field.generated and not (self.auto and field is opts.pk)
        ]

    def _plan(self, connection) -> _InsertPlan:
        if self.auto and not connection.features.can_return_rows_from_bulk_insert:
            raise ImproperlyConfigured("CompiledInsert reads an auto primary key back: the database cannot.")
        query = InsertQuery(self.model)
        # The SQL of a row of the model's defaults: the values it is run with are each call's own.
        query.insert_values(self.fields, [self.model()])
        compiler = query.get_compiler(connection=connection)
        if self.auto:
            compiler.returning_fields = [self.model._meta.pk]
        ((sql, _),) = compiler.as_sql()
        head, values = sql.split(" VALUES ", 1)
        row, returning, tail = values.partition(" RETURNING ")
        if row.count("%s") != len(self.fields) or not (row.startswith("(") and row.endswith(")")):
            raise ImproperlyConfigured(f"CompiledInsert: the ORM's INSERT is not one row of parameters: {sql}")
        converters = (
            compiler.get_converters([self.model._meta.pk.get_col(self.model._meta.db_table)]) if self.auto else {}
        )
        return _InsertPlan(f"{head} VALUES ", row, returning + tail, compiler, converters)

    def insert(self, objs: Sequence[Model]) -> None:
        if not objs:
            return
        if self.auto and any(obj.pk is not None for obj in objs):
            raise ValueError("CompiledInsert stores new rows: their auto primary key must be unset.")
        connection = connections[self.using]
        plan = _plan_of(self, connection, lambda: self._plan(connection))
        params = []
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            for field in self.fields:
                value = field.pre_save(obj, add=True)
                if hasattr(value, "resolve_expression"):
                    raise ImproperlyConfigured(f"CompiledInsert stores values, not expressions ({field.name}).")
                params.append(field.get_db_prep_save(value, connection=connection))
        sql = plan.head + ", ".join([plan.row] * len(objs)) + plan.tail
        with transaction.mark_for_rollback_on_error(using=self.using), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if self.auto else []
        if plan.converters:
            rows = list(plan.compiler.apply_converters(rows, plan.converters))
        for position, obj in enumerate(objs):
            if self.auto:
                obj.pk = rows[position][0]
            obj._state.adding = False
            obj._state.db = self.using

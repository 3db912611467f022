"""A hot path's queryset compiled to SQL once per database connection, then run with each call's values.

The ORM builds and compiles a queryset's SQL on every evaluation. For the statements a practice turn
or a direct message runs every time (bench/turn_profile.py, bench/dm_profile.py) that is most of
their CPU: the session lock costs 1.6 ms of CPU through `QuerySet.get()` on the bench machine and
0.6 ms compiled once. `CompiledQuery` asks the ORM for the SQL, the backend's converters and the
model populators on a connection's first call, then executes that SQL with the call's values and
builds the instances as `ModelIterable` does (`Model.from_db`, `select_related` and annotations
populated). The SQL stays the ORM's own, on every backend.

`build(*values)` returns the queryset, and `fields[i]` prepares `values[i]` for the database as a
lookup on that field would. The first call finds which parameters of the compiled SQL each value
fills (a value may fill several); the others are the ORM's constants and stay as compiled. A value
that fills none (a field that prepares it otherwise than the lookup does, so a later call's value
would be lost) fails at once, on every backend the tests run on. A call whose values cannot be told
apart (two of them prepare to the same) runs its own compiled SQL and leaves the next call to try.
"""

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class _Plan:
    sql: str
    # For each parameter of the SQL, the index of the value that fills it, or (None, the constant).
    slots: tuple[tuple[int | None, object], ...]
    converters: dict
    compiler: object
    model: type[Model]
    start: int
    end: int
    init_list: list[str]
    populators: list
    annotations: dict


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], *, fields: Sequence[Field], using: str = "default"):
        self.build = build
        self.fields = tuple(fields)
        self.using = using
        # Per connection object (one a thread): converters are bound to their connection's operations.
        self._plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _prepared(self, connection, values: Sequence) -> list:
        if len(values) != len(self.fields):
            raise TypeError(f"CompiledQuery takes {len(self.fields)} values, {len(values)} given.")
        pairs = zip(self.fields, values, strict=True)
        return [field.get_db_prep_value(value, connection, prepared=False) for field, value in pairs]

    def _plan(self, connection, values: Sequence, prepared: list) -> tuple[_Plan, list, bool]:
        """The plan for these values, their parameters, and whether the plan holds for other values."""
        compiler = self.build(*values).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots, used, reusable = [], set(), True
        for param in params:
            matches = {i for i, value in enumerate(prepared) if type(value) is type(param) and value == param}
            used |= matches
            reusable = reusable and len(matches) <= 1
            # A parameter that is none of the values is the ORM's own constant (Exists' SELECT 1).
            slots.append((min(matches), None) if matches else (None, param))
        unused = set(range(len(prepared))) - used
        if unused:
            raise ImproperlyConfigured(
                f"CompiledQuery: the values {[prepared[i] for i in sorted(unused)]!r} fill none of the queryset's "
                f"parameters {params!r}."
            )
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        plan = _Plan(
            sql=sql,
            slots=tuple(slots),
            converters=compiler.get_converters([column for column, _, _ in select]),
            compiler=compiler,
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[column.target.attname for column, _, _ in select[start:end]],
            populators=get_related_populators(klass_info, select, self.using),
            annotations=dict(compiler.annotation_col_map),
        )
        return plan, list(params), reusable

    def all(self, *values) -> list[Model]:
        """The instances the queryset built from `values` would give."""
        connection = connections[self.using]
        prepared = self._prepared(connection, values)
        plan = self._plans.get(connection)
        if plan is None:
            plan, params, reusable = self._plan(connection, values, prepared)
            if reusable:
                self._plans[connection] = plan
        else:
            params = [constant if index is None else prepared[index] for index, constant in plan.slots]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
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

"""A hot path's queryset compiled to SQL once per database connection, then run with each call's values.

The ORM builds and compiles a queryset's SQL on every evaluation. For the statements a practice turn
runs every time (bench/turn_profile.py) that is most of their CPU: the session lock costs 1.6 ms of
CPU through `QuerySet.get()` on the bench machine and 0.6 ms compiled once. `CompiledQuery` asks the
ORM for the SQL, the backend's converters and the model populators on a connection's first call, then
executes that SQL with the call's values and builds the instances as `ModelIterable` does
(`Model.from_db`, `select_related` populated). The SQL stays the ORM's own, on every backend.

The values must be the query's only parameters, in order: `build(*values)` returns the queryset, and
`fields[i]` prepares `values[i]` for the database as a lookup on that field would. The first call
checks that the compiled parameters are exactly those values, so a queryset that adds one of its
own (a constant in a filter) fails at once, on every backend the tests run on.
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
    converters: dict
    compiler: object
    model: type[Model]
    start: int
    end: int
    init_list: list[str]
    populators: list


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], *, fields: Sequence[Field], using: str = "default"):
        self.build = build
        self.fields = tuple(fields)
        self.using = using
        # Per connection object (one a thread): converters are bound to their connection's operations.
        self._plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _params(self, connection, values: Sequence) -> list:
        pairs = zip(self.fields, values, strict=True)
        return [field.get_db_prep_value(value, connection, prepared=False) for field, value in pairs]

    def _plan(self, connection, values: Sequence, params: list) -> _Plan:
        compiler = self.build(*values).query.get_compiler(connection=connection)
        sql, compiled_params = compiler.as_sql()
        if list(compiled_params) != params:
            raise ImproperlyConfigured(
                f"CompiledQuery: the queryset's parameters {compiled_params!r} are not the values given {params!r}."
            )
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Plan(
            sql=sql,
            converters=compiler.get_converters([column for column, _, _ in select]),
            compiler=compiler,
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[column.target.attname for column, _, _ in select[start:end]],
            populators=get_related_populators(klass_info, select, self.using),
        )

    def all(self, *values) -> list[Model]:
        """The instances the queryset built from `values` would give."""
        if len(values) != len(self.fields):
            raise TypeError(f"CompiledQuery takes {len(self.fields)} values, {len(values)} given.")
        connection = connections[self.using]
        params = self._params(connection, values)
        plan = self._plans.get(connection)
        if plan is None:
            plan = self._plans[connection] = self._plan(connection, values, params)
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
            found.append(instance)
        return found

    def first(self, *values) -> Model | None:
        """The first instance (the queryset's own ordering and limit apply), or None."""
        found = self.all(*values)
        return found[0] if found else None

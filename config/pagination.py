from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination as BaseLimitOffsetPagination

from config.serializers import is_query_int


def _query_int(request, name: str, *, minimum: int, default: int) -> int:
    """An integer query parameter; absent or empty gives the default, anything else not an integer is a 400."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    if not is_query_int(raw):
        raise serializers.ValidationError({name: ["A valid integer is required."]})
    try:
        return serializers.IntegerField(min_value=minimum).run_validation(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from exc


class LimitOffsetPagination(BaseLimitOffsetPagination):
    """`?limit=&offset=` with a ceiling so one request cannot ask for everything.

    DRF falls back to the defaults on a malformed value; here it is a 400, as for any bad input.
    """

    default_limit = 20
    max_limit = 100

    def get_limit(self, request):
        return min(_query_int(request, self.limit_query_param, minimum=1, default=self.default_limit), self.max_limit)

    def get_offset(self, request):
        return _query_int(request, self.offset_query_param, minimum=0, default=0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            # An empty value means the default, as it does for DRF.
            parameter["allowEmptyValue"] = True
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = f"Results per page: 1 or more, at most {self.max_limit} (more is capped)."
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"]["minimum"] = 0
        return parameters

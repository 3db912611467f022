from rest_framework.pagination import LimitOffsetPagination as BaseLimitOffsetPagination


class LimitOffsetPagination(BaseLimitOffsetPagination):
    """`?limit=&offset=` with a ceiling so one request cannot ask for everything."""

    default_limit = 20
    max_limit = 100

"""Errors Django itself produces on /api/ paths (no route, a crash outside DRF) as the envelope."""

import logging

from django.http import JsonResponse

from config.exceptions import envelope

logger = logging.getLogger("parley.api")

_MESSAGES = {
    404: ("Not found.", "not_found"),
    405: ("Method not allowed.", "method_not_allowed"),
    400: ("Bad request.", "bad_request"),
    403: ("Forbidden.", "forbidden"),
}


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _is_api(request) -> bool:
        return request.path.startswith("/api/v1/")

    def __call__(self, request):
        response = self.get_response(request)
        if (
            self._is_api(request)
            and response.status_code in _MESSAGES
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message, code = _MESSAGES[response.status_code]
            return JsonResponse(envelope(message, code), status=response.status_code)
        return response

    def process_exception(self, request, exception):
        if not self._is_api(request):
            return None
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return JsonResponse(
            envelope("Something went wrong on our side. Please retry later.", "server_error"),
            status=500,
        )

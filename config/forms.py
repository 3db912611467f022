"""What every page form shares."""

from config.exceptions import ParleyError


def form_error_add(form, exc: ParleyError) -> None:
    """Show a service's refusal on the form: on the fields it names, else above the form."""
    named = {field: messages for field, messages in (exc.fields or {}).items() if field in form.fields}
    for field, messages in named.items():
        form.add_error(field, messages)
    if not named:
        form.add_error(None, exc.message)

from config.exceptions import NotFound, ParleyError


class TemplateNotFound(NotFound):
    code = "template_not_found"
    default_message = "No active template with this slug."


class TemplateContentInvalid(ParleyError):
    """One or more template files break the schema; `errors` holds one line per problem."""

    code = "template_content_invalid"
    default_message = "Template content is invalid; nothing was loaded."

    def __init__(self, *, errors: list[str]):
        self.errors = errors
        super().__init__(f"{self.default_message}\n" + "\n".join(errors))

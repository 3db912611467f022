"""Partner replies as safe HTML: a small Markdown subset, rendered then sanitised.

Models write lists, bold and inline code; the learner should see them formatted, never as
asterisks. The subset (paragraphs, line breaks, emphasis, inline code, lists) matches the
client-side renderer in config/static/js/markdown.js, so a reply looks the same streamed and
reloaded. Raw HTML in the text is never passed through: markdown-it escapes it, nh3 removes
anything that slipped by.
"""

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("zero", {"html": False, "breaks": True}).enable(
    ["emphasis", "backticks", "list", "newline", "escape"]
)
_TAGS = {"p", "br", "strong", "em", "code", "ul", "ol", "li"}


def markdown_html(text: str) -> str:
    """The sanitised HTML of a Markdown text."""
    return nh3.clean(_renderer.render(text), tags=_TAGS, attributes={"ol": {"start"}}, link_rel=None)

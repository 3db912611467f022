"""The assistant's tools, shared by the in-app agent and the MCP server."""

import ai
from assistant.tools import definitions  # noqa: F401 (registers the tools)
from assistant.tools.registry import TOOLS, ToolResult, ToolSpec, tool_run


def llm_tools() -> list[ai.Tool]:
    """Every tool as the gateway hands it to a provider."""
    return [spec.as_llm_tool() for spec in TOOLS.values()]


__all__ = ["TOOLS", "ToolResult", "ToolSpec", "llm_tools", "tool_run"]

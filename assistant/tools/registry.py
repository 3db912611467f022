"""How a tool is declared, described to a model, and run for one user without ever raising."""

import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

import ai
from config.exceptions import ParleyError

logger = logging.getLogger("parley.tools")


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool: a keyword-only function of `user` and typed arguments, returning JSON-ready data."""

    name: str
    description: str
    fn: Callable[..., dict[str, Any]]
    args_model: type[BaseModel]

    @property
    def parameters(self) -> dict[str, Any]:
        """The arguments' JSON schema, as providers and MCP clients read it."""
        return self.args_model.model_json_schema()

    @property
    def signature(self) -> inspect.Signature:
        """The function's signature without `user`: what an outside agent may pass."""
        params = [p for name, p in inspect.signature(self.fn).parameters.items() if name != "user"]
        return inspect.Signature(params, return_annotation=str)

    def as_llm_tool(self) -> ai.Tool:
        return ai.Tool(name=self.name, description=self.description, parameters=self.parameters)


@dataclass(frozen=True, slots=True)
class ToolResult:
    name: str
    arguments: dict[str, Any]
    data: dict[str, Any] | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def content(self) -> str:
        """What goes back to the model: the data, or `{"error": ...}` so it can correct itself."""
        body = self.data if self.ok else {"error": self.error}
        return json.dumps(body, ensure_ascii=False, default=str)


TOOLS: dict[str, ToolSpec] = {}


def tool(description: str) -> Callable[[Callable[..., dict]], Callable[..., dict]]:
    """Register a function as a tool; its keyword-only parameters other than `user` become its arguments."""

    def register(fn: Callable[..., dict]) -> Callable[..., dict]:
        fields: dict[str, Any] = {}
        for name, param in inspect.signature(fn).parameters.items():
            if name == "user":
                continue
            default = ... if param.default is inspect.Parameter.empty else param.default
            fields[name] = (param.annotation, default)
        model = create_model(
            f"{fn.__name__.title().replace('_', '')}Arguments",
            __config__=ConfigDict(extra="forbid"),
            **fields,
        )
        TOOLS[fn.__name__] = ToolSpec(name=fn.__name__, description=description, fn=fn, args_model=model)
        return fn

    return register


def _validation_message(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "arguments"
        problems.append(f"{where}: {error['msg']}")
    return "Invalid arguments. " + "; ".join(problems)


def tool_run(*, user, name: str, arguments: Any) -> ToolResult:
    """Run one tool for `user`; unknown tools, bad arguments and refused actions become error results."""
    spec = TOOLS.get(name)
    given = arguments if isinstance(arguments, dict) else {}
    if spec is None:
        return ToolResult(name=name, arguments=given, error=f"Unknown tool {name!r}. Known: {', '.join(TOOLS)}.")
    if not isinstance(arguments, dict):
        return ToolResult(name=name, arguments=given, error="Arguments must be a JSON object.")
    try:
        validated = spec.args_model.model_validate(arguments)
    except ValidationError as exc:
        return ToolResult(name=name, arguments=given, error=_validation_message(exc))
    try:
        data = spec.fn(user=user, **validated.model_dump())
    except ParleyError as exc:
        return ToolResult(name=name, arguments=given, error=exc.message)
    except Exception:
        # The boundary between a model (or an outside agent) and our services: log once, answer an error.
        logger.exception("tool %s failed for user %s with %r", name, getattr(user, "pk", None), arguments)
        return ToolResult(name=name, arguments=given, error="The tool failed on our side; try again later.")
    return ToolResult(name=name, arguments=given, data=data)

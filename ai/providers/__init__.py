"""Pick providers from settings; adapters import their SDK only when a deployment uses them."""

from importlib import import_module

from django.conf import settings

from ai.providers.base import Completion, Provider, ProviderCall, Usage
from ai.providers.offline import OfflineProvider

__all__ = ["Completion", "Provider", "ProviderCall", "Usage", "primary_name", "provider_chain", "provider_named"]

_ADAPTERS = {
    "openai": ("ai.providers.openai", "OpenAIProvider", "OPENAI_API_KEY"),
    "mistral": ("ai.providers.mistral", "MistralProvider", "MISTRAL_API_KEY"),
}


def primary_name() -> str:
    """LLM_PROVIDER when set; otherwise the provider whose key is present; otherwise offline."""
    if settings.LLM_PROVIDER:
        return settings.LLM_PROVIDER
    if settings.OPENAI_API_KEY:
        return "openai"
    if settings.MISTRAL_API_KEY:
        return "mistral"
    return "offline"


def provider_named(name: str, *, model: str = "", base_url: str = "") -> Provider:
    if name == "offline":
        return OfflineProvider()
    module, cls, key_setting = _ADAPTERS[name]
    # A local OpenAI-compatible server needs no key, but the SDKs insist on one.
    api_key = getattr(settings, key_setting) or "unused"
    return getattr(import_module(module), cls)(model=model, api_key=api_key, base_url=base_url or None)


def provider_chain() -> list[Provider]:
    """The primary provider (LLM_MODEL, LLM_BASE_URL) then each LLM_FALLBACKS entry (`name` or `name:model`)."""
    chain = [provider_named(primary_name(), model=settings.LLM_MODEL, base_url=settings.LLM_BASE_URL)]
    for entry in settings.LLM_FALLBACKS:
        name, _, model = entry.partition(":")
        chain.append(provider_named(name.strip(), model=model.strip()))
    return chain

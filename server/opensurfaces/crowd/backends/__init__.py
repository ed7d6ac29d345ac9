"""Marketplace backends behind one interface (base.MarketplaceBackend)."""

from opensurfaces.crowd.backends.base import MarketplaceBackend


def get_backend(marketplace: str, *, sandbox: bool) -> MarketplaceBackend:
    """Return the backend for a marketplace name (crowd.models.Marketplace)."""
    if marketplace == "local":
        from opensurfaces.crowd.backends.local import LocalBackend

        return LocalBackend(sandbox=sandbox)
    if marketplace == "mturk":
        from opensurfaces.crowd.backends.mturk import MTurkBackend

        return MTurkBackend(sandbox=sandbox)
    raise ValueError(f"unknown marketplace {marketplace!r}")

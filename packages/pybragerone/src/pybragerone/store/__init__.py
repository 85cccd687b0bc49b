"""Stores that consume the EventBus: latest values (ParamStore) and families (StateStore)."""

from pybragerone.store.param import ParamStore
from pybragerone.store.state import FamilyState, StateStore

__all__ = ["FamilyState", "ParamStore", "StateStore"]

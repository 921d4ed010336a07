"""Every check module is registered, named, and documented with its examples."""

from __future__ import annotations

import importlib
import pkgutil

import generator.checks as checks


def test_every_check_module_is_registered() -> None:
    modules = [m.name for m in pkgutil.iter_modules(checks.__path__) if not m.name.startswith("_")]
    assert modules
    names = set()
    for name in modules:
        mod = importlib.import_module(f"generator.checks.{name}")
        assert hasattr(mod, "NAME") and hasattr(mod, "check"), name
        assert checks.REGISTRY.get(mod.NAME) is mod.check, f"{name} is not in checks.REGISTRY"
        names.add(mod.NAME)
    assert names == set(checks.REGISTRY)


def test_every_check_documents_itself() -> None:
    for name in checks.REGISTRY:
        module = next(
            importlib.import_module(f"generator.checks.{m.name}")
            for m in pkgutil.iter_modules(checks.__path__)
            if getattr(importlib.import_module(f"generator.checks.{m.name}"), "NAME", None) == name
        )
        doc = module.__doc__ or ""
        assert doc.startswith(name), f"{module.__name__}: docstring must start with its NAME"
        assert len(doc.splitlines()) >= 3

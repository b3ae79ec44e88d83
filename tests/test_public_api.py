"""Each package's ``__all__`` is its public surface: it names only things that exist, every name
in it can be imported from the package, and nothing else public leaks from the package."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

PACKAGES = [
    "golive.alerts",
    "golive.config",
    "golive.engine",
    "golive.notify",
    "golive.probes",
    "golive.records",
    "golive.scale",
    "golive.serve",
    "golive.store",
    "golive.web",
]


def package(name: str) -> ModuleType:
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list), f"{name} has no __all__ list"
    return module


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_only_things_that_exist(name: str) -> None:
    module = package(name)
    missing = [item for item in module.__all__ if not hasattr(module, item)]
    assert not missing, f"{name}.__all__ names what the package does not have: {missing}"


@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_each_name_once(name: str) -> None:
    names = package(name).__all__
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_importable_from_the_package(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(package(name).__all__) <= set(namespace)


@pytest.mark.parametrize("name", PACKAGES)
def test_nothing_public_is_left_out_of_all(name: str) -> None:
    module = package(name)
    public = {
        item
        for item, value in vars(module).items()
        if not item.startswith("_")
        and not inspect.ismodule(value)  # submodules appear once they are imported
        and type(value).__module__ != "__future__"  # `from __future__ import annotations`
    }
    extra = public - set(module.__all__)
    assert not extra, f"{name} exposes names that are not in __all__: {sorted(extra)}"

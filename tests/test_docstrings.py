"""The examples in the package's docstrings run and print what they say (doctest)."""

import doctest
import importlib
import pkgutil
import warnings

import matplotlib
import pytest

import clusterdiscovery

matplotlib.use("Agg")

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(clusterdiscovery.__path__, "clusterdiscovery.")
    if not m.name.endswith("__main__")
)


def _with_examples():
    out = []
    finder = doctest.DocTestFinder()
    for name in MODULES:
        module = importlib.import_module(name)
        if any(t.examples for t in finder.find(module, name)):
            out.append(name)
    return out


WITH_EXAMPLES = _with_examples()


def test_the_package_has_examples():
    assert len(WITH_EXAMPLES) >= 10


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS
                                 | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"

"""Where the data shipped with the package live: ``clusterdiscovery/data/`` (package data).

The sample population (``data/sample/``) and the published data sets with their reference
numbers (``data/published/``) are installed with the package, so ``pip install .`` (not only
an editable install) can load them; they are found with :mod:`importlib.resources`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["package_data_dir", "sample_files"]


def package_data_dir(name: str) -> Path:
    """The folder ``clusterdiscovery/data/<name>`` of the installed package, as a path.

    Raises
    ------
    FileNotFoundError
        If the package is installed without its data (e.g. imported from a zip file), with
        how to get it.
    """
    folder = resources.files("clusterdiscovery").joinpath("data", name)
    if not isinstance(folder, Path) or not folder.is_dir():
        raise FileNotFoundError(
            f"The package data folder clusterdiscovery/data/{name} is not on disk ({folder}); "
            f"install clusterdiscovery from a wheel or source tree (pip install .), not as a "
            f"zip file."
        )
    return folder


def sample_files(path, files) -> Path:
    """The folder holding the sample's extra ``files`` (``path``, or the package's sample),
    refusing a wrong type or a missing file with the command that regenerates them."""
    from os import PathLike

    if path is not None and not isinstance(path, str | PathLike):
        raise TypeError(f"The 'path' parameter must be a folder path; got "
                        f"{type(path).__name__}.")
    folder = package_data_dir("sample") if path is None else Path(path)
    missing = [f for f in files if not (folder / f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{', '.join(missing)} not found in {folder}; regenerate the sample with "
            "`python -m clusterdiscovery.datasets.make_sample`.")
    return folder

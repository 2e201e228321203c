"""Build hook of the compiled wheel: ``src/java_datastream/_speedups.c`` as an extension.

Off by default, like the mypyc hook beside it (``HATCH_BUILD_HOOKS_ENABLE=1`` turns both
on), so the sdist still builds the pure ``py3-none-any`` wheel anywhere. setuptools'
``build_ext`` finds the platform's compiler and flags, as it does for any extension.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "src/java_datastream/_speedups.c"
NAME = "java_datastream._speedups"


class SpeedupsBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile the C accelerator and put it in the wheel beside the mypyc modules."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from setuptools import Distribution, Extension
        from setuptools.command.build_ext import build_ext

        self._temp = tempfile.mkdtemp(prefix="java-datastream-speedups-")
        extension = Extension(NAME, [str(Path(self.root) / SOURCE)])
        command = build_ext(Distribution({"name": NAME, "ext_modules": [extension]}))
        command.build_lib = str(Path(self._temp) / "lib")
        command.build_temp = str(Path(self._temp) / "temp")
        command.ensure_finalized()
        command.run()
        built = Path(command.get_ext_fullpath(NAME))
        build_data["force_include"][str(built)] = f"java_datastream/{built.name}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        temp = getattr(self, "_temp", None)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)

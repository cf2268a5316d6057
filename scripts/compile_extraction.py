"""Compile stage 1's hot path with mypyc into claims/extraction/_native/ (see its native.py).

Run by scripts/bootstrap.sh, so by every make command: it does nothing while the build is
current (same sources, same Python), and rebuilds when a compiled module's source changed.
Optional: where mypyc or a C compiler is missing, or the build fails, it says so in one line
and the extraction package runs as pure Python (exit status 0, unless --require).
Usage: python scripts/compile_extraction.py [--force] [--require]
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
# mypyc type-checks what it compiles with its own settings: the project's mypy configuration
# loads the Django plugin, which the Django-free engine does not need.
MYPY_CONFIG = """\
[mypy]
python_version = 3.11
strict_optional = True
disallow_untyped_defs = True
"""


def load_native() -> ModuleType:
    """claims/extraction/native.py on its own, without importing (and activating) the package."""
    spec = importlib.util.spec_from_file_location(
        "_factcheck_native", ROOT / "claims" / "extraction" / "native.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def build_into(work: Path) -> None:
    """The child process: compile the modules, extension files under ``work / "lib"``."""
    from mypyc.build import mypycify
    from setuptools import Distribution

    native = load_native()
    config = work / "mypy.ini"
    config.write_text(MYPY_CONFIG, encoding="utf-8")
    paths = [f"claims/extraction/{name}.py" for name in native.COMPILED_MODULES]
    extensions = mypycify(
        [f"--config-file={config}", *paths],
        opt_level="3",
        group_name=native.GROUP_NAME,
        target_dir=str(work / "c"),
    )
    distribution = Distribution({"name": "factcheck-extraction-native", "ext_modules": extensions})
    command = distribution.get_command_obj("build_ext")
    command.build_lib = str(work / "lib")  # type: ignore[attr-defined]
    command.build_temp = str(work / "tmp")  # type: ignore[attr-defined]
    distribution.run_command("build_ext")


def compile_extraction(force: bool = False) -> str | None:
    """Build and install the compiled modules when stale; None on success, else why not."""
    native = load_native()
    if not force and native.why_not(switch=False) is None:
        return None
    if importlib.util.find_spec("mypyc") is None or importlib.util.find_spec("setuptools") is None:
        return "mypyc or setuptools is not installed"
    before = native.expected_manifest()
    with tempfile.TemporaryDirectory(prefix="factcheck-native-") as temporary:
        work = Path(temporary)
        done = subprocess.run(
            [sys.executable, __file__, "--build-into", str(work)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            return "the build failed: " + (lines[-1] if lines else f"exit {done.returncode}")
        if native.expected_manifest() != before:
            return "a source changed during the build; run it again"
        built = work / "lib" / "claims" / "extraction"
        staged = native.BUILD_DIR.with_name("_native.new")
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir()
        for extension in built.iterdir():
            shutil.copy2(extension, staged / extension.name)
        (staged / native.MANIFEST).write_text(json.dumps(before, indent=1), encoding="utf-8")
        shutil.rmtree(native.BUILD_DIR, ignore_errors=True)
        staged.rename(native.BUILD_DIR)
    return native.why_not(switch=False)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--build-into"]:
        build_into(Path(argv[1]))
        return 0
    started = time.perf_counter()
    stale = load_native().why_not(switch=False) is not None
    reason = compile_extraction(force="--force" in argv)
    if reason is not None:
        print(f"Extraction runs as pure Python: {reason}.", file=sys.stderr)
        return 1 if "--require" in argv else 0
    if stale or "--force" in argv:
        print(
            f"Compiled the extraction hot path with mypyc ({time.perf_counter() - started:.0f} s)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

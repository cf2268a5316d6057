"""Compile stage 1's hot path with mypyc into claims/extraction/_native/ (see its native.py).

Run by scripts/bootstrap.sh (so by make run, test, lint and bench): it does nothing while the
build is current (the package's sources, this Python, the same mypy and settings), and rebuilds
when any of them changed. Optional: where mypyc or a C compiler is missing, or the build fails,
it says so in one line and the extraction package runs as pure Python (exit status 0, unless
--require).
Usage: python scripts/compile_extraction.py [--force] [--require]
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

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
        # Its own cache: `make lint`'s mypy runs with other settings and would invalidate it.
        [f"--config-file={config}", f"--cache-dir={work / 'cache'}", *paths],
        opt_level="3",
        group_name=native.GROUP_NAME,
        target_dir=str(work / "c"),
    )
    distribution = Distribution({"name": "factcheck-extraction-native", "ext_modules": extensions})
    command = distribution.get_command_obj("build_ext")
    command.build_lib = str(work / "lib")  # type: ignore[attr-defined]
    command.build_temp = str(work / "tmp")  # type: ignore[attr-defined]
    distribution.run_command("build_ext")


def builder() -> dict[str, Any]:
    """What the build was made with: a new mypy or other settings call for a new build."""
    return {
        "mypy": importlib.metadata.version("mypy"),
        "config_sha256": hashlib.sha256(MYPY_CONFIG.encode()).hexdigest(),
    }


def stale(native: ModuleType) -> bool:
    """Whether the installed build is missing, out of date, or made by another builder."""
    if native.why_not(switch=False) is not None:
        return True
    try:
        found = json.loads((native.BUILD_DIR / native.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return bool(found.get("builder") != builder())


def c_compiler() -> str | None:
    """The C compiler setuptools will call (CC, else the one Python was built with), if here."""
    command = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    words = shlex.split(command)
    return shutil.which(words[0]) if words else None


def compile_extraction(force: bool = False) -> str | None:
    """Build and install the compiled modules when stale; None on success, else why not."""
    native = load_native()
    if importlib.util.find_spec("mypyc") is None or importlib.util.find_spec("setuptools") is None:
        return "mypyc or setuptools is not installed"
    if not force and not stale(native):
        return None
    if c_compiler() is None:
        return "no C compiler (set CC, or install gcc)"
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
        staged: Path | None = None
        try:
            # Staged in a folder of its own, then renamed into place: a build running at the
            # same time (make run and make test after a pull) never sees half of this one.
            staged = Path(tempfile.mkdtemp(prefix="_native.", dir=native.PACKAGE_DIR))
            for extension in built.iterdir():
                shutil.copy2(extension, staged / extension.name)
            manifest = {**before, "builder": builder()}
            (staged / native.MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")
            shutil.rmtree(native.BUILD_DIR, ignore_errors=True)
            staged.rename(native.BUILD_DIR)
        except OSError as error:
            if staged is not None:
                shutil.rmtree(staged, ignore_errors=True)
            # Another build may have just put an equal one in place.
            if native.why_not(switch=False) is None:
                return None
            return f"could not install the build: {error}"
    return native.why_not(switch=False)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--build-into"]:
        build_into(Path(argv[1]))
        return 0
    started = time.perf_counter()
    native = load_native()
    was_stale = "--force" in argv or stale(native)
    reason = compile_extraction(force="--force" in argv)
    if reason is not None:
        in_use = native.why_not()
        now = "an earlier build stays in use" if in_use is None else "it runs as pure Python"
        print(f"Extraction not compiled ({reason}): {now}.", file=sys.stderr)
        return 1 if "--require" in argv else 0
    if was_stale:
        took = time.perf_counter() - started
        print(f"Compiled the extraction hot path with mypyc ({took:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

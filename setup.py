"""Build script: metadata lives in setup.cfg; this adds the optional compiled kernels (`_scorer_kernels.pyx`).

The kernels are built with Cython where a C compiler works. Where it does not (no compiler, no Python headers,
no Cython), the build prints one notice and the package installs without them: the pure-Python twins in the
package give the same results, only slower (docs/performance.md, "Compiled kernels").
"""
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

KERNELS = "_scorer_kernels"


def _notice(reason: object) -> None:
    if isinstance(reason, BaseException):
        reason = f"{type(reason).__name__}: {reason}"
    reason = " ".join(str(reason).split())
    reason = reason if len(reason) <= 120 else reason[:117] + "..."
    print(f"attribution-scorer: compiled kernels not built ({reason}); using the pure-Python code", file=sys.stderr)


class OptionalBuildExt(build_ext):
    """build_ext that never fails the install: a kernel that cannot be compiled is left out with a notice."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any build failure means: install without the kernels
            _notice(exc)

    def build_extension(self, ext):
        # no fused multiply-add: the kernels' sums must give the bits of their numpy twins, and a compiler allowed to
        # contract a * b + c (GCC's default, with CFLAGS such as -march=native) rounds once instead of twice
        if getattr(self.compiler, "compiler_type", "") != "msvc" and "-ffp-contract=off" not in ext.extra_compile_args:
            ext.extra_compile_args = [*ext.extra_compile_args, "-ffp-contract=off"]
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            _notice(exc)


def _extensions() -> list:
    try:
        from Cython.Build import cythonize
    except ImportError as exc:
        _notice(f"Cython is not installed: {exc}")
        return []
    try:
        return cythonize([Extension(KERNELS, [f"{KERNELS}.pyx"])], language_level=3, quiet=True)
    except Exception as exc:  # noqa: BLE001
        _notice(exc)
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})

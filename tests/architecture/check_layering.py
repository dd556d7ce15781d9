#!/usr/bin/env python3
"""Checks that every #include of a Tutela header respects the module map in cmake/TutelaModules.cmake.

A file under include/tutela/<m>/ or src/<m>/ may include "tutela/<x>/..." only when x == m or x is listed in
TUTELA_LAYER_<m>. Library code may never include the CLI (apps/). Prints one line per violation, exits 1 if any.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
layers = {}
for match in re.finditer(r"^set\(TUTELA_LAYER_(\w+)\s*([^)]*)\)", (root / "cmake/TutelaModules.cmake").read_text(), re.M):
    layers[match.group(1)] = set(match.group(2).split())

include_re = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
violations = []
checked = 0
for base in (root / "include" / "tutela", root / "src"):
    for path in sorted(base.rglob("*")):
        if path.suffix not in (".h", ".cc", ".hpp", ".cpp"):
            continue
        module = path.relative_to(base).parts[0]
        if module not in layers:
            violations.append(f"{path.relative_to(root)}: module '{module}' is not in cmake/TutelaModules.cmake; add it there.")
            continue
        checked += 1
        text = path.read_text(errors="replace")
        for include in include_re.finditer(text):
            target = include.group(1)
            line = text.count("\n", 0, include.start()) + 1
            if target.startswith("tutela/"):
                used = target.split("/")[1]
                if used != module and used not in layers[module]:
                    violations.append(f"{path.relative_to(root)}:{line}: module '{module}' includes {target}, but may only "
                                      f"depend on {sorted(layers[module]) or 'nothing'}; move the shared piece down a layer.")
            elif target.startswith("apps/") or target in ("cli.h", "commands.h"):
                violations.append(f"{path.relative_to(root)}:{line}: library code includes the CLI ({target}); "
                                  "engines never depend on apps/.")

for violation in violations:
    print(violation)
print(f"layering: {checked} files checked, {len(violations)} violation(s)")
sys.exit(1 if violations else 0)

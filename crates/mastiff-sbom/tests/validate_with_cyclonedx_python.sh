#!/usr/bin/env bash
# Independent consumer check: validates the CycloneDX 1.6 SBOMs mastiff-sbom generates with the
# `cyclonedx-python-lib` JSON validator from PyPI (the CycloneDX project's own library).
#
# Usage: crates/mastiff-sbom/tests/validate_with_cyclonedx_python.sh [SBOM_DIR]
# Without SBOM_DIR, the SBOMs are generated first by the schema test
# (MASTIFF_SBOM_OUT=DIR cargo test -p mastiff-sbom --test cyclonedx_schema): one synthetic app
# covering every detection tier and vulnerabilities, plus every corpus APK and ApiDemos present.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

out="${1:-}"
if [ -z "$out" ]; then
  out="$work/sboms"
  (cd "$repo" && MASTIFF_SBOM_OUT="$out" cargo test -q --locked -p mastiff-sbom --test cyclonedx_schema >/dev/null)
fi
shopt -s nullglob
files=("$out"/*.json)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no SBOM files in $out" >&2
  exit 1
fi

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q 'cyclonedx-python-lib[json-validation]'
"$work/venv/bin/python" - "${files[@]}" <<'PY'
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

validator = JsonStrictValidator(SchemaVersion.V1_6)
passed = failed = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        error = validator.validate_str(f.read())
    if error is None:
        passed += 1
    else:
        failed += 1
        print(f"INVALID {path}: {error}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY

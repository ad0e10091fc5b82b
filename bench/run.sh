#!/usr/bin/env bash
# Scan-speed report: the full `mastiff scan` (all rules, code index included) against the floor
# "list the archive and inflate every entry once", against androguard's full analysis
# (`AnalyzeAPK`), and its peak memory against "APK size + 2 x uncompressed dex size", on ordinary
# apps (npm: ApiDemos, Appium Settings, UiAutomator2 server: the yardstick, 16 dex), Debian's
# framework-res.apk and every APK of the shared corpus.
#
# Usage: bench/run.sh     (ONLY=regex selects APKs by name; RUNS=N best-of-N for mastiff, default 10; AG_RUNS=N for androguard,
#                          default 3, 1 for APKs over AG_BIG_MB=5 MB; NO_ANDROGUARD=1 skips it)
# Writes bench/results.md and prints the same table. A MISS against a target is reported, not an
# error: this is a report, not a test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-10}"
CACHE="$ROOT/bench/.cache"
CORPUS="$ROOT/../shared/corpus/apps"
FRAMEWORK_RES=/usr/share/android-framework-res/framework-res.apk
OUT="$ROOT/bench/results.md"
TARGET_RATIO=3      # scan / floor, at most (issue 3)
TARGET_AG=50        # androguard / scan, at least (issue 3)
AG_RUNS="${AG_RUNS:-3}"
TARGET_SBOM=20
AG_BIG_MB="${AG_BIG_MB:-5}"
AG_VENV="$CACHE/agvenv"

log() { echo "bench: $*" >&2; }

# --- inputs -------------------------------------------------------------------------------
mkdir -p "$CACHE/apks"
for pkg in android-apidemos io.appium.settings appium-uiautomator2-server; do
    if ! ls "$CACHE/$pkg"-[0-9]*.tgz >/dev/null 2>&1; then
        log "fetching $pkg"
        (cd "$CACHE" && npm pack --silent "$pkg" >/dev/null) || log "npm pack $pkg failed; skipping it"
    fi
done
for tgz in "$CACHE"/*.tgz; do
    [ -e "$tgz" ] || continue
    for member in $(tar -tzf "$tgz" | grep '\.apk$' || true); do
        dest="$CACHE/apks/$(basename "$member")"
        [ -s "$dest" ] || tar -xzOf "$tgz" "$member" >"$dest"
    done
done

if [ ! -e "$FRAMEWORK_RES" ] && [ "$(id -u)" = 0 ]; then
    log "installing android-framework-res"
    apt-get install -y android-framework-res >/dev/null 2>&1 || log "could not install android-framework-res"
fi
if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y hyperfine >/dev/null 2>&1 || log "no hyperfine; timing processes with date"
fi
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ]; then
    apt-get install -y time >/dev/null 2>&1 || log "no /usr/bin/time; peak RSS not measured"
fi

# androguard in a throw-away venv (bench/.cache is gitignored).
if [ -z "${NO_ANDROGUARD:-}" ] && [ ! -x "$AG_VENV/bin/python" ]; then
    log "creating androguard venv in $AG_VENV"
    { python3 -m venv "$AG_VENV" && "$AG_VENV/bin/pip" install -q androguard; } >&2 ||
        { log "androguard install failed; its column will read n/a"; rm -rf "$AG_VENV"; }
fi
AG_VERSION="$("$AG_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("androguard"))' 2>/dev/null || echo n/a)"

apks=()
for f in "$CACHE"/apks/*.apk; do [ -e "$f" ] && apks+=("$f"); done
[ -e "$FRAMEWORK_RES" ] && apks+=("$FRAMEWORK_RES")
for f in "$CORPUS"/*.apk; do [ -e "$f" ] && apks+=("$f"); done
if [ -n "${ONLY:-}" ]; then  # ONLY=regex: measure only the APKs whose file name matches
    sel=()
    for f in "${apks[@]}"; do [[ "$(basename "$f")" =~ $ONLY ]] && sel+=("$f"); done
    apks=("${sel[@]}")
fi
if [ "${#apks[@]}" = 0 ]; then
    log "no APKs found"
    exit 1
fi

# --- build --------------------------------------------------------------------------------
log "building (release)"
cargo build --release -q -p mastiff-cli
cargo build --release -q -p mastiff-formats --example inflate_floor
cargo build --release -q -p mastiff-cli --example scan_timing
cargo build --release -q -p mastiff-code --example index_timing
MASTIFF="$ROOT/target/release/mastiff"
FLOOR="$ROOT/target/release/examples/inflate_floor"
SCAN="$ROOT/target/release/examples/scan_timing"
INDEX="$ROOT/target/release/examples/index_timing"

# --- measure ------------------------------------------------------------------------------
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"; }

# Best-of-RUNS wall time of one `mastiff scan --format json` process, in ms.
process_ms() {
    local apk="$1"
    if command -v hyperfine >/dev/null; then
        local json
        json="$(mktemp)"
        hyperfine -N -i -w 2 -r "$RUNS" --export-json "$json" \
            "$MASTIFF scan --format json $apk" >/dev/null 2>&1
        python3 -c 'import json,sys; print("%.1f" % (min(json.load(open(sys.argv[1]))["results"][0]["times"])*1e3))' "$json"
        rm -f "$json"
    else
        local best="" t0 t1 ms
        for _ in $(seq "$RUNS"); do
            t0=$(date +%s%N)
            "$MASTIFF" scan --format json "$apk" >/dev/null 2>&1 || true
            t1=$(date +%s%N)
            ms=$(( (t1 - t0) / 1000 ))
            if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
        done
        awk -v us="$best" 'BEGIN { printf "%.1f\n", us / 1000 }'
    fi
}

peak_rss_mb() {
    if [ -x /usr/bin/time ]; then
        local f
        f="$(mktemp)"
        /usr/bin/time -o "$f" -f %M "$MASTIFF" scan --format json "$1" >/dev/null 2>&1 || true
        # With a non-zero exit, time prints a status line first: the number is on the last line.
        awk '{ kb = $1 } END { printf "%.1f\n", kb / 1024 }' "$f"
        rm -f "$f"
    else
        echo "n/a"
    fi
}

# Best-of-N androguard AnalyzeAPK(path), in its own python process, in ms ("n/a" if unavailable).
androguard_ms() {
    local apk="$1" runs="$AG_RUNS" out
    if [ -n "${NO_ANDROGUARD:-}" ] || [ ! -x "$AG_VENV/bin/python" ]; then
        echo n/a
        return
    fi
    if awk -v b="$(stat -c %s "$apk")" -v m="$AG_BIG_MB" 'BEGIN { exit !(b > m * 1048576) }'; then
        runs=1
    fi
    out="$("$AG_VENV/bin/python" "$ROOT/bench/androguard_time.py" "$apk" "$runs" 2>/dev/null)" || { echo n/a; return; }
    echo "$out" | field best_ms
}

# Total uncompressed size of the classes*.dex entries Android loads, in bytes.
dex_bytes() {
    python3 - "$1" <<'PY'
import re, sys, zipfile
try:
    with zipfile.ZipFile(sys.argv[1]) as z:
        print(sum(i.file_size for i in z.infolist() if re.fullmatch(r"classes\d*\.dex", i.filename)))
except Exception:
    print(0)
PY
}

# PASS when a <= b (or a >= b with ge), "n/a" when either is not a number.
verdict() {
    awk -v a="$1" -v b="$2" -v op="${3:-le}" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/) { print "n/a"; exit }
        ok = (op == "ge") ? (a + 0 >= b + 0) : (a + 0 <= b + 0)
        print ok ? "PASS" : "MISS" }'
}

tool_hyperfine="$(command -v hyperfine >/dev/null && hyperfine --version || echo 'date +%s%N loop')"
{
    echo "# mastiff scan speed"
    echo
    echo "Generated by \`bench/run.sh\` (best of $RUNS runs). Do not edit by hand."
    echo
    echo "- commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo ' (+ uncommitted changes)')"
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
    echo "- $(rustc --version)"
    echo "- process timing: $tool_hyperfine; peak RSS: /usr/bin/time -f %M"
    echo "- androguard $AG_VERSION (python $(python3 -c 'import platform; print(platform.python_version())')), best of $AG_RUNS (1 above $AG_BIG_MB MB)"
    echo
    echo "Columns:"
    echo "- **dex MB**: uncompressed size of the \`classes*.dex\` entries (python zipfile);"
    echo "- **floor**: in process, list the archive and inflate every entry once through \`EntryCache\`"
    echo "  (\`crates/mastiff-formats/examples/inflate_floor.rs\`), bytes already in memory;"
    echo "- **scan**: in process, the full scan (every rule, code index, SBOM) with \`scan_bytes\` on the"
    echo "  same bytes (\`crates/mastiff-cli/examples/scan_timing.rs\`);"
    echo "- **scan/floor**: target at most ${TARGET_RATIO}x;"
    echo "- **androguard**: \`AnalyzeAPK(path)\` alone, in its own python process (\`bench/androguard_time.py\`);"
    echo "- **ag/scan**: androguard / scan; target at least ${TARGET_AG}x;"
    echo "- **process**: whole \`mastiff scan --format json\` process (read, scan, JSON, exit), best run;"
    echo "- **peak RSS**: of that process; **bound**: APK size + 2 x dex size; target RSS at most the bound;"
    echo "- **hash**: SHA-256 of the input alone (the report's \`target.sha256\`), which every scan pays;"
    echo "- **SBOM %**: share of the full scan spent on the SBOM (library detection and advisory matching):"
    echo "  (scan - scan without CODE-020) / scan; target at most ${TARGET_SBOM}%."
    echo
    echo "MISS is reported, not fatal. The UiAutomator2 server APK (16 dex) is the yardstick."
    echo
    echo "| APK | size MB | dex MB | floor ms | scan ms | scan/floor | <=${TARGET_RATIO}x | androguard ms | ag/scan | >=${TARGET_AG}x | process ms | hash ms | peak RSS MB | bound MB | mem | SBOM % | <=${TARGET_SBOM}% |"
    echo "|---|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---|---:|---|"
} >"$OUT.tmp"
cat "$OUT.tmp"

pass=0
miss=0
ag_pass=0
ag_miss=0
mem_pass=0
mem_miss=0
sbom_pass=0
sbom_miss=0
phases=""
for apk in "${apks[@]}"; do
    name="$(basename "$apk")"
    size_b=$(stat -c %s "$apk")
    size_mb=$(awk -v b="$size_b" 'BEGIN { printf "%.2f", b / 1048576 }')
    dex_b=$(dex_bytes "$apk")
    dex_mb=$(awk -v b="$dex_b" 'BEGIN { printf "%.2f", b / 1048576 }')
    bound_mb=$(awk -v a="$size_b" -v d="$dex_b" 'BEGIN { printf "%.1f", (a + 2 * d) / 1048576 }')
    floor_out="$("$FLOOR" "$apk" "$RUNS" 2>&1)" || { log "$name: floor failed: $floor_out"; continue; }
    entries=$(echo "$floor_out" | field entries)
    floor_ms=$(echo "$floor_out" | field best_ms)
    scan_out="$("$SCAN" "$apk" "$RUNS" --phases 2>&1)" || { log "$name: scan failed: $scan_out"; continue; }
    scan_ms=$(echo "$scan_out" | field best_ms)
    hash_ms=$(echo "$scan_out" | field sha256_of_input_ms)
    nosbom_ms=$(echo "$scan_out" | field without_sbom_ms)
    sbom_pct=$(awk -v s="$scan_ms" -v n="$nosbom_ms" 'BEGIN { if (s > 0 && n != "") { p = (s - n) / s * 100; if (p < 0) p = 0; printf "%.1f", p } else print "n/a" }')
    sbom_verdict=$(verdict "$sbom_pct" "$TARGET_SBOM")
    case "$sbom_verdict" in PASS) sbom_pass=$((sbom_pass + 1)) ;; MISS) sbom_miss=$((sbom_miss + 1)) ;; esac
    ratio=$(awk -v s="$scan_ms" -v f="$floor_ms" 'BEGIN { if (f > 0) printf "%.2f", s / f; else print "inf" }')
    if awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { exit !(r != "inf" && r <= t) }'; then
        verdict=PASS
        pass=$((pass + 1))
    else
        verdict=MISS
        miss=$((miss + 1))
        phases+="- $name: scan $scan_ms ms, floor $floor_ms ms; stages run alone, single-threaded:"
        phases+=" $(echo "$scan_out" | sed -n 's/^phase \(.*\)_ms=\(.*\)/\1 \2 ms/p' | paste -sd, - | sed 's/,/, /g')"
        index_out="$("$INDEX" "$apk" "$RUNS" 2>&1 || true)"
        phases+="; dex inflate $(echo "$index_out" | sed -n 's/.*inflated in \([0-9.]*\) ms.*/\1/p') ms, code index build $(echo "$index_out" | sed -n 's/.*build: \([0-9.]*\) ms.*/\1/p') ms"$'\n'
    fi
    proc_ms=$(process_ms "$apk")
    rss=$(peak_rss_mb "$apk")
    ag_ms=$(androguard_ms "$apk")
    ag_ratio=$(awk -v a="$ag_ms" -v s="$scan_ms" 'BEGIN { if (a ~ /^[0-9.]+$/ && s > 0) printf "%.0f", a / s; else print "n/a" }')
    ag_verdict=$(verdict "$ag_ratio" "$TARGET_AG" ge)
    mem_verdict=$(verdict "$rss" "$bound_mb")
    case "$ag_verdict" in PASS) ag_pass=$((ag_pass + 1)) ;; MISS) ag_miss=$((ag_miss + 1)) ;; esac
    case "$mem_verdict" in PASS) mem_pass=$((mem_pass + 1)) ;; MISS) mem_miss=$((mem_miss + 1)) ;; esac
    row="| $name | $size_mb | $dex_mb | $floor_ms | $scan_ms | $ratio | $verdict | $ag_ms | $ag_ratio | $ag_verdict | $proc_ms | ${hash_ms:-n/a} | $rss | $bound_mb | $mem_verdict | $sbom_pct | $sbom_verdict |"
    echo "$row" | tee -a "$OUT.tmp"
done

{
    echo
    echo "- scan <= ${TARGET_RATIO}x floor: $pass PASS, $miss MISS"
    echo "- androguard >= ${TARGET_AG}x scan: $ag_pass PASS, $ag_miss MISS"
    echo "- peak RSS <= APK + 2 x dex: $mem_pass PASS, $mem_miss MISS"
    echo "- SBOM <= ${TARGET_SBOM}% of the scan: $sbom_pass PASS, $sbom_miss MISS"
    if [ -n "$phases" ]; then
        echo
        echo "## Where the time goes on the MISS apps"
        echo
        echo "The scan runs the input hash, the signature reader, the manifest/resources work and the"
        echo "code index in parallel (rayon::join), so its time is about the longest of them, not their"
        echo "sum; the rules run after. Code index time from \`crates/mastiff-code/examples/index_timing.rs\`."
        echo
        printf '%s' "$phases"
    fi
} | tee -a "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT"

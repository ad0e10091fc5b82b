#!/bin/sh
# Rebuilds the test dex files from the smali sources next to this script.
# Needs `smali` (Debian package `smali`).
set -eu
cd "$(dirname "$0")"
for d in app app2 cycle; do
    smali assemble -a 26 -o "$d.dex" "smali/$d"
done

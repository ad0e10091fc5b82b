#!/usr/bin/env bash
# Recreates the signing test inputs in this directory: tiny APK-shaped zips (no real app inside;
# apksigner signs any zip when --min-sdk-version is given) signed with throwaway keys, plus
# <name>.apksigner.txt, the oracle output of `apksigner verify --print-certs -v` for each.
#
#   rsa1024-v1.apk        v1 only, RSA-1024 key, minSdk 14 (SHA-1 digests)
#   rsa2048-v1v2v3.apk    v1 + v2 + v3, RSA-2048
#   ec-p256-v2v3.apk      v2 + v3, EC P-256
#   dsa-v1v2.apk          v1 + v2, DSA-2048 (ids 0x0301)
#   rsa4096-v2-sha512.apk v2 only, RSA-4096 key: apksigner picks SHA2-512 digests
#
# Keys are generated fresh in a temp dir on every run (never committed), so certificates and
# bytes change between runs; tests compare against the .apksigner.txt written next to each APK.
# Needs: keytool, apksigner, zipalign, python3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
for tool in keytool apksigner zipalign python3; do
  command -v "$tool" >/dev/null || { echo "make.sh: missing tool: $tool" >&2; exit 2; }
done
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
PASS=mastiff

# A small zip with a deflated and a stored entry and fixed timestamps.
python3 - "$TMP/unsigned.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, data, method in [
        ("AndroidManifest.xml", b"<manifest/>\n" * 40, zipfile.ZIP_DEFLATED),
        ("classes.dex", bytes(range(256)) * 16, zipfile.ZIP_STORED),
        ("res/raw/hello.txt", b"hello mastiff\n", zipfile.ZIP_DEFLATED),
    ]:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = method
        z.writestr(info, data)
PY
zipalign -f 4 "$TMP/unsigned.zip" "$TMP/aligned.apk"

# key NAME KEYALG KEYSIZE SIGALG DNAME
key() {
  keytool -genkeypair -keystore "$TMP/$1.p12" -storetype PKCS12 -storepass "$PASS" \
    -alias k -keyalg "$2" -keysize "$3" -sigalg "$4" -validity 10000 -dname "$5" >/dev/null 2>&1
}
key rsa1024 RSA 1024 SHA1withRSA "CN=Mastiff Test RSA1024, O=mastiff, C=US"
key rsa2048 RSA 2048 SHA256withRSA "CN=Mastiff Test RSA2048, OU=Tests, O=mastiff, C=US"
key rsa4096 RSA 4096 SHA256withRSA "CN=Mastiff Test RSA4096, O=mastiff, C=US"
key ec256 EC 256 SHA256withECDSA "CN=Mastiff Test EC, O=mastiff, C=US"
key dsa DSA 2048 SHA256withDSA "CN=Mastiff Test DSA, O=mastiff, C=US"

# sign OUT KEY MIN_SDK V1 V2 V3
sign() {
  apksigner sign --ks "$TMP/$2.p12" --ks-pass "pass:$PASS" --ks-key-alias k \
    --min-sdk-version "$3" --v1-signing-enabled "$4" --v2-signing-enabled "$5" \
    --v3-signing-enabled "$6" --v4-signing-enabled false \
    --in "$TMP/aligned.apk" --out "$HERE/$1.apk"
  apksigner verify --print-certs -v --min-sdk-version "$3" "$HERE/$1.apk" \
    | grep -v '^WARNING' > "$HERE/$1.apksigner.txt"
}
sign rsa1024-v1 rsa1024 14 true false false
sign rsa2048-v1v2v3 rsa2048 21 true true true
sign ec-p256-v2v3 ec256 24 false true true
sign dsa-v1v2 dsa 21 true true false
sign rsa4096-v2-sha512 rsa4096 24 false true false
rm -f "$HERE"/*.apk.idsig
echo "make.sh: wrote $(ls "$HERE"/*.apk | wc -l) APKs to $HERE"

# aosp-testkey.x509.pem and aosp-platform.x509.pem are not made here: they are the public AOSP
# test certificates from build/target/product/security/ (Apache-2.0), kept to test the
# known-key table; their self-signatures verify (`openssl verify -CAfile X X` style check).

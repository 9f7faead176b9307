#!/bin/sh
# Regenerates the rpm databases under generated/ from trivial spec files, with Debian's rpm
# (4.18: sqlite read/write, bdb_ro read-only) and db5.3-util (db5.3_load writes Berkeley DB).
#   apt-get install rpm db5.3-util sqlite3 gnupg
#   sh src/catalog/os/rpm/testdata/make-dbs.sh
# Output (gzipped): generated/sqlite/rpmdb.sqlite (rpm --justdb installs + one gpg-pubkey) and Berkeley DB
# `Packages` files holding the same header blobs: hash little- and big-endian, hash with 512-byte
# pages (long overflow chains), hash with 64 KiB pages (headers stored inline) and a btree.
# The files are committed; the tests compare our reader with `rpm -qa` on them when rpm is present.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/generated"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1700000000

cat > "$WORK/demo.spec" <<'SPEC'
Name: demo
Epoch: 2
Version: 1.2.3
Release: 4.el9
Summary: Demo package with an epoch, a module label and a subpackage
License: GPLv2+
BuildArch: noarch
%description
Demo.
%package -n libdemo
Summary: Subpackage of demo
License: MIT and BSD
%description -n libdemo
Subpackage.
%install
mkdir -p %{buildroot}/etc %{buildroot}/usr/share/demo
echo conf > %{buildroot}/etc/demo.conf
echo a > %{buildroot}/usr/share/demo/a.txt
echo lib > %{buildroot}/usr/share/demo/lib.txt
%files
%config /etc/demo.conf
/usr/share/demo/a.txt
%files -n libdemo
/usr/share/demo/lib.txt
SPEC

cat > "$WORK/plain.spec" <<'SPEC'
Name: plain
Version: 0.9~rc1
Release: 1
Summary: No epoch, native architecture, an SPDX expression
License: MIT AND (Apache-2.0 OR BSD-3-Clause)
%description
Plain.
%install
mkdir -p %{buildroot}/usr/share/plain
echo p > %{buildroot}/usr/share/plain/p.txt
%files
/usr/share/plain/p.txt
SPEC

cat > "$WORK/zeroepoch.spec" <<'SPEC'
Name: zeroepoch
Epoch: 0
Version: 2.28
Release: 251.fc40
Summary: An explicit epoch 0 and Fedora-style license names
License: LGPLv2+ and LGPLv2+ with exceptions and GPLv2+
BuildArch: noarch
%description
Zero epoch.
%files
SPEC

build() { rpmbuild -bb --quiet --define "_topdir $WORK/rb" "$@" >/dev/null 2>&1; }
build --define 'modularitylabel demo:1.2:9040020240101:abcdef12' "$WORK/demo.spec"
build "$WORK/plain.spec"
build "$WORK/zeroepoch.spec"

rm -rf "$OUT"
mkdir -p "$OUT/sqlite"
DB="$WORK/db"
rpm --initdb --dbpath "$DB"
rpm -i --nodeps --justdb --noscripts --ignorearch --dbpath "$DB" "$WORK"/rb/RPMS/*/*.rpm 2>/dev/null
GNUPGHOME="$WORK/gpg"; export GNUPGHOME
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Stella Test <test@example.invalid>' rsa2048 sign never 2>/dev/null
gpg --batch --armor --export > "$WORK/key.asc"
rpm --import --dbpath "$DB" "$WORK/key.asc"
cp "$DB/rpmdb.sqlite" "$OUT/sqlite/rpmdb.sqlite"

# db_load -T text: key line, value line, every byte as \xx; key 0 holds the highest instance number.
to_bdb() { # $1 = byte order (le|be)
  sqlite3 "$DB/rpmdb.sqlite" "SELECT max(hnum) FROM Packages; SELECT hnum || ' ' || hex(blob) FROM Packages ORDER BY hnum;" |
  awk -v order="$1" '
    function key(n,   b0,b1,b2,b3) { b0 = int(n / 16777216) % 256; b1 = int(n / 65536) % 256; b2 = int(n / 256) % 256; b3 = n % 256
      return order == "be" ? sprintf("\\%02x\\%02x\\%02x\\%02x", b0, b1, b2, b3) : sprintf("\\%02x\\%02x\\%02x\\%02x", b3, b2, b1, b0) }
    function hexline(h,   s, i) { s = ""; for (i = 1; i <= length(h); i += 2) s = s "\\" tolower(substr(h, i, 2)); return s }
    NR == 1 { print key(0); print key($1); next }
    { print key($1); print hexline($2) }'
}
load() { # $1 = name, $2 = byte order, then db5.3_load options
  name=$1; order=$2; shift 2
  mkdir -p "$OUT/$name"
  to_bdb "$order" | db5.3_load -T "$@" -f /dev/stdin "$OUT/$name/Packages"
}
load bdb-hash-le le -t hash -c db_lorder=1234
load bdb-hash-be be -t hash -c db_lorder=4321
load bdb-hash-512 le -t hash -c db_lorder=1234 -c db_pagesize=512
load bdb-hash-64k le -t hash -c db_lorder=1234 -c db_pagesize=65536
load bdb-btree le -t btree -c db_lorder=1234
# Stored compressed (the 64 KiB-page file is mostly zeros); the tests gunzip them.
find "$OUT" -type f -exec gzip -9n {} +
echo "wrote $OUT"

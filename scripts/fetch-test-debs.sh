#!/usr/bin/env bash
# Downloads the real Debian 12 (bookworm) packages from which test/support/debian-image.ts builds
# the acceptance-test image (test/scan/debian-image.test.ts). Nothing is installed: `apt-get
# download` only fetches .deb files. The package list is test/scan/testdata/debian-bookworm-layers.txt.
#
#   scripts/fetch-test-debs.sh [TARGET_DIR]      (default: test/.cache/debs)
#
# Idempotent: a package whose .deb is already in TARGET_DIR is skipped. Progress goes to stderr;
# any failure exits non-zero. Tests never download: without these files they skip (fail under CI=true).
set -euo pipefail
# TARGET_DIR is relative to the caller's directory; the default, to the repository.
[ $# -gt 0 ] && target="$(realpath -m -- "$1")"
cd "$(dirname "$0")/.."

list=test/scan/testdata/debian-bookworm-layers.txt
target="${target:-test/.cache/debs}"
log() { echo "fetch-test-debs: $*" >&2; }

command -v apt-get >/dev/null || { log "apt-get not found: this script needs a Debian 12 machine"; exit 1; }
[ -f "$list" ] || { log "$list not found"; exit 1; }

# Every package of steps 1, 2 and status.d ("remove" lines name packages already listed).
mapfile -t packages < <(sed -e 's/#.*//' "$list" | awk '$1 != "remove" && NF >= 2 { print $2 }' | sort -u)
[ "${#packages[@]}" -gt 0 ] || { log "no packages listed in $list"; exit 1; }

mkdir -p "$target"
missing=()
for pkg in "${packages[@]}"; do
  shopt -s nullglob
  present=("$target/${pkg}"_*.deb)
  shopt -u nullglob
  if [ "${#present[@]}" -gt 0 ]; then
    log "have ${present[0]##*/}"
  else
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  log "all ${#packages[@]} packages present in $target"
  exit 0
fi

apt_opts=(-q)
# As root, apt drops to the _apt user to download, which cannot write into a root-owned folder.
[ "$(id -u)" -eq 0 ] && apt_opts+=(-o APT::Sandbox::User=root)
download() { (cd "$target" && apt-get "${apt_opts[@]}" download "${missing[@]}") >&2; }

log "downloading ${missing[*]} into $target"
if ! download; then
  [ "$(id -u)" -eq 0 ] || { log "apt-get download failed (run 'apt-get update' as root, then retry)"; exit 1; }
  log "apt-get download failed: running apt-get update, then retrying once"
  apt-get -qq update >&2
  download
fi

for pkg in "${missing[@]}"; do
  shopt -s nullglob
  got=("$target/${pkg}"_*.deb)
  shopt -u nullglob
  [ "${#got[@]}" -eq 1 ] || { log "expected one .deb for $pkg in $target, found ${#got[@]}"; exit 1; }
done

base_files=("$target"/base-files_*.deb)
version="$(dpkg-deb --field "${base_files[0]}" Version)"
case "$version" in
  12.*) ;;
  *) log "base-files is $version, not Debian 12 (bookworm): the test expects a bookworm image"; exit 1 ;;
esac
log "done: ${#packages[@]} packages in $target"

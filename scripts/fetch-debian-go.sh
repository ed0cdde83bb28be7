#!/usr/bin/env bash
# Fetches the Debian packages the Go build info oracle, the doctor's floors and its scenarios run
# (test/go-buildinfo.test.mjs, test/go-floors.test.mjs, test/doctor-scenarios.test.mjs, test/doctor-repro.test.mjs): other Go releases than the host's (Go 1.15 and gopls from bullseye, the
# Go 1.21-1.23 of bookworm-backports where they exist, Go 1.24 from trixie) and a trixie binary that needs
# a newer glibc than bookworm's 2.36. apt-get runs against a private sources list, so the host's apt
# configuration is untouched; each package is unpacked with dpkg-deb -x under
#   $SYSPROBE_GO_DEBS/<release>/<package>/   (default /var/cache/sysprobe-test/go-debs)
# A package that cannot be fetched (no network, gone from the archive) is reported and skipped: the tests
# that need it skip visibly. Exit status 0 unless the cache directory cannot be made.
set -uo pipefail

cache="${SYSPROBE_GO_DEBS:-/var/cache/sysprobe-test/go-debs}"
mirror="${SYSPROBE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" || exit 1

sources="$cache/apt/sources.list"
cat >"$sources" <<EOF
deb $mirror trixie main
deb $mirror bookworm-backports main
deb $mirror bullseye main
EOF

apt_private() {
  apt-get -qq -o Dir::Etc::SourceList="$sources" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$cache/apt/lists" -o Dir::Cache="$cache/apt" \
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}
apt_cache_private() {
  apt-cache -o Dir::Etc::SourceList="$sources" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$cache/apt/lists" -o Dir::Cache="$cache/apt" "$@"
}

if ! apt_private update; then
  echo "fetch-debian-go: apt-get update failed (no network?); nothing fetched" >&2
  exit 0
fi

# release:package pairs; the Go minors of bookworm-backports are taken when the archive has them.
wanted=(trixie:golang-1.24-go trixie:gopls trixie:delve bullseye:golang-1.15-go bullseye:gopls bullseye:delve trixie:coreutils)
for minor in 21 22 23; do
  if apt_cache_private madison "golang-1.$minor-go" 2>/dev/null | grep -q 'bookworm-backports'; then
    wanted+=("bookworm-backports:golang-1.$minor-go")
  fi
done

for item in "${wanted[@]}"; do
  release="${item%%:*}"
  package="${item#*:}"
  target="$cache/$release/$package"
  if [ -f "$target/.complete" ]; then
    echo "fetch-debian-go: $release/$package already unpacked"
    continue
  fi
  mkdir -p "$cache/debs/$release"
  (cd "$cache/debs/$release" && apt_private download "$package/$release") || {
    echo "fetch-debian-go: could not download $package/$release" >&2
    continue
  }
  deb="$(ls -t "$cache/debs/$release/${package}_"*.deb 2>/dev/null | head -n 1)"
  [ -n "$deb" ] || continue
  rm -rf "$target" && mkdir -p "$target"
  if dpkg-deb -x "$deb" "$target"; then
    basename "$deb" >"$target/.complete"
    echo "fetch-debian-go: $release/$package <- $(basename "$deb")"
  else
    echo "fetch-debian-go: dpkg-deb -x failed for $deb" >&2
  fi
done
exit 0

#!/usr/bin/env bash
# Fetches Go binaries built by other Go releases than the host's, for test/go-buildinfo.test.mjs: Debian
# packages of bullseye (Go 1.15: the build info blob of before Go 1.18, pointers into the binary) and trixie
# (Go 1.24), downloaded with a private apt configuration (the host's sources and state are not touched) and
# extracted into $SYSPROBE_GO_DEBS (default /var/cache/sysprobe-test/go-debs). Already extracted packages are
# kept. A package that cannot be fetched is reported and skipped; the test names what is missing.
set -uo pipefail

cache="${SYSPROBE_GO_DEBS:-/var/cache/sysprobe-test/go-debs}"
apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$cache/debs" "$cache/root"

# suite:package — each package's Go binaries land under root/<suite>/<package>/.
packages=(
  bullseye:delve
  bullseye:gopls
  bullseye:golang-1.15-go
  trixie:gopls
  trixie:delve
  trixie:golang-1.24-go
)

missing=0
for entry in "${packages[@]}"; do
  [ -e "$cache/root/${entry%%:*}/${entry#*:}/.done" ] || missing=1
done
if [ "$missing" = 0 ]; then
  echo "fetch-go-binaries: all packages already in $cache"
  exit 0
fi

: >"$apt_dir/empty-status"
for suite in bullseye trixie; do
  echo "deb http://deb.debian.org/debian $suite main" >"$apt_dir/sources-$suite.list"
done

status=0
for suite in bullseye trixie; do
  opts=(
    -o "Dir::Etc::SourceList=$apt_dir/sources-$suite.list"
    -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$apt_dir/lists-$suite"
    -o "Dir::Cache=$apt_dir/cache-$suite"
    -o "APT::Architecture=amd64"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
    -o "Dir::State::status=$apt_dir/empty-status"
  )
  mkdir -p "$apt_dir/lists-$suite/partial" "$apt_dir/cache-$suite/archives/partial"
  if ! apt-get "${opts[@]}" update -qq; then
    echo "fetch-go-binaries: apt-get update for $suite failed" >&2
    status=1
    continue
  fi
  for entry in "${packages[@]}"; do
    [ "${entry%%:*}" = "$suite" ] || continue
    package="${entry#*:}"
    target="$cache/root/$suite/$package"
    [ -e "$target/.done" ] && continue
    rm -rf "$cache/debs/$suite-$package" && mkdir -p "$cache/debs/$suite-$package"
    if (cd "$cache/debs/$suite-$package" && apt-get "${opts[@]}" download -qq "$package/$suite"); then
      rm -rf "$target" && mkdir -p "$target"
      for deb in "$cache/debs/$suite-$package"/*.deb; do dpkg-deb -x "$deb" "$target"; done
      touch "$target/.done"
      echo "fetch-go-binaries: $suite $package -> $target"
    else
      echo "fetch-go-binaries: could not download $package from $suite" >&2
      status=1
    fi
  done
done
exit "$status"

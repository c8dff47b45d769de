#!/usr/bin/env bash
# Builds an arm64 (aarch64) sysroot with a headless Java 17 runtime, so the
# arm64 agent bundle can run on an x86_64 host under qemu-user:
#
#   .ci/arm64-sysroot.sh .cache/arm64-sysroot
#   qemu-aarch64-static -L .cache/arm64-sysroot \
#     .cache/arm64-sysroot/usr/lib/jvm/java-17-openjdk-arm64/bin/java -version
#
# Needs root (dpkg --add-architecture, apt-get update), network on the first
# run, and the Debian packages qemu-user-static and dpkg. Idempotent: a second
# run with the same package list only checks the stamp file and exits.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 SYSROOT_DIR" >&2
  exit 2
fi

mkdir -p "$1"
SYSROOT="$(cd "$1" && pwd)"
JAVA="$SYSROOT/usr/lib/jvm/java-17-openjdk-arm64/bin/java"

# The headless JRE declares many Depends (cups, fontconfig, nss, alsa, ...) that
# only AWT, sound and the PKCS#11 provider load lazily. The JVM itself, the
# agent, ONNX Runtime and libtorch need only the C/C++ runtime and zlib.
PACKAGES=(
  openjdk-17-jre-headless:arm64
  libc6:arm64
  libgcc-s1:arm64
  libstdc++6:arm64
  zlib1g:arm64
)
STAMP="$SYSROOT/.kiln-sysroot"
WANT="packages=${PACKAGES[*]}"

if [[ -f "$STAMP" && -x "$JAVA" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "arm64 sysroot ready: $SYSROOT"
  exit 0
fi

if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
  echo "qemu-aarch64-static not found: apt-get install -y qemu-user-static" >&2
  exit 1
fi

if [[ $EUID -ne 0 ]]; then
  echo "building the sysroot needs root (dpkg --add-architecture, apt-get update): sudo $0 $1" >&2
  exit 1
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
elif ! apt-cache show openjdk-17-jre-headless:arm64 >/dev/null 2>&1; then
  apt-get update -qq
fi

DEBS="$SYSROOT/.debs"
# Start from an empty download dir so two versions of a package are never unpacked together.
rm -rf "$DEBS"
mkdir -p "$DEBS"
(cd "$DEBS" && apt-get download -qq -o APT::Sandbox::User=root "${PACKAGES[@]}")

for deb in "$DEBS"/*.deb; do
  dpkg -x "$deb" "$SYSROOT"
done

# Debian's JDK links conf/ and lib/security/cacerts to absolute paths under /etc.
# The kernel resolves symlinks on the host, where those paths may be missing or
# belong to the x86_64 JDK, so point every absolute link back into the sysroot.
while IFS= read -r -d '' link; do
  target="$(readlink "$link")"
  if [[ "$target" == /* && "$target" != "$SYSROOT"/* ]]; then
    ln -sfn "$SYSROOT$target" "$link"
  fi
done < <(find "$SYSROOT/usr" "$SYSROOT/etc" -type l -print0 2>/dev/null)

qemu-aarch64-static -L "$SYSROOT" "$JAVA" -Xshare:off -version
printf '%s' "$WANT" >"$STAMP"
echo "arm64 sysroot ready: $SYSROOT"

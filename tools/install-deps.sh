#!/usr/bin/env bash
# tools/install-deps.sh [--check-only]: install the Debian packages kiln needs.
# With --check-only, exit 0 when everything is present and 1 otherwise,
# installing nothing. Needs apt-get, and root (or sudo).
set -euo pipefail

# package : a file or command that proves it is installed
need=(
    "gcc:gcc" "binutils:ld" "make:make" "clang:clang" "lld:ld.lld"
    "qemu-system-x86:qemu-system-x86_64" "grub-common:grub-mkrescue"
    "grub-pc-bin:/usr/lib/grub/i386-pc/multiboot2.mod"
    "grub-efi-amd64-bin:/usr/lib/grub/x86_64-efi/multiboot2.mod"
    "xorriso:xorriso" "mtools:mformat" "ovmf:/usr/share/ovmf/OVMF.fd" "gdb:gdb"
    "libcmocka-dev:/usr/include/cmocka.h" "console-data:/usr/share/consolefonts/default8x16.psf.gz"
    "valgrind:valgrind" "gawk:awk" "clang-format:clang-format"
    "libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.tsan-x86_64.a"
    # make bench: the peers kiln's allocators are measured against, and the chart
    "libjemalloc-dev:/usr/include/jemalloc/jemalloc.h" "libmimalloc-dev:/usr/include/mimalloc.h"
    "gnuplot-nox:gnuplot"
    # host/: the LD_PRELOAD test runs python3 and xz (make fuzz uses libclang-rt
    # above, for libFuzzer; make bench's LD_PRELOAD runs the -dev packages' .so)
    "python3:/usr/bin/python3" "xz-utils:/usr/bin/xz"
)

# With a display, make run opens a QEMU window: that needs QEMU's GTK front
# end (large, so only where there is a display to show it on).
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    need+=("qemu-system-gui:/usr/lib/x86_64-linux-gnu/qemu/ui-gtk.so")
fi

missing=()
for entry in "${need[@]}"; do
    pkg=${entry%%:*} probe=${entry#*:}
    if [[ $probe == /* ]]; then [ -e "$probe" ] && continue
    else command -v "$probe" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "${1:-}" = "--check-only" ]; then exit 1; fi

echo "kiln: installing missing packages: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "kiln: cannot install: apt-get not found. kiln expects Debian 12; install these yourself: ${missing[*]}" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo)
    else
        echo "kiln: cannot install: not root and no sudo. As root run: apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
# --no-install-recommends keeps grub-efi-amd64-bin from pulling in a bootloader setup.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "kiln: installed ${missing[*]}"

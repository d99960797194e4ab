#!/usr/bin/env bash
# tools/mkiso.sh KERNEL.elf OUT.iso: a GRUB rescue ISO that boots the kernel
# through Multiboot2 on both BIOS (i386-pc) and UEFI (x86_64-efi).
set -euo pipefail
elf=$1 iso=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/kiln.elf"
cp "$(dirname "$0")/grub.cfg" "$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$iso" "$dir" 2>"$dir.log" || { cat "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"

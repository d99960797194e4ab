/* Host tests of boot/multiboot2.c: whole blocks as GRUB passes them under
 * BIOS and UEFI, each tag kiln reads, and the bounds of blocks and tags.
 * The memory map's normalisation is in test_multiboot2_mmap.c. */
#include "multiboot2_builder.h"

/* ---- well-formed blocks --------------------------------------------------- */

TEST(test_grub_bios)
{
    static const struct shdr sections[] = {
        {0, 0, 0},                              /* the null section */
        {2 | 4, 0xffffffff80100000ull, 0x5000}, /* .text */
        {2, 0xffffffff80105000ull, 0x1000},     /* .rodata */
        {2 | 1, 0xffffffff80106000ull, 0x4000}, /* .bss */
        {2, 0xffffffff80200000ull, 0},          /* empty: ignored */
        {0, 0, 0x2a},                           /* .comment: not allocated */
        {0, 0xffffffff90000000ull, 0x100},      /* not allocated: ignored */
    };
    mb_begin();
    mb_string(1, "");
    mb_string(2, "GRUB 2.06-13+deb12u1");
    put32(mb_tag(4, 16) + 12, 129920); /* basic meminfo: skipped */
    put32(mb_tag(5, 20) + 8, 0xe0);    /* boot device: skipped */
    mb_mmap(qemu_bios_map, 6);
    mb_fb(2, 0xb8000, 160, 80, 25, 16);
    mb_elf(sections, 7, 64);
    memcpy(mb_tag(14, 8 + 20) + 8, "RSD PTR ", 8); /* ACPI old RSDP: skipped */

    assert_boot(BOOT_OK, parse_ended());
    assert_int_equal(info.info_addr, 0x10000);
    assert_int_equal(info.info_size, b.len);
    assert_string_equal(info.cmdline, "");
    assert_string_equal(info.loader_name, "GRUB 2.06-13+deb12u1");
    assert_regions(qemu_bios_map, 6);
    assert_fb(FB_EGA_TEXT, 0xb8000, 160, 80, 25, 16);
    assert_true(info.have_elf_extent);
    assert_int_equal(info.elf_start, 0xffffffff80100000ull);
    assert_int_equal(info.elf_end, 0xffffffff8010a000ull);
    assert_int_equal(info.module_count, 0);
}

TEST(test_grub_uefi)
{
    static const struct entry map[] = {
        {0x0, 0xa0000, 1},       {0x100000, 0x700000, 1}, {0x800000, 0x8000, 4},
        {0x808000, 0x8000, 1},   {0x810000, 0xf0000, 4},  {0x900000, 0x7600000, 1},
        {0x7f00000, 0x80000, 3}, {0x7f80000, 0x80000, 2}, {0xffc00000, 0x400000, 2},
    };
    mb_begin();
    mb_string(1, "kiln quiet");
    mb_string(2, "GRUB 2.06");
    mb_tag(12, 16); /* EFI 64-bit system table pointer: skipped */
    mb_mmap(map, 9);
    mb_fb(1, 0x80000000ull, 2400, 800, 600, 24);
    mb_tag(17, 16 + 48); /* EFI memory map: skipped */

    assert_boot(BOOT_OK, parse_ended());
    assert_string_equal(info.cmdline, "kiln quiet");
    assert_fb(FB_RGB, 0x80000000ull, 2400, 800, 600, 24);
    const uint8_t colours[6] = {info.fb.red_pos,    info.fb.red_size, info.fb.green_pos,
                                info.fb.green_size, info.fb.blue_pos, info.fb.blue_size};
    assert_memory_equal(colours, ((const uint8_t[6]){16, 8, 8, 8, 0, 8}), 6);
    assert_false(info.have_elf_extent);
    assert_regions(map, 9);
}

TEST(test_framebuffer_kinds)
{
    mb_minimal();
    mb_fb(1, 0xfd000000, 4096, 1024, 768, 32);
    assert_boot(BOOT_OK, parse_ended());
    assert_fb(FB_RGB, 0xfd000000, 4096, 1024, 768, 32);

    /* RGB kiln cannot draw on (16 bpp), indexed colour, an unknown type */
    const uint8_t kinds[][2] = {{1, 16}, {0, 8}, {7, 32}};
    for (size_t i = 0; i < 3; i++) {
        mb_minimal();
        mb_fb(1, 0xfd000000, 1280, 640, 480, kinds[i][1])[29] = kinds[i][0];
        assert_boot(BOOT_OK, parse_ended());
        assert_fb(FB_OTHER, 0xfd000000, 1280, 640, 480, kinds[i][1]);
    }

    mb_minimal(); /* no framebuffer tag at all */
    assert_boot(BOOT_OK, parse_ended());
    assert_int_equal(info.fb.kind, FB_NONE);
}

TEST(test_modules)
{
    char long_name[100];
    memset(long_name, 'm', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    mb_minimal();
    mb_module(0x200000, 0x280000, "initrd");
    mb_module(0x280000, 0x280000, ""); /* empty module: fine */
    mb_module(0x300000, 0x301234, long_name);
    assert_boot(BOOT_OK, parse_ended());
    assert_int_equal(info.module_count, 3);
    assert_int_equal(info.modules[0].start, 0x200000);
    assert_int_equal(info.modules[0].end, 0x280000);
    assert_string_equal(info.modules[0].cmdline, "initrd");
    assert_string_equal(info.modules[1].cmdline, "");
    assert_int_equal(info.modules[2].end, 0x301234);
    assert_int_equal(strlen(info.modules[2].cmdline), sizeof info.modules[2].cmdline - 1);

    mb_minimal();
    mb_module(0x300000, 0x2fffff, "backwards");
    assert_boot(BOOT_MALFORMED_MODULE, parse_ended());

    mb_minimal();
    for (uint32_t i = 0; i < BOOT_MAX_MODULES; i++) mb_module(i * 0x1000, i * 0x1000 + 1, "m");
    assert_boot(BOOT_OK, parse_ended());
    assert_int_equal(info.module_count, BOOT_MAX_MODULES);
    b.len -= 8; /* reopen before the end tag */
    mb_module(0x100000, 0x100001, "one too many");
    assert_boot(BOOT_TOO_MANY_MODULES, parse_ended());
}

TEST(test_strings_truncated_and_unterminated)
{
    char big[300];
    memset(big, 'c', sizeof big - 1);
    big[sizeof big - 1] = 0;
    mb_minimal();
    mb_string(1, big);
    mb_string(2, big);
    assert_boot(BOOT_OK, parse_ended());
    assert_int_equal(strlen(info.cmdline), sizeof info.cmdline - 1);
    assert_int_equal(strlen(info.loader_name), sizeof info.loader_name - 1);
    assert_int_equal(info.cmdline[0], 'c');

    /* "abc" without its NUL, as the last bytes of the block: the parser must
     * stop at the tag's end (ASan watches the byte after it). */
    mb_minimal();
    memcpy(mb_tag(1, 11) + 8, "abc", 3);
    b.len -= 5; /* total_size ends right after the tag: no padding, no end tag */
    mb_close();
    assert_boot(BOOT_OK, parse());
    assert_string_equal(info.cmdline, "abc");

    /* a module name without its NUL */
    mb_minimal();
    uint8_t *t = mb_tag(3, 16 + 4);
    put32(t + 12, 0x2000);
    memcpy(t + 16, "modX", 4);
    b.len -= 4;
    mb_close();
    assert_boot(BOOT_OK, parse());
    assert_string_equal(info.modules[0].cmdline, "modX");

    /* a string stops at its first NUL even when the tag is longer */
    mb_minimal();
    memcpy(mb_tag(2, 8 + 8) + 8, "ab\0cdefg", 8);
    assert_boot(BOOT_OK, parse_ended());
    assert_string_equal(info.loader_name, "ab");
}

/* ---- block and tag bounds -------------------------------------------------- */

TEST(test_truncated_blocks)
{
    mb_minimal();
    assert_boot(BOOT_OK, parse_ended());
    uint32_t total = (uint32_t)b.len;
    assert_boot(BOOT_OK, parse_limited(total + 64)); /* a limit beyond: fine */
    assert_boot(BOOT_TRUNCATED, parse_limited(total - 1));
    assert_boot(BOOT_TRUNCATED, parse_limited(7));
    assert_boot(BOOT_TRUNCATED, parse_limited(0));
    assert_info_zero();
    for (uint32_t small = 0; small < 16; small++) {
        put32(b.buf, small);
        assert_boot(BOOT_TRUNCATED, parse_limited(total));
    }
    /* 16 bytes holding just an end tag: well formed, but no memory map */
    mb_begin();
    assert_boot(BOOT_NO_MEMORY_MAP, parse_ended());
    assert_int_equal(b.len, 16);
    assert_info_zero();
}

TEST(test_bad_tag_sizes)
{
    /* a zero-size tag, and every size below the 8-byte header */
    for (uint32_t size = 0; size < 8; size++) {
        mb_minimal();
        put32(mb_tag(99, 8) + 4, size);
        assert_boot(BOOT_TAG_TOO_SMALL, parse_ended());
        assert_info_zero();
    }
    /* tags shorter than their type's fixed fields */
    const uint32_t short_tags[][2] = {{3, 15}, {4, 12}, {6, 15}, {8, 31}, {9, 19}};
    for (size_t i = 0; i < 5; i++) {
        mb_minimal();
        mb_tag(short_tags[i][0], short_tags[i][1]);
        assert_boot(BOOT_TAG_TOO_SMALL, parse_ended());
    }
    /* an RGB framebuffer without its colour fields */
    mb_minimal();
    mb_fb(2, 0xfd000000, 4096, 1024, 768, 32)[29] = 1;
    assert_boot(BOOT_TAG_TOO_SMALL, parse_ended());
}

TEST(test_tag_past_end)
{
    /* the last tag claims one byte more than total_size leaves */
    mb_minimal();
    mb_string(1, "cmdline");
    mb_close();
    put32(b.buf + b.len - 16 + 4, 17);
    assert_boot(BOOT_TAG_PAST_END, parse());

    /* a huge size must not wrap around */
    mb_minimal();
    put32(mb_tag(1, 16) + 4, 0xfffffff8u);
    assert_boot(BOOT_TAG_PAST_END, parse_ended());

    /* total_size ends inside a tag header */
    mb_minimal();
    parse_ended();
    put32(b.buf, (uint32_t)b.len - 4);
    assert_boot(BOOT_TAG_PAST_END, parse());
}

TEST(test_end_tag_and_clean_end)
{
    /* no end tag, total_size ends cleanly after the last tag: accepted */
    mb_minimal();
    mb_string(1, "x");
    mb_close();
    assert_boot(BOOT_OK, parse());
    assert_string_equal(info.cmdline, "x");

    /* tags after the end tag are never read, even broken ones */
    mb_minimal();
    mb_tag(0, 8);
    put32(mb_tag(1, 8) + 4, 0);
    mb_close();
    assert_boot(BOOT_OK, parse());

    /* a memory map after the end tag does not count */
    mb_begin();
    mb_tag(0, 8);
    mb_mmap(qemu_bios_map, 6);
    mb_close();
    assert_boot(BOOT_NO_MEMORY_MAP, parse());
}

TEST(test_unknown_tags_skipped)
{
    mb_begin();
    memset(mb_tag(99, 13) + 8, 0xff, 5); /* odd size: padded to 16 */
    mb_tag(0x7fffffff, 8);
    mb_tag(21, 12); /* image load base */
    mb_mmap(qemu_bios_map, 1);
    mb_tag(100, 200);
    mb_string(1, "after");
    assert_boot(BOOT_OK, parse_ended());
    assert_string_equal(info.cmdline, "after");
    assert_regions(qemu_bios_map, 1);
}

TEST(test_misaligned_and_null)
{
    mb_minimal();
    assert_boot(BOOT_OK, parse_ended());
    uint8_t *copy = malloc(b.len + 8);
    assert_non_null(copy);
    for (size_t shift = 1; shift < 8; shift++) {
        memcpy(copy + shift, b.buf, b.len);
        assert_boot(BOOT_MISALIGNED_INFO, multiboot2_parse(copy + shift, b.len, 0, &info));
    }
    free(copy);
    assert_boot(BOOT_NULL_INFO, multiboot2_parse(NULL, 4096, 0, &info));
    EXPECT_PANIC(multiboot2_parse(b.buf, b.len, 0, NULL), "out is NULL");
}

/* ---- ELF sections ---------------------------------------------------------- */

TEST(test_elf_sections)
{
    static const struct shdr one[] = {{0, 0, 0}, {2, 0xffffffff80000000ull, 0x123}};
    /* a larger entsize is allowed: the stride follows it */
    mb_minimal();
    mb_elf(one, 2, 80);
    assert_boot(BOOT_OK, parse_ended());
    assert_true(info.have_elf_extent);
    assert_int_equal(info.elf_start, 0xffffffff80000000ull);
    assert_int_equal(info.elf_end, 0xffffffff80000123ull);

    mb_minimal(); /* no sections */
    mb_elf(one, 0, 0);
    assert_boot(BOOT_OK, parse_ended());
    assert_false(info.have_elf_extent);

    mb_minimal(); /* ELF32-sized headers */
    mb_elf(one, 2, 40);
    assert_boot(BOOT_MALFORMED_ELF_SECTIONS, parse_ended());

    /* num * entsize past the tag, also when it wraps in 32 bits */
    const uint32_t nums[] = {2, 0x04000001u};
    for (size_t i = 0; i < 2; i++) {
        mb_minimal();
        uint8_t *t = mb_tag(9, 20 + 64);
        put32(t + 8, nums[i]);
        put32(t + 12, 64);
        assert_boot(BOOT_MALFORMED_ELF_SECTIONS, parse_ended());
    }

    mb_minimal(); /* addr + size overflows */
    mb_elf(&(struct shdr){2, 0xfffffffffffff000ull, 0x2000}, 1, 64);
    assert_boot(BOOT_MALFORMED_ELF_SECTIONS, parse_ended());
}

TEST(test_error_names)
{
    const char *seen[BOOT_MALFORMED_MODULE + 1];
    for (int e = BOOT_OK; e <= BOOT_MALFORMED_MODULE; e++) {
        const char *name = boot_error_name((enum boot_error)e);
        assert_non_null(name);
        assert_int_equal(strncmp(name, "BOOT_", 5), 0);
        assert_string_not_equal(name, "BOOT_UNKNOWN_ERROR");
        for (int j = 0; j < e; j++) assert_string_not_equal(name, seen[j]);
        seen[e] = name;
    }
    assert_string_equal(boot_error_name(BOOT_TAG_PAST_END), "BOOT_TAG_PAST_END");
    assert_string_equal(boot_error_name((enum boot_error)999), "BOOT_UNKNOWN_ERROR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grub_bios),
        cmocka_unit_test(test_grub_uefi),
        cmocka_unit_test(test_framebuffer_kinds),
        cmocka_unit_test(test_modules),
        cmocka_unit_test(test_strings_truncated_and_unterminated),
        cmocka_unit_test(test_truncated_blocks),
        cmocka_unit_test(test_bad_tag_sizes),
        cmocka_unit_test(test_tag_past_end),
        cmocka_unit_test(test_end_tag_and_clean_end),
        cmocka_unit_test(test_unknown_tags_skipped),
        cmocka_unit_test(test_misaligned_and_null),
        cmocka_unit_test(test_elf_sections),
        cmocka_unit_test(test_error_names),
    };
    return RUN_TESTS(tests);
}

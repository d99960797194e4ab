/* libFuzzer target: arbitrary bytes from port 0x60 into the scancode-set-1
 * decoder (drivers/scancode.c). Any byte in any state must be accepted, and
 * every event must keep scancode.h's promises: a real key, a name for it, no
 * character on a release, the decoder's state one of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln/scancode.h"

static void expect(int ok, const char *what, uint8_t byte)
{
    if (!ok) {
        fprintf(stderr, "fuzz_scancode: broken promise after byte 0x%02x: %s\n", byte, what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scancode_decoder d;
    scancode_init(&d);
    for (size_t i = 0; i < size; i++) {
        struct key_event ev = {.key = KEY_COUNT, .pressed = true, .ch = 0xdead};
        bool got = scancode_feed(&d, data[i], &ev);
        expect(d.state <= SCANCODE_E1_9D, "the state is one of the decoder's", data[i]);
        if (!got) {
            expect(ev.key == KEY_COUNT && ev.ch == 0xdead, "no event leaves *out untouched",
                   data[i]);
            continue;
        }
        expect(ev.key > KEY_NONE && ev.key < KEY_COUNT, "events carry a real key", data[i]);
        expect(strcmp(key_name(ev.key), "Unknown") != 0, "every key has a name", data[i]);
        expect(ev.pressed || ev.ch == 0, "releases carry no character", data[i]);
        expect(ev.ch < 0x80, "characters are ASCII", data[i]);
    }
    return 0;
}

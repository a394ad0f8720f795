/* test_utf8.c -- UTF-8 as CEL strings need it: strict validation (RFC 3629
 * table 4: no overlongs, no surrogates, nothing above U+10FFFF), code point
 * counts (cel-spec: size() of a string counts code points), offsets, and
 * encoding/decoding. */
#include <criterion/criterion.h>
#include <string.h>

#include "value.h"

#define VALID(lit) rpi_utf8_valid((lit), sizeof(lit) - 1)

Test(utf8, accepts_well_formed_text)
{
    cr_expect(VALID(""));
    cr_expect(VALID("plain ascii"));
    cr_expect(VALID("\xc3\xbf"));                 /* U+00FF */
    cr_expect(VALID("\xcf\x80\xce\xad"));         /* Greek */
    cr_expect(VALID("\xe2\x9c\x8c"));             /* U+270C */
    cr_expect(VALID("\xef\xbf\xbd"));             /* U+FFFD */
    cr_expect(VALID("\xf0\x9f\x90\xb1"));         /* U+1F431 */
    cr_expect(VALID("\xf4\x8f\xbf\xbf"));         /* U+10FFFF, the last code point */
    cr_expect(VALID("\xed\x9f\xbf"));             /* U+D7FF, just below the surrogates */
    cr_expect(VALID("\xee\x80\x80"));             /* U+E000, just above them */
    cr_expect(VALID("a\0b"));                     /* NUL is a code point */
}

Test(utf8, rejects_ill_formed_text)
{
    cr_expect_not(VALID("\x80"));                 /* stray continuation byte */
    cr_expect_not(VALID("\xc0\x80"));             /* overlong NUL */
    cr_expect_not(VALID("\xc1\xbf"));             /* overlong U+007F */
    cr_expect_not(VALID("\xe0\x80\x80"));         /* overlong, 3 bytes */
    cr_expect_not(VALID("\xe0\x9f\xbf"));         /* overlong U+07FF */
    cr_expect_not(VALID("\xf0\x80\x80\x80"));     /* overlong, 4 bytes */
    cr_expect_not(VALID("\xf0\x8f\xbf\xbf"));     /* overlong U+FFFF */
    cr_expect_not(VALID("\xed\xa0\x80"));         /* U+D800, a surrogate */
    cr_expect_not(VALID("\xed\xbf\xbf"));         /* U+DFFF */
    cr_expect_not(VALID("\xf4\x90\x80\x80"));     /* U+110000 */
    cr_expect_not(VALID("\xf5\x80\x80\x80"));
    cr_expect_not(VALID("\xff"));
    cr_expect_not(VALID("\xc3"));                 /* truncated */
    cr_expect_not(VALID("\xe2\x9c"));
    cr_expect_not(VALID("\xf0\x9f\x90"));
    cr_expect_not(VALID("\xe2\x28\xa1"));         /* bad continuation */
    cr_expect_not(VALID("ok\xc3("));
}

Test(utf8, counts_code_points)
{
    cr_expect_eq(rpi_utf8_count("", 0), 0);
    cr_expect_eq(rpi_utf8_count("four", 4), 4);
    const char *pente = "\xcf\x80\xce\xad\xce\xbd\xcf\x84\xce\xb5"; /* πέντε */
    cr_expect_eq(rpi_utf8_count(pente, strlen(pente)), 5);
    const char *cats = "\xf0\x9f\x90\xb1\xf0\x9f\x98\x80"; /* two emoji */
    cr_expect_eq(rpi_utf8_count(cats, strlen(cats)), 2);
}

Test(utf8, offsets_of_code_points)
{
    const char *s = "a\xcf\x80" "b\xf0\x9f\x90\xb1" "c"; /* a π b 🐱 c */
    size_t len = strlen(s);
    cr_expect_eq(rpi_utf8_offset(s, len, 0), 0);
    cr_expect_eq(rpi_utf8_offset(s, len, 1), 1);
    cr_expect_eq(rpi_utf8_offset(s, len, 2), 3);
    cr_expect_eq(rpi_utf8_offset(s, len, 3), 4);
    cr_expect_eq(rpi_utf8_offset(s, len, 4), 8);
    cr_expect_eq(rpi_utf8_offset(s, len, 5), len);
}

Test(utf8, encodes_and_decodes)
{
    static const struct {
        uint32_t cp;
        const char *bytes;
    } cases[] = {
        {0x41, "A"},
        {0xFF, "\xc3\xbf"},
        {0x3C0, "\xcf\x80"},
        {0x270C, "\xe2\x9c\x8c"},
        {0x1F431, "\xf0\x9f\x90\xb1"},
        {0x10FFFF, "\xf4\x8f\xbf\xbf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[4];
        int n = rpi_utf8_encode(cases[i].cp, out);
        cr_expect_eq((size_t)n, strlen(cases[i].bytes), "U+%X", cases[i].cp);
        cr_expect(memcmp(out, cases[i].bytes, (size_t)n) == 0, "U+%X", cases[i].cp);
        uint32_t cp = 0;
        cr_expect_eq(rpi_utf8_decode(cases[i].bytes, strlen(cases[i].bytes), &cp), n);
        cr_expect_eq(cp, cases[i].cp);
    }
}

Test(utf8, encodes_non_scalar_values_as_replacement)
{
    char out[4];
    cr_expect_eq(rpi_utf8_encode(0xD800, out), 3);
    cr_expect(memcmp(out, "\xef\xbf\xbd", 3) == 0);
    cr_expect_eq(rpi_utf8_encode(0x110000, out), 3);
    cr_expect(memcmp(out, "\xef\xbf\xbd", 3) == 0);
}

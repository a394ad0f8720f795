/* regex.c -- CEL's matches(): RE2 syntax, run by PCRE2.
 *
 * Kubernetes runs matches() with Go's regexp package, whose syntax is RE2's.
 * PCRE2 accepts far more (backreferences, lookaround, recursion, possessive
 * quantifiers...) and reads some of the shared syntax differently, so a
 * pattern is never handed to PCRE2 as written: a translator walks it the
 * way Go's regexp/syntax parser does, rejects what Go rejects, with Go's
 * error text ("error parsing regexp: invalid or unsupported Perl syntax:
 * `(?=`"), and writes an equivalent PCRE2 pattern in which nothing is left
 * to interpretation:
 *   - every literal that is not an ASCII letter or digit becomes \x{..},
 *     so no PCRE2 meta-syntax can appear by accident;
 *   - \d \s \w and [[:alpha:]]-style classes are written out as Go's
 *     ASCII ranges (PCRE2's \s also has \v; under (?i) Go adds the case
 *     variants, U+017F and U+212A included), \v is U+000B (in PCRE2 a
 *     class), octal escapes become \x{..} (PCRE2 could read \12 as a
 *     backreference), capture groups become (?: ) (only the boolean result
 *     is used), $ becomes \z outside (?m);
 *   - a repeated empty-width assertion (^*, \b+, legal in Go) is wrapped
 *     in (?: ) because PCRE2 refuses to repeat it.
 * The compile options give Go's semantics for what is left: UTF mode
 * without UCP (\b is ASCII), (?m)^ also after a final newline
 * (ALT_CIRCUMFLEX), newline = LF for '.'.  Subjects are checked for valid
 * UTF-8 by pcre2_match itself (CEL strings always are; the check costs a
 * fast linear scan and keeps a broken caller from undefined behaviour).
 * PCRE2_MATCH_INVALID_UTF would avoid the scan, but PCRE2 10.42's JIT gets
 * \D, \S and \W wrong on non-ASCII text with it.
 *
 * Go's matcher is linear in the subject; PCRE2's usual one backtracks and
 * can take exponential time.  So a match first runs the (JIT-compiled when
 * possible) backtracking matcher under a step budget, and when that budget
 * or its depth, heap or JIT-stack limits run out, runs the same pattern
 * again with PCRE2's alternative (DFA) matcher, which follows every path
 * at once: prefixed with an anchored (?s:.)*? it visits each subject
 * position once, as Go's does.  The DFA matcher is not free either: it
 * keeps one state per pattern position alive (and compares every new state
 * with the live ones), so its work grows as subject length x pattern size
 * squared -- and with one state per iteration count of a single-item
 * repeat, which is why its form of the pattern puts every repeated item in
 * a group: (?:a)+, whose iterations share a state, not a+, which against n
 * a's keeps n states (cubic time).  It runs only when that work estimate is
 * within DFA_WORK_PER_STEP times the step budget (regex_match_limit);
 * beyond, or when the pattern is too wide for the DFA workspace, the
 * answer is "regex match limit exceeded", a limit error, never a guess.
 *
 * Matching allocates nothing in steady state: each thread keeps its match
 * data (a one-pair ovector: matches() needs no captures) and match context
 * (limits) in thread-specific storage, made on its first match and freed
 * by the key's destructor when the thread ends.  A compiled rpi_regex is
 * immutable and may be shared by any number of threads.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Limits.  Go accepts at most 1000 repetitions in a counted repeat (and in
 * a nest of them, multiplied); PCRE2's default nesting limit (250) is
 * raised to Go's maximum parse depth. */
#define GO_MAX_REPEAT 1000
#define GO_MAX_DEPTH 1000
/* Matching budget.  The backtracking matcher gets the budget in steps
 * (rp_env_options.regex_match_limit; RPI_REGEX_BUDGET when none is given)
 * in all (PCRE2 counts its match limit per start position, so an
 * unanchored search gets the budget divided among the positions, with a
 * floor); past that, or past its depth, heap or JIT stack limits, the
 * same pattern is run by PCRE2's alternative (DFA) matcher, which keeps
 * every path at once, if its work estimate fits (see the top of the
 * file).  Otherwise, or when the DFA workspace is too small, the answer
 * is "regex match limit exceeded". */
#define RPI_REGEX_BUDGET 1000000u
#define RPI_REGEX_MIN_PER_START 100u
#define RPI_REGEX_DEPTH_LIMIT 10000u
#define RPI_REGEX_HEAP_LIMIT_KIB (8u * 1024u)
#define DFA_WORKSPACE 3000          /* ints on the C stack (12 KiB) */
#define DFA_WORKSPACE_BIG 300000    /* ints on the heap, for wide patterns */
#define MAX_RUNE 0x10FFFF

struct rpi_regex {
    int refs;               /* references (atomic): programs, thread caches */
    pcre2_code *code;       /* the pattern, JIT-compiled when possible */
    bool anchored;          /* the pattern can only match at the start */
    char *pattern;          /* the pattern as written, for the DFA form */
    size_t len;
    /* The DFA form, (?s:.)*?(?:pattern) anchored, made when a match first
     * needs it (most patterns never exhaust the backtracking budget, and
     * a second PCRE2 compile would double the cost of compiling a
     * matches() literal); published like JIT below.  DFA_FAILED when
     * PCRE2 cannot compile it (too large): no linear fallback then. */
    struct dfa_form *dfa;
    int dfa_failed;
    /* A JIT-compiled copy of CODE, made by the first match (JIT compiling
     * costs more than the rest of a compile, and a pattern may never run:
     * V8 too compiles a regex when it first runs) and published with a
     * compare-and-swap, since threads share a program's regexes; JIT_FAILED
     * when PCRE2 has no JIT here, and the matches interpret CODE.  Matches
     * with it call pcre2_jit_match, which skips pcre2_match's checks
     * (subjects are CEL strings, valid UTF-8 always). */
    pcre2_code *jit;
    int jit_failed;
};

struct dfa_form {
    pcre2_code *code;
    size_t size;            /* bytes of its compiled code (PCRE2's header
                               aside): its work estimate */
};

/* The DFA matcher runs when (subject length + 1) x dfa_size^2 is at most
 * this many times the step budget. */
#define DFA_WORK_PER_STEP 1000.0

/* ---- The translator -------------------------------------------------------- */

typedef struct group {
    size_t out_start;   /* where its output begins */
    bool fold, multi;   /* (?i), (?m) in force outside it, restored at ')' */
    uint32_t need;      /* largest repeat need inside it (see repeat_need) */
} group;

typedef struct xlat {
    const char *pat;    /* the whole Go pattern */
    size_t len;
    char *out;          /* the PCRE2 pattern being written */
    size_t olen, ocap;
    bool oom;
    char *errbuf;
    size_t errlen;
    bool failed;
    bool fold;          /* (?i) in force */
    bool multi;         /* (?m) in force */
    group *groups;
    size_t ngroups, capgroups;
    /* The operand of a following repetition: the last item of the current
     * alternative, as an output span, or none (has_item false). */
    bool has_item;
    size_t item_start, item_end;
    bool item_is_assertion;
    bool item_quantified;   /* already ends in a quantifier: wrap before another */
    bool dfa_form;          /* for the DFA matcher: every repeated item in a group */
    uint32_t item_need;
    uint32_t alt_need;  /* largest need of the finished items of the current group */
    /* Go's lastRepeat: the input offset of the repetition operator just
     * parsed, or SIZE_MAX when the previous token was something else. */
    size_t last_repeat;
} xlat;

/* How much of EXPR an error message quotes: at most MAX_QUOTED bytes, cut
 * on a character boundary so that the message stays valid UTF-8 and fits
 * the callers' 256-byte buffers. */
#define MAX_QUOTED 160
static int quoted_len(const char *expr, size_t len)
{
    if (len > MAX_QUOTED) {
        len = MAX_QUOTED;
        while (len > 0 && ((unsigned char)expr[len] & 0xC0) == 0x80)
            len--;
    }
    return (int)len;
}

/* Go's message: "error parsing regexp: <code>: `<expr>`". */
static void fail(xlat *x, const char *code, const char *expr, size_t exprlen)
{
    if (x->failed)
        return;
    x->failed = true;
    exprlen = (size_t)quoted_len(expr, exprlen);
    if (x->errbuf && x->errlen)
        snprintf(x->errbuf, x->errlen, "error parsing regexp: %s: `%.*s`", code, (int)exprlen,
                 expr);
}

/* The offset of the first byte of S that is not part of valid UTF-8. */
static size_t utf8_bad_offset(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = 1;
        while (k <= 4 && i + k <= n && !rpi_utf8_valid(s + i, k))
            k++;
        if (k > 4 || i + k > n)
            return i;
        i += k;
    }
    return n;
}

/* Go's error codes (regexp/syntax ErrorCode strings). */
#define E_INVALID_CHAR_RANGE  "invalid character class range"
#define E_INVALID_ESCAPE      "invalid escape sequence"
#define E_INVALID_NAMED_CAP   "invalid named capture"
#define E_INVALID_PERL_OP     "invalid or unsupported Perl syntax"
#define E_INVALID_REPEAT_OP   "invalid nested repetition operator"
#define E_INVALID_REPEAT_SIZE "invalid repeat count"
#define E_INVALID_UTF8        "invalid UTF-8"
#define E_MISSING_BRACKET     "missing closing ]"
#define E_MISSING_PAREN       "missing closing )"
#define E_MISSING_REPEAT_ARG  "missing argument to repetition operator"
#define E_TRAILING_BACKSLASH  "trailing backslash at end of expression"
#define E_UNEXPECTED_PAREN    "unexpected )"
#define E_NESTING_DEPTH       "expression nests too deeply"
#define E_LARGE               "expression too large"

static void put(xlat *x, const char *s, size_t n)
{
    if (x->oom)
        return;
    if (x->olen + n + 1 > x->ocap) {
        size_t cap = x->ocap ? x->ocap : 64;
        while (x->olen + n + 1 > cap)
            cap *= 2;
        char *p = realloc(x->out, cap);
        if (!p) {
            x->oom = true;
            return;
        }
        x->out = p;
        x->ocap = cap;
    }
    memcpy(x->out + x->olen, s, n);
    x->olen += n;
    x->out[x->olen] = '\0';
}

static void puts_(xlat *x, const char *s)
{
    put(x, s, strlen(s));
}

/* Insert S at output offset AT (for quantifiers placed after an item that
 * a flag group has followed, and for wrapping assertions). */
static void insert(xlat *x, size_t at, const char *s)
{
    size_t n = strlen(s), tail = x->olen - at;
    put(x, s, n); /* grows the buffer */
    if (x->oom)
        return;
    memmove(x->out + at + n, x->out + at, tail);
    memcpy(x->out + at, s, n);
}

/* \x{HEX} for C at B (at least 13 bytes); returns the end.  By hand: a
 * translation writes one per character of every class, and snprintf costs
 * as much as the rest of the translation. */
static char *hex_escape(char *b, uint32_t c)
{
    static const char digits[] = "0123456789abcdef";
    int shift = 28;
    while (shift > 0 && !(c >> shift))
        shift -= 4;
    *b++ = '\\';
    *b++ = 'x';
    *b++ = '{';
    for (; shift >= 0; shift -= 4)
        *b++ = digits[(c >> shift) & 0xF];
    *b++ = '}';
    *b = '\0';
    return b;
}

static void put_code_point(xlat *x, uint32_t c)
{
    char buf[16];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        buf[0] = (char)c;
        put(x, buf, 1);
        return;
    }
    hex_escape(buf, c);
    puts_(x, buf);
}

/* Decode the rune at P (Go's nextRune).  The whole pattern was checked to
 * be valid UTF-8 before translation, so this only fails at the end. */
static bool next_rune(const char *p, size_t n, uint32_t *c, size_t *size)
{
    if (n == 0)
        return false;
    int len = rpi_utf8_decode(p, n, c);
    if (len <= 0)
        return false;
    *size = (size_t)len;
    return true;
}

/* Start a new item at the current output position. */
static void item_begin(xlat *x, bool assertion)
{
    x->has_item = true;
    x->item_start = x->olen;
    x->item_is_assertion = assertion;
    x->item_quantified = false;
    x->item_need = 0;
}

static void item_end(xlat *x)
{
    x->item_end = x->olen;
    if (x->item_need > x->alt_need)
        x->alt_need = x->item_need;
}

static void literal(xlat *x, uint32_t c)
{
    item_begin(x, c >= 0xD800 && c <= 0xDFFF); /* "(?!)" must be wrapped to repeat */
    if (c >= 0xD800 && c <= 0xDFFF)
        puts_(x, "(?!)"); /* a surrogate never occurs in UTF-8 text */
    else
        put_code_point(x, c);
    item_end(x);
}

static int hexval(uint32_t c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return -1;
}

/* Go's parseEscape: one escaped rune at P (P[0] == '\\').  Returns the
 * number of bytes used, 0 after an error. */
static size_t parse_escape(xlat *x, const char *p, size_t n, uint32_t *r)
{
    if (n < 2) {
        fail(x, E_TRAILING_BACKSLASH, "", 0);
        return 0;
    }
    uint32_t c;
    size_t sz;
    if (!next_rune(p + 1, n - 1, &c, &sz)) {
        fail(x, E_INVALID_UTF8, p + 1, n - 1);
        return 0;
    }
    size_t i = 1 + sz; /* bytes consumed so far */
    if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        *r = c; /* escaped punctuation is itself */
        return i;
    }
    switch (c) {
    case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        /* a lone \1..\7 would be a backreference: not supported */
        if (i >= n || p[i] < '0' || p[i] > '7')
            break;
        /* fall through */
    case '0': {
        uint32_t v = c - '0';
        for (int k = 1; k < 3 && i < n && p[i] >= '0' && p[i] <= '7'; k++)
            v = v * 8 + (uint32_t)(p[i++] - '0');
        *r = v;
        return i;
    }
    case 'x': {
        if (i >= n)
            break;
        uint32_t h;
        size_t hs;
        if (p[i] == '{') {
            /* \x{...}: one or more hex digits up to U+10FFFF */
            uint32_t v = 0;
            size_t j = i + 1, nhex = 0;
            for (;;) {
                if (!next_rune(p + j, n - j, &h, &hs)) {
                    fail(x, E_INVALID_ESCAPE, p, n);
                    return 0;
                }
                j += hs;
                if (h == '}' && nhex > 0) {
                    *r = v;
                    return j;
                }
                if (hexval(h) < 0 || (v = v * 16 + (uint32_t)hexval(h)) > MAX_RUNE || h == '}') {
                    /* Go names what it read, the offending rune included */
                    fail(x, E_INVALID_ESCAPE, p, j);
                    return 0;
                }
                nhex++;
            }
        }
        /* exactly two hex digits; Go names the two runes it read */
        uint32_t a = 0, b = 0;
        size_t sa = 0, sb = 0;
        bool ra = next_rune(p + i, n - i, &a, &sa);
        bool rb = ra && next_rune(p + i + sa, n - i - sa, &b, &sb);
        if (!ra || !rb || hexval(a) < 0 || hexval(b) < 0) {
            fail(x, E_INVALID_ESCAPE, p, i + sa + sb);
            return 0;
        }
        *r = (uint32_t)(hexval(a) * 16 + hexval(b));
        return i + 2;
    }
    case 'a': *r = 0x07; return i;
    case 'f': *r = 0x0C; return i;
    case 'n': *r = 0x0A; return i;
    case 'r': *r = 0x0D; return i;
    case 't': *r = 0x09; return i;
    case 'v': *r = 0x0B; return i;
    default:
        break;
    }
    fail(x, E_INVALID_ESCAPE, p, i);
    return 0;
}

/* The Unicode category and script names Go's regexp knows (unicode.Categories
 * and unicode.Scripts; Unicode 15), and "Any". */
static const char *const unicode_names[] = {
    "Any", "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me",
    "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc",
    "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
    "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese",
    "Bamum", "Bassa_Vah", "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille",
    "Buginese", "Buhid", "Canadian_Aboriginal", "Carian", "Caucasian_Albanian", "Chakma",
    "Cham", "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform", "Cypriot",
    "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan",
    "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic",
    "Gothic", "Grantha", "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul",
    "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana", "Imperial_Aramaic",
    "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi",
    "Kannada", "Katakana", "Kawi", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer",
    "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu",
    "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean",
    "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui",
    "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro",
    "Multani", "Myanmar", "Nabataean", "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa",
    "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Old_Hungarian",
    "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian",
    "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage", "Osmanya",
    "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi",
    "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham",
    "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese",
    "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet",
    "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh",
    "Tirhuta", "Toto", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi",
    "Zanabazar_Square",
};

static bool known_unicode_name(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof unicode_names / sizeof unicode_names[0]; i++)
        if (strlen(unicode_names[i]) == n && memcmp(unicode_names[i], s, n) == 0)
            return true;
    return false;
}

/* Go's parseUnicodeClass at P ("\p..." or "\P..."): writes \p{..}/\P{..}
 * and returns the bytes used, 0 after an error. */
static size_t unicode_class(xlat *x, const char *p, size_t n)
{
    bool neg = p[1] == 'P';
    const char *name;
    size_t namelen, used;
    uint32_t c;
    size_t sz;
    if (n > 2 && p[2] != '{') {
        if (!next_rune(p + 2, n - 2, &c, &sz)) {
            fail(x, E_INVALID_UTF8, p + 2, n - 2);
            return 0;
        }
        name = p + 2;
        namelen = sz;
        used = 2 + sz;
    } else if (n > 2) {
        const char *end = memchr(p, '}', n);
        if (!end) {
            fail(x, E_INVALID_CHAR_RANGE, p, n);
            return 0;
        }
        name = p + 3;
        namelen = (size_t)(end - name);
        used = (size_t)(end - p) + 1;
    } else {
        name = p + 2;
        namelen = 0;
        used = n;
    }
    if (namelen > 0 && name[0] == '^') {
        neg = !neg;
        name++;
        namelen--;
    }
    if (!known_unicode_name(name, namelen)) {
        fail(x, E_INVALID_CHAR_RANGE, p, used);
        return 0;
    }
    /* (?i): Go adds the case variants of the class; PCRE2 never does for
     * \p.  For the cased-letter categories that is the three of them. */
    if (x->fold && namelen == 2 && name[0] == 'L' &&
        (name[1] == 'u' || name[1] == 'l' || name[1] == 't')) {
        puts_(x, neg ? "\\P{L&}" : "\\p{L&}");
        return used;
    }
    puts_(x, neg ? "\\P{" : "\\p{");
    put(x, name, namelen);
    puts_(x, "}");
    return used;
}

/* A class item lo-hi, without surrogates (PCRE2 refuses them in UTF mode;
 * no UTF-8 text contains them).  Returns whether anything was written. */
static bool class_range(xlat *x, uint32_t lo, uint32_t hi)
{
    char buf[40];
    if (lo >= 0xD800 && hi <= 0xDFFF)
        return false;
    if (lo < 0xD800 && hi > 0xDFFF) {
        class_range(x, lo, 0xD7FF);
        return class_range(x, 0xE000, hi);
    }
    if (lo >= 0xD800 && lo <= 0xDFFF)
        lo = 0xE000;
    if (hi >= 0xD800 && hi <= 0xDFFF)
        hi = 0xD7FF;
    char *end = hex_escape(buf, lo);
    if (lo != hi) {
        *end++ = '-';
        hex_escape(end, hi);
    }
    puts_(x, buf);
    return true;
}

/* The ASCII classes of Go's regexp (perl_groups.go): \d \s \w and the
 * POSIX [:name:] ones, as ranges.  They are written out as explicit ranges
 * rather than left to PCRE2, whose \s and (?i) handling differ. */
typedef struct ascii_class {
    const char *name;
    uint8_t n;
    uint8_t r[5][2];
} ascii_class;

static const ascii_class perl_classes[] = {
    {"d", 1, {{'0', '9'}}},
    {"s", 3, {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}}},
    {"w", 4, {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}},
};

static const ascii_class posix_classes[] = {
    {"alnum", 3, {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
    {"alpha", 2, {{'A', 'Z'}, {'a', 'z'}}},
    {"ascii", 1, {{0x00, 0x7f}}},
    {"blank", 2, {{'\t', '\t'}, {' ', ' '}}},
    {"cntrl", 2, {{0x00, 0x1f}, {0x7f, 0x7f}}},
    {"digit", 1, {{'0', '9'}}},
    {"graph", 1, {{'!', '~'}}},
    {"lower", 1, {{'a', 'z'}}},
    {"print", 1, {{' ', '~'}}},
    {"punct", 4, {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
    {"space", 2, {{'\t', '\r'}, {' ', ' '}}},
    {"upper", 1, {{'A', 'Z'}}},
    {"word", 4, {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}},
    {"xdigit", 3, {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
};

#define KELVIN_SIGN 0x212A
#define LONG_S 0x017F

static bool in_ascii_class(const ascii_class *c, uint32_t ch)
{
    for (unsigned i = 0; i < c->n; i++)
        if (ch >= c->r[i][0] && ch <= c->r[i][1])
            return true;
    return false;
}

/* Write class C (NEG: its complement) as class items.  Under (?i) Go closes
 * the class under case folding first, which adds the other ASCII case and,
 * for classes holding k or s, U+212A KELVIN SIGN and U+017F LONG S; the
 * complement is taken after that (regexp/syntax appendGroup). */
static void ascii_class_items(xlat *x, const ascii_class *c, bool neg, bool fold)
{
    bool member[128];
    for (uint32_t ch = 0; ch < 128; ch++)
        member[ch] = in_ascii_class(c, ch);
    bool kelvin = false, long_s = false;
    if (fold) {
        for (uint32_t ch = 'A'; ch <= 'Z'; ch++)
            if (member[ch] || member[ch + 32])
                member[ch] = member[ch + 32] = true;
        kelvin = member['k'];
        long_s = member['s'];
    }
    uint32_t start = 0;
    bool open = false;
    for (uint32_t ch = 0; ch <= 128; ch++) {
        bool in = ch < 128 ? member[ch] != neg : false;
        if (in && !open) {
            start = ch;
            open = true;
        } else if (!in && open) {
            class_range(x, start, ch - 1);
            open = false;
        }
    }
    if (!neg) {
        if (long_s)
            class_range(x, LONG_S, LONG_S);
        if (kelvin)
            class_range(x, KELVIN_SIGN, KELVIN_SIGN);
        return;
    }
    /* the complement above ASCII, around the two folded extras */
    uint32_t lo = 0x80;
    if (long_s) {
        class_range(x, lo, LONG_S - 1);
        lo = LONG_S + 1;
    }
    if (kelvin) {
        class_range(x, lo, KELVIN_SIGN - 1);
        lo = KELVIN_SIGN + 1;
    }
    class_range(x, lo, MAX_RUNE);
}

/* \d \D \s \S \w \W at P, inside a class (IN_CLASS) or not; 0 if P is not one. */
static size_t perl_class(xlat *x, const char *p, size_t n, bool in_class)
{
    if (n < 2 || p[0] != '\\')
        return 0;
    char c = p[1];
    bool neg = c == 'D' || c == 'S' || c == 'W';
    char lower = neg ? (char)(c + 32) : c;
    for (size_t i = 0; i < sizeof perl_classes / sizeof perl_classes[0]; i++) {
        if (perl_classes[i].name[0] != lower)
            continue;
        if (!in_class)
            puts_(x, "[");
        ascii_class_items(x, &perl_classes[i], neg, x->fold);
        if (!in_class)
            puts_(x, "]");
        return 2;
    }
    return 0;
}

/* Go's parseClass at P (P[0] == '['); returns the bytes used, 0 on error. */
static size_t parse_class(xlat *x, const char *p, size_t n)
{
    size_t i = 1;
    bool neg = false, first = true, any = false;
    item_begin(x, false);
    size_t out_start = x->olen;
    if (i < n && p[i] == '^') {
        neg = true;
        i++;
    }
    puts_(x, neg ? "[^" : "[");
    for (;;) {
        if (i < n && p[i] == ']' && !first)
            break;
        first = false;
        const char *t = p + i;
        size_t tn = n - i, used;
        /* [:alpha:] */
        if (tn > 2 && t[0] == '[' && t[1] == ':') {
            const char *close = NULL;
            for (size_t k = 2; k + 1 < tn; k++)
                if (t[k] == ':' && t[k + 1] == ']') {
                    close = t + k;
                    break;
                }
            if (close) {
                const char *name = t + 2;
                size_t namelen = (size_t)(close - name), whole = namelen + 4;
                bool cneg = namelen > 0 && name[0] == '^';
                if (cneg) {
                    name++;
                    namelen--;
                }
                const ascii_class *pc = NULL;
                for (size_t k = 0; k < sizeof posix_classes / sizeof posix_classes[0]; k++)
                    if (strlen(posix_classes[k].name) == namelen &&
                        memcmp(posix_classes[k].name, name, namelen) == 0)
                        pc = &posix_classes[k];
                if (!pc) {
                    fail(x, E_INVALID_CHAR_RANGE, t, whole);
                    return 0;
                }
                ascii_class_items(x, pc, cneg, x->fold);
                any = true;
                i += whole;
                continue;
            }
        }
        if (tn >= 2 && t[0] == '\\' && (t[1] == 'p' || t[1] == 'P')) {
            if ((used = unicode_class(x, t, tn)) == 0)
                return 0;
            any = true;
            i += used;
            continue;
        }
        if ((used = perl_class(x, t, tn, true)) != 0) {
            any = true;
            i += used;
            continue;
        }
        /* a character or a range */
        uint32_t lo, hi;
        if (tn == 0) {
            fail(x, E_MISSING_BRACKET, p, n);
            return 0;
        }
        size_t start = i;
        if (t[0] == '\\') {
            if ((used = parse_escape(x, t, tn, &lo)) == 0)
                return 0;
        } else if (!next_rune(t, tn, &lo, &used)) {
            fail(x, E_INVALID_UTF8, t, tn);
            return 0;
        }
        i += used;
        hi = lo;
        if (n - i >= 2 && p[i] == '-' && p[i + 1] != ']') {
            i++;
            t = p + i;
            tn = n - i;
            if (t[0] == '\\') {
                if ((used = parse_escape(x, t, tn, &hi)) == 0)
                    return 0;
            } else if (!next_rune(t, tn, &hi, &used)) {
                fail(x, E_INVALID_UTF8, t, tn);
                return 0;
            }
            i += used;
            if (hi < lo) {
                fail(x, E_INVALID_CHAR_RANGE, p + start, i - start);
                return 0;
            }
        }
        if (class_range(x, lo, hi))
            any = true;
    }
    i++; /* ']' */
    if (!any) {
        /* only surrogates: nothing (or, negated, everything) matches */
        x->olen = out_start;
        puts_(x, neg ? "(?s:.)" : "(?!)");
    } else {
        puts_(x, "]");
    }
    item_end(x);
    return i;
}

/* Go's parseInt for repeat counts: no leading zeros; -1 beyond 1e8. */
static bool repeat_int(const char *p, size_t n, size_t *i, int *out)
{
    if (*i >= n || p[*i] < '0' || p[*i] > '9')
        return false;
    if (n - *i >= 2 && p[*i] == '0' && p[*i + 1] >= '0' && p[*i + 1] <= '9')
        return false;
    int v = 0;
    for (; *i < n && p[*i] >= '0' && p[*i] <= '9'; (*i)++)
        if (v >= 0)
            v = v >= 100000000 ? -1 : v * 10 + (p[*i] - '0');
    *out = v;
    return true;
}

/* Go's parseRepeat at P ('{'): false when it is not a repeat (then '{' is
 * a literal).  MAX is -1 for {n,}. */
static bool parse_repeat(const char *p, size_t n, int *min, int *max, size_t *used)
{
    size_t i = 1;
    if (!repeat_int(p, n, &i, min) || i >= n)
        return false;
    if (p[i] != ',') {
        *max = *min;
    } else {
        i++;
        if (i >= n)
            return false;
        if (p[i] == '}') {
            *max = -1;
        } else {
            if (!repeat_int(p, n, &i, max))
                return false;
            if (*max < 0)
                *min = -1;
        }
    }
    if (i >= n || p[i] != '}')
        return false;
    *used = i + 1;
    return true;
}

/* How deep a nest of counted repeats an item holds, as the least budget
 * for which Go's repeatIsValid(item, budget) holds: {m} or {m,n} with
 * n != 0 multiplies its operand's need by n (or m when unbounded), so an
 * item is valid under Go's 1000 iff its need is at most 1000.  Saturates
 * just above the limit. */
static uint32_t repeat_need(uint32_t sub, int min, int max)
{
    if (max == 0)
        return 0;
    uint32_t m = (uint32_t)(max > 0 ? max : min);
    if (m == 0)
        return sub;
    uint64_t need = (uint64_t)m * (sub > 0 ? sub : 1);
    return need > GO_MAX_REPEAT ? GO_MAX_REPEAT + 1 : (uint32_t)need;
}

/* A repetition operator OP (output text, e.g. "*", "{2,5}") at input
 * offset AT; END is the input offset after it.  Go's p.repeat. */
static size_t repetition(xlat *x, const char *op, size_t at, size_t end, bool counted, int min,
                         int max)
{
    bool lazy = end < x->len && x->pat[end] == '?';
    if (lazy)
        end++;
    if (x->last_repeat != SIZE_MAX) {
        fail(x, E_INVALID_REPEAT_OP, x->pat + x->last_repeat, end - x->last_repeat);
        return 0;
    }
    if (!x->has_item) {
        fail(x, E_MISSING_REPEAT_ARG, x->pat + at, end - at);
        return 0;
    }
    uint32_t need = x->item_need;
    if (counted) {
        need = repeat_need(need, min, max);
        if ((min >= 2 || max >= 2) && need > GO_MAX_REPEAT) {
            fail(x, E_INVALID_REPEAT_SIZE, x->pat + at, end - at);
            return 0;
        }
    }
    char q[32];
    size_t ol = strlen(op);
    if (ol > sizeof q - 2)
        ol = sizeof q - 2;
    memcpy(q, op, ol);
    if (lazy)
        q[ol++] = '?';
    q[ol] = '\0';
    if (x->item_is_assertion || x->item_quantified || x->dfa_form) {
        /* PCRE2 repeats neither an assertion nor a quantified item (Go
         * allows a** apart, as in a*(?i)*); the DFA form groups every
         * repeated item (see the top of the file) */
        insert(x, x->item_end, ")");
        insert(x, x->item_start, "(?:");
        x->item_end += 4;
        x->item_is_assertion = false;
    }
    insert(x, x->item_end, q);
    x->item_end += strlen(q);
    x->item_quantified = true;
    x->item_need = need;
    if (need > x->alt_need)
        x->alt_need = need;
    x->last_repeat = at;
    return end - at;
}

enum { PERL_CAPTURE, PERL_GROUP, PERL_FLAGS };

/* Go's parsePerlFlags at P ("(?..."): a named capture, a group with flags
 * "(?flags:" or a flag change "(?flags)".  Returns the bytes used (0 on
 * error), the kind, and in FLAGS the flag letters as written. */
static size_t perl_flags(xlat *x, const char *p, size_t n, int *kind, char *flags, bool *fold,
                         bool *multi)
{
    /* (?P<name>re) and (?<name>re): a capture; the name is not needed */
    bool with_p = n > 4 && p[2] == 'P' && p[3] == '<';
    bool with_lt = n > 3 && p[2] == '<';
    if (with_p || with_lt) {
        size_t name_at = with_p ? 4 : 3;
        const char *gt = memchr(p, '>', n);
        if (!gt) {
            if (!rpi_utf8_valid(p, n))
                fail(x, E_INVALID_UTF8, p, n);
            else
                fail(x, E_INVALID_NAMED_CAP, p, n);
            return 0;
        }
        size_t end = (size_t)(gt - p);
        if (!rpi_utf8_valid(p + name_at, end - name_at)) {
            fail(x, E_INVALID_UTF8, p + name_at, end - name_at);
            return 0;
        }
        bool ok = end > name_at;
        for (size_t i = name_at; i < end; i++) {
            char c = p[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_'))
                ok = false;
        }
        if (!ok) {
            fail(x, E_INVALID_NAMED_CAP, p, end + 1);
            return 0;
        }
        *kind = PERL_CAPTURE;
        return end + 1;
    }
    static const char letters[] = "imsU";
    unsigned on = 0, off = 0;
    bool neg = false, saw = false;
    size_t i = 2;
    *fold = x->fold;
    *multi = x->multi;
    while (i < n) {
        uint32_t c;
        size_t sz;
        if (!next_rune(p + i, n - i, &c, &sz)) {
            fail(x, E_INVALID_UTF8, p + i, n - i);
            return 0;
        }
        i += sz;
        const char *f = c < 0x80 && c ? strchr(letters, (int)c) : NULL;
        if (f) {
            unsigned bit = 1u << (f - letters);
            if (neg) {
                off |= bit;
                on &= ~bit;
            } else {
                on |= bit;
            }
            if (c == 'i')
                *fold = !neg;
            if (c == 'm')
                *multi = !neg;
            saw = true;
            continue;
        }
        if (c == '-' && !neg) {
            neg = true;
            saw = false;
            continue;
        }
        if ((c == ':' || c == ')') && !(neg && !saw)) {
            /* the net change, in PCRE2's syntax (same letters, same meaning) */
            size_t k = 0;
            for (int b = 0; b < 4; b++)
                if (on & (1u << b))
                    flags[k++] = letters[b];
            if (off) {
                flags[k++] = '-';
                for (int b = 0; b < 4; b++)
                    if (off & (1u << b))
                        flags[k++] = letters[b];
            }
            flags[k] = '\0';
            *kind = c == ':' ? PERL_GROUP : PERL_FLAGS;
            return i;
        }
        break;
    }
    fail(x, E_INVALID_PERL_OP, p, i);
    return 0;
}

static bool push_group(xlat *x)
{
    if (x->ngroups >= GO_MAX_DEPTH) {
        fail(x, E_NESTING_DEPTH, x->pat, x->len);
        return false;
    }
    if (x->ngroups == x->capgroups) {
        size_t cap = x->capgroups ? x->capgroups * 2 : 16;
        group *g = realloc(x->groups, cap * sizeof *g);
        if (!g) {
            x->oom = true;
            return false;
        }
        x->groups = g;
        x->capgroups = cap;
    }
    group *g = &x->groups[x->ngroups++];
    g->out_start = x->olen;
    g->fold = x->fold;
    g->multi = x->multi;
    g->need = x->alt_need;
    x->has_item = false;
    x->alt_need = 0;
    return true;
}

/* ')': the group becomes the operand of a following repetition. */
static bool pop_group(xlat *x)
{
    if (x->ngroups == 0) {
        fail(x, E_UNEXPECTED_PAREN, x->pat, x->len);
        return false;
    }
    group *g = &x->groups[--x->ngroups];
    puts_(x, ")");
    uint32_t inner = x->alt_need;
    x->fold = g->fold;
    x->multi = g->multi;
    x->alt_need = g->need;
    x->has_item = true;
    x->item_start = g->out_start;
    x->item_is_assertion = false;
    x->item_quantified = false;
    x->item_need = inner;
    item_end(x);
    return true;
}

static void assertion(xlat *x, const char *text)
{
    item_begin(x, true);
    puts_(x, text);
    item_end(x);
}

/* The main loop of Go's regexp/syntax parse, writing PCRE2 syntax. */
static void translate(xlat *x)
{
    const char *p = x->pat;
    size_t n = x->len, i = 0;
    x->last_repeat = SIZE_MAX;
    while (i < n && !x->failed && !x->oom) {
        size_t repeat_at = SIZE_MAX, used = 0;
        const char *t = p + i;
        size_t tn = n - i;
        switch (t[0]) {
        case '(':
            if (tn >= 2 && t[1] == '?') {
                int kind = PERL_FLAGS;
                char flags[16] = "";
                bool fold = x->fold, multi = x->multi;
                if ((used = perl_flags(x, t, tn, &kind, flags, &fold, &multi)) == 0)
                    break;
                if (kind == PERL_FLAGS) {
                    if (flags[0]) {
                        puts_(x, "(?");
                        puts_(x, flags);
                        puts_(x, ")");
                    }
                    x->fold = fold;
                    x->multi = multi;
                    break;
                }
                if (!push_group(x))
                    break;
                puts_(x, "(?");
                puts_(x, kind == PERL_GROUP ? flags : "");
                puts_(x, ":");
                x->fold = fold;
                x->multi = multi;
                break;
            }
            if (push_group(x))
                puts_(x, "(?:");
            used = 1;
            break;
        case '|':
            puts_(x, "|");
            x->has_item = false;
            used = 1;
            break;
        case ')':
            pop_group(x);
            used = 1;
            break;
        case '^':
            assertion(x, "^");
            used = 1;
            break;
        case '$':
            /* Go's $ is \z, or with (?m) before any \n too (PCRE2's $ in
             * multiline mode).  Not DOLLAR_ENDONLY: PCRE2 10.42's DFA
             * matcher applies it in multiline mode as well. */
            assertion(x, x->multi ? "$" : "\\z");
            used = 1;
            break;
        case '.':
            item_begin(x, false);
            puts_(x, ".");
            item_end(x);
            used = 1;
            break;
        case '[':
            used = parse_class(x, t, tn);
            break;
        case '*':
        case '+':
        case '?': {
            char op[2] = {t[0], 0};
            used = repetition(x, op, i, i + 1, false, 0, 0);
            repeat_at = i;
            break;
        }
        case '{': {
            int min, max;
            size_t rl;
            if (!parse_repeat(t, tn, &min, &max, &rl)) {
                literal(x, '{');
                used = 1;
                break;
            }
            if (min < 0 || min > GO_MAX_REPEAT || max > GO_MAX_REPEAT || (max >= 0 && min > max)) {
                fail(x, E_INVALID_REPEAT_SIZE, t, rl);
                break;
            }
            char op[32];
            if (max < 0)
                snprintf(op, sizeof op, "{%d,}", min);
            else
                snprintf(op, sizeof op, "{%d,%d}", min, max);
            used = repetition(x, op, i, i + rl, true, min, max);
            repeat_at = i;
            break;
        }
        case '\\':
            if (tn >= 2) {
                switch (t[1]) {
                case 'A': assertion(x, "\\A"); used = 2; break;
                case 'b': assertion(x, "\\b"); used = 2; break;
                case 'B': assertion(x, "\\B"); used = 2; break;
                case 'z': assertion(x, "\\z"); used = 2; break;
                case 'C': fail(x, E_INVALID_ESCAPE, t, 2); break;
                case 'Q': {
                    /* \Q...\E: literals up to \E or the end */
                    size_t j = i + 2;
                    while (j < n && !(p[j] == '\\' && j + 1 < n && p[j + 1] == 'E')) {
                        uint32_t c;
                        size_t sz;
                        if (!next_rune(p + j, n - j, &c, &sz)) {
                            fail(x, E_INVALID_UTF8, p + j, n - j);
                            break;
                        }
                        literal(x, c);
                        j += sz;
                    }
                    used = (j < n ? j + 2 : n) - i;
                    break;
                }
                default:
                    break;
                }
                if (used || x->failed)
                    break;
                if (t[1] == 'p' || t[1] == 'P') {
                    item_begin(x, false);
                    used = unicode_class(x, t, tn);
                    item_end(x);
                    break;
                }
                item_begin(x, false);
                used = perl_class(x, t, tn, false);
                item_end(x);
                if (used)
                    break;
            }
            {
                uint32_t c;
                if ((used = parse_escape(x, t, tn, &c)) != 0)
                    literal(x, c);
            }
            break;
        default: {
            uint32_t c;
            if (!next_rune(t, tn, &c, &used)) {
                fail(x, E_INVALID_UTF8, t, tn);
                break;
            }
            literal(x, c);
            break;
        }
        }
        if (used == 0 && !x->failed && !x->oom)
            fail(x, E_INVALID_ESCAPE, t, 1); /* not reached: every branch uses input or fails */
        i += used;
        x->last_repeat = repeat_at;
    }
    if (!x->failed && !x->oom && x->ngroups > 0)
        fail(x, E_MISSING_PAREN, x->pat, x->len);
}

/* ---- Compiling ---------------------------------------------------------------- */

static pcre2_code *compile_pcre(const char *pat, size_t len, uint32_t extra, int *ec)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc) {
        *ec = PCRE2_ERROR_HEAP_FAILED;
        return NULL;
    }
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    pcre2_set_parens_nest_limit(cc, GO_MAX_DEPTH + 2);
    PCRE2_SIZE eo;
    uint32_t opts = PCRE2_UTF | PCRE2_NO_UTF_CHECK | /* the translation is ASCII */
                    PCRE2_ALT_CIRCUMFLEX | PCRE2_NEVER_BACKSLASH_C |
                    PCRE2_NEVER_UCP | extra;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len, opts, ec, &eo, cc);
    pcre2_compile_context_free(cc);
    return code;
}

/* The compiled size of the DFA form of the empty pattern: what every
 * pattern's size has besides its own code (PCRE2's header), measured once. */
static pthread_once_t base_once = PTHREAD_ONCE_INIT;
static size_t base_size;

static void base_size_init(void)
{
    int ec;
    pcre2_code *code = compile_pcre("(?s:.)*?(?:)", 12, PCRE2_ANCHORED, &ec);
    if (code)
        pcre2_pattern_info(code, PCRE2_INFO_SIZE, &base_size);
    pcre2_code_free(code);
}

static size_t dfa_base_size(void)
{
    pthread_once(&base_once, base_size_init);
    return base_size;
}

rpi_regex *rpi_regex_compile(const char *pattern, size_t len, char *errbuf, size_t errlen)
{
    if (errbuf && errlen)
        errbuf[0] = '\0';
    xlat x;
    memset(&x, 0, sizeof x);
    x.pat = pattern ? pattern : "";
    x.len = pattern ? len : 0;
    x.errbuf = errbuf;
    x.errlen = errlen;
    if (!rpi_utf8_valid(x.pat, x.len)) {
        /* Go names the text from the bad byte on; its bytes are shown
         * escaped so that the message itself is valid UTF-8 */
        size_t bad = utf8_bad_offset(x.pat, x.len);
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "error parsing regexp: %s: `\\x%02x...`", E_INVALID_UTF8,
                     (unsigned char)x.pat[bad]);
        return NULL;
    }
    translate(&x);
    free(x.groups);
    if (x.oom && !x.failed && errbuf && errlen)
        snprintf(errbuf, errlen, "out of memory");
    if (x.failed || x.oom) {
        free(x.out);
        return NULL;
    }
    rpi_regex *re = calloc(1, sizeof *re);
    int ec = PCRE2_ERROR_HEAP_FAILED;
    if (re)
        re->refs = 1;
    if (re && (re->pattern = malloc(x.len ? x.len : 1)) != NULL) {
        memcpy(re->pattern, x.pat, x.len);
        re->len = x.len;
        re->code = compile_pcre(x.out ? x.out : "", x.olen, 0, &ec);
    }
    free(x.out);
    if (!re || !re->code) {
        /* Go accepted it; PCRE2 can still refuse, mostly for size. */
        if (errbuf && errlen) {
            if (ec == PCRE2_ERROR_HEAP_FAILED) {
                snprintf(errbuf, errlen, "out of memory");
            } else if (ec == PCRE2_ERROR_PATTERN_TOO_LARGE ||
                       ec == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP) {
                snprintf(errbuf, errlen, "error parsing regexp: %s: `%.*s`", E_LARGE,
                         quoted_len(pattern, len), pattern);
            } else {
                char msg[160];
                pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof msg);
                snprintf(errbuf, errlen, "error parsing regexp: %s: `%.*s`", msg,
                         quoted_len(pattern, len), pattern);
            }
        }
        rpi_regex_free(re);
        return NULL;
    }
    uint32_t all = 0;
    pcre2_pattern_info(re->code, PCRE2_INFO_ALLOPTIONS, &all);
    re->anchored = (all & PCRE2_ANCHORED) != 0;
    return re;
}

/* Make RE's DFA form: NULL with *EC set when PCRE2 cannot (EC
 * PCRE2_ERROR_HEAP_FAILED: out of memory, worth another try later). */
static struct dfa_form *dfa_form_new(const rpi_regex *re, int *ec)
{
    /* the prefix, then the same translation with repeated items grouped
     * (it cannot fail where the first one did not) */
    xlat d;
    memset(&d, 0, sizeof d);
    d.pat = re->pattern;
    d.len = re->len;
    d.dfa_form = true;
    puts_(&d, "(?s:.)*?(?:");
    translate(&d);
    puts_(&d, ")");
    free(d.groups);
    struct dfa_form *f = d.oom || d.failed ? NULL : calloc(1, sizeof *f);
    *ec = PCRE2_ERROR_HEAP_FAILED;
    if (f && (f->code = compile_pcre(d.out, d.olen, PCRE2_ANCHORED, ec)) != NULL) {
        size_t size = 0, base = dfa_base_size();
        pcre2_pattern_info(f->code, PCRE2_INFO_SIZE, &size);
        f->size = size > base ? size - base : 1;
    } else {
        free(f);
        f = NULL;
    }
    free(d.out);
    return f;
}

static void dfa_form_free(struct dfa_form *f)
{
    if (f) {
        pcre2_code_free(f->code);
        free(f);
    }
}

/* RE's DFA form, made on first use; NULL when PCRE2 cannot compile it
 * (*OOM: for want of memory). */
static const struct dfa_form *dfa_get(const rpi_regex *re, bool *oom)
{
    rpi_regex *w = (rpi_regex *)re; /* the lazily filled members are atomic */
    *oom = false;
    struct dfa_form *f = __atomic_load_n(&w->dfa, __ATOMIC_ACQUIRE);
    if (f || __atomic_load_n(&w->dfa_failed, __ATOMIC_RELAXED))
        return f;
    int ec;
    struct dfa_form *mine = dfa_form_new(re, &ec);
    if (!mine) {
        if (ec == PCRE2_ERROR_HEAP_FAILED)
            *oom = true;
        else
            __atomic_store_n(&w->dfa_failed, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    struct dfa_form *expected = NULL;
    if (__atomic_compare_exchange_n(&w->dfa, &expected, mine, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return mine;
    dfa_form_free(mine); /* another thread was first */
    return expected;
}

rpi_regex *rpi_regex_ref(rpi_regex *re)
{
    if (re)
        __atomic_add_fetch(&re->refs, 1, __ATOMIC_RELAXED);
    return re;
}

void rpi_regex_free(rpi_regex *re)
{
    if (!re || __atomic_sub_fetch(&re->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    pcre2_code_free(re->code);
    pcre2_code_free(re->jit);
    dfa_form_free(re->dfa);
    free(re->pattern);
    free(re);
}

static const pcre2_code *jit_compile_once(rpi_regex *w);

/* RE's JIT-compiled code, made on first use; NULL when there is no JIT (or
 * no memory for it): interpret RE->code then. */
static inline const pcre2_code *jit_code(const rpi_regex *re)
{
    rpi_regex *w = (rpi_regex *)re; /* the lazily filled members are atomic */
    pcre2_code *code = __atomic_load_n(&w->jit, __ATOMIC_ACQUIRE);
    if (code || __atomic_load_n(&w->jit_failed, __ATOMIC_RELAXED))
        return code;
    return jit_compile_once(w);
}

static __attribute__((noinline)) const pcre2_code *jit_compile_once(rpi_regex *w)
{
    pcre2_code *mine = pcre2_code_copy(w->code);
    if (!mine || pcre2_jit_compile(mine, PCRE2_JIT_COMPLETE) != 0) {
        pcre2_code_free(mine);
        __atomic_store_n(&w->jit_failed, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    pcre2_code *expected = NULL;
    if (__atomic_compare_exchange_n(&w->jit, &expected, mine, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return mine;
    pcre2_code_free(mine); /* another thread was first */
    return expected;
}

/* ---- Matching ------------------------------------------------------------------- */

/* What a thread reuses from match to match. */
/* Patterns that are not constants (`s.matches(params.pattern)`) are
 * compiled when the call runs; a check calls them for every object, so each
 * thread keeps the last REGEX_CACHE_SIZE of them, least recently used out.
 * The compiler goes through the same cache for constant patterns (and takes
 * a reference for its program), so a pack that repeats a pattern compiles
 * it once. */
#define REGEX_CACHE_SIZE 32
#define REGEX_CACHE_MAX_PATTERN 4096

typedef struct cached_regex {
    char *pattern;          /* NULL: an empty entry */
    size_t len;
    rpi_regex *re;
    uint64_t used;          /* tick of the last use */
} cached_regex;

typedef struct scratch {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    cached_regex cache[REGEX_CACHE_SIZE];
    uint64_t tick;
} scratch;

static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static pthread_key_t scratch_key;
static bool scratch_key_ok;

static void scratch_free(scratch *sc)
{
    if (!sc)
        return;
    pcre2_match_data_free(sc->md);
    pcre2_match_context_free(sc->mctx);
    for (int i = 0; i < REGEX_CACHE_SIZE; i++) {
        free(sc->cache[i].pattern);
        rpi_regex_free(sc->cache[i].re);
    }
    free(sc);
}

static void scratch_destroy(void *p)
{
    scratch_free(p);
}

static void scratch_key_init(void)
{
    scratch_key_ok = pthread_key_create(&scratch_key, scratch_destroy) == 0;
}

static scratch *scratch_new(void)
{
    scratch *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->md = pcre2_match_data_create(1, NULL);
    sc->mctx = pcre2_match_context_create(NULL);
    if (!sc->md || !sc->mctx) {
        scratch_free(sc);
        return NULL;
    }
    pcre2_set_depth_limit(sc->mctx, RPI_REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(sc->mctx, RPI_REGEX_HEAP_LIMIT_KIB);
    return sc;
}

/* This thread's scratch, made on first use; NULL on OOM. */
static scratch *thread_scratch(void)
{
    pthread_once(&scratch_once, scratch_key_init);
    if (!scratch_key_ok)
        return NULL;
    scratch *sc = pthread_getspecific(scratch_key);
    if (sc)
        return sc;
    sc = scratch_new();
    if (sc && pthread_setspecific(scratch_key, sc) != 0) {
        scratch_free(sc);
        sc = NULL;
    }
    return sc;
}

rpi_regex *rpi_regex_compile_cached(const char *pattern, size_t len, char *errbuf, size_t errlen,
                                   bool *owned)
{
    scratch *sc = len <= REGEX_CACHE_MAX_PATTERN ? thread_scratch() : NULL;
    *owned = true;
    if (!sc)
        return rpi_regex_compile(pattern, len, errbuf, errlen);
    cached_regex *victim = &sc->cache[0];
    for (int i = 0; i < REGEX_CACHE_SIZE; i++) {
        cached_regex *e = &sc->cache[i];
        if (e->pattern && e->len == len && memcmp(e->pattern, pattern, len) == 0) {
            e->used = ++sc->tick;
            *owned = false;
            return e->re;
        }
        if (!e->pattern || (victim->pattern && e->used < victim->used))
            victim = e;
    }
    rpi_regex *re = rpi_regex_compile(pattern, len, errbuf, errlen);
    char *copy = re ? malloc(len + 1) : NULL;
    if (!copy)
        return re; /* an invalid pattern, or no room to keep it: the caller frees */
    memcpy(copy, pattern, len);
    copy[len] = '\0';
    free(victim->pattern);
    rpi_regex_free(victim->re);
    victim->pattern = copy;
    victim->len = len;
    victim->re = re;
    victim->used = ++sc->tick;
    *owned = false;
    return re;
}

static bool limit_error(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

/* The linear matcher on the anchored (?s:.)*?(?:pattern). */
static int dfa_search(const struct dfa_form *f, PCRE2_SPTR s, size_t len, scratch *sc)
{
    int ws[DFA_WORKSPACE];
    pcre2_set_match_limit(sc->mctx, RPI_REGEX_BUDGET);
    int rc = pcre2_dfa_match(f->code, s, len, 0, PCRE2_DFA_SHORTEST, sc->md, sc->mctx, ws,
                             DFA_WORKSPACE);
    if (rc == PCRE2_ERROR_DFA_WSSIZE) {
        int *big = malloc(DFA_WORKSPACE_BIG * sizeof *big);
        if (!big)
            return PCRE2_ERROR_NOMEMORY;
        rc = pcre2_dfa_match(f->code, s, len, 0, PCRE2_DFA_SHORTEST, sc->md, sc->mctx, big,
                             DFA_WORKSPACE_BIG);
        free(big);
    }
    return rc;
}

/* The per-start match limit that spreads BUDGET over STARTS start
 * positions (PCRE2 counts its limit afresh at each one), with a floor so
 * that a long subject still leaves each start some room. */
static uint32_t per_start_limit(uint64_t budget, uint64_t starts)
{
    uint64_t per_start = budget / starts;
    if (per_start < RPI_REGEX_MIN_PER_START)
        per_start = RPI_REGEX_MIN_PER_START;
    return per_start > UINT32_MAX ? UINT32_MAX : (uint32_t)per_start;
}

int rpi_regex_search_limited(const rpi_regex *re, const char *subject, size_t len,
                             uint64_t budget, const char **errmsg)
{
    if (budget == 0)
        budget = RPI_REGEX_BUDGET;
    scratch *sc = thread_scratch(), *own = NULL;
    if (!sc && (sc = own = scratch_new()) == NULL) {
        *errmsg = "out of memory";
        return -1;
    }
    PCRE2_SPTR s = (PCRE2_SPTR)(subject ? subject : "");
    if (!subject)
        len = 0;
    uint64_t starts = re->anchored ? 1 : (uint64_t)len + 1;
    pcre2_set_match_limit(sc->mctx, per_start_limit(budget, starts));
    const pcre2_code *jit = jit_code(re);
    int rc = jit ? pcre2_jit_match(jit, s, len, 0, 0, sc->md, sc->mctx)
                 : pcre2_match(re->code, s, len, 0, 0, sc->md, sc->mctx);
    if (limit_error(rc)) {
        /* the DFA matcher, when its work estimate fits (top of the file) */
        bool oom;
        const struct dfa_form *f = dfa_get(re, &oom);
        double size = f ? (double)f->size : 0;
        if (oom)
            rc = PCRE2_ERROR_NOMEMORY;
        else if (f && ((double)len + 1) * size * size <= (double)budget * DFA_WORK_PER_STEP)
            rc = dfa_search(f, s, len, sc);
    }
    scratch_free(own);
    if (rc >= 0) /* 0: matched, the one-pair ovector too small for groups */
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (limit_error(rc) || rc == PCRE2_ERROR_DFA_WSSIZE || rc == PCRE2_ERROR_DFA_RECURSE) {
        *errmsg = "regex match limit exceeded";
        return RPI_REGEX_ELIMIT;
    }
    if (rc == PCRE2_ERROR_NOMEMORY)
        *errmsg = "out of memory";
    else if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
        *errmsg = "regex match failed: invalid UTF-8";
    else
        *errmsg = "regex match failed";
    return -1;
}

int rpi_regex_search(const rpi_regex *re, const char *subject, size_t len, const char **errmsg)
{
    int r = rpi_regex_search_limited(re, subject, len, 0, errmsg);
    return r == RPI_REGEX_ELIMIT ? -1 : r;
}

/* added by k8s libs */
/* As rpi_regex_search, but from byte offset START of SUBJECT (the text
 * before START still counts for \b and ^), giving the match's byte span in
 * *MSTART, *MEND (Kubernetes' find/findAll need where a match is). */
int rpi_regex_find(const rpi_regex *re, const char *subject, size_t len, size_t start,
                   size_t *mstart, size_t *mend, const char **errmsg)
{
    int r = rpi_regex_find_limited(re, subject, len, start, 0, mstart, mend, errmsg);
    return r == RPI_REGEX_ELIMIT ? -1 : r;
}

int rpi_regex_find_limited(const rpi_regex *re, const char *subject, size_t len, size_t start,
                           uint64_t budget, size_t *mstart, size_t *mend, const char **errmsg)
{
    if (budget == 0)
        budget = RPI_REGEX_BUDGET;
    scratch *sc = thread_scratch(), *own = NULL;
    if (!sc && (sc = own = scratch_new()) == NULL) {
        *errmsg = "out of memory";
        return -1;
    }
    PCRE2_SPTR s = (PCRE2_SPTR)(subject ? subject : "");
    if (!subject)
        len = 0;
    if (start > len)
        start = len;
    uint64_t starts = re->anchored ? 1 : (uint64_t)(len - start) + 1;
    pcre2_set_match_limit(sc->mctx, per_start_limit(budget, starts));
    const pcre2_code *jit = jit_code(re);
    int rc = jit ? pcre2_jit_match(jit, s, len, start, 0, sc->md, sc->mctx)
                 : pcre2_match(re->code, s, len, start, 0, sc->md, sc->mctx);
    if (rc >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
        *mstart = ov[0];
        *mend = ov[1];
    }
    scratch_free(own);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (limit_error(rc)) {
        *errmsg = "regex match limit exceeded";
        return RPI_REGEX_ELIMIT;
    }
    if (rc == PCRE2_ERROR_NOMEMORY)
        *errmsg = "out of memory";
    else if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
        *errmsg = "regex match failed: invalid UTF-8";
    else
        *errmsg = "regex match failed";
    return -1;
}

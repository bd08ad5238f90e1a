/* A scanner for json-c's strict grammar that builds nothing (json-scan.h). */
#include "json-scan.h"

#include <errno.h>
#include <string.h>

#include "macro.h"

/* ---- the scanner: json-c's strict grammar, without building anything ----
 *
 * Each function takes the buffer s[0..len) and a position; they never read at
 * or past len, and return -EBADMSG for anything json-c would refuse. Strictness
 * as json-c 0.16 has it: whitespace is space, tab, CR and LF; no comments, no
 * trailing commas; strings in double quotes, but names may also be in single
 * quotes; control characters are taken inside strings, a NUL is not; numbers as
 * json-c reads them (NaN, Infinity, -Infinity, "1.", "-.5", "-01", "00" and 1e999
 * are numbers, "01", "+1", ".5" and "1e" are not). */

bool json_is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t json_scan_ws(const char *s, size_t len, size_t i) {
        while (i < len && json_is_ws(s[i]))
                i++;
        return i;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_hex(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The character the short escape \c stands for (a newline for \n), 0 when
 * there is none (\u is not short). */
static char unescape(char c) {
        static const char table[][2] = {
                { '"', '"' },  { '\\', '\\' }, { '/', '/' },  { 'b', '\b' },
                { 'f', '\f' }, { 'n', '\n' },   { 'r', '\r' }, { 't', '\t' },
        };

        for (size_t k = 0; k < ELEMENTSOF(table); k++)
                if (table[k][0] == c)
                        return table[k][1];
        return 0;
}

/* A string from its opening quote at *pos; *pos goes past the closing one. */
static int scan_string(const char *s, size_t len, size_t *pos, char quote) {
        size_t i = *pos + 1;

        for (;;) {
                while (i < len && s[i] != quote && s[i] != '\\' && s[i] != '\0')
                        i++;
                if (i >= len || s[i] == '\0')
                        return -EBADMSG;
                if (s[i] == quote) {
                        *pos = i + 1;
                        return 0;
                }
                if (++i >= len)
                        return -EBADMSG;
                if (s[i] == 'u') {
                        if (len - i < 5)
                                return -EBADMSG;
                        for (size_t k = 1; k <= 4; k++)
                                if (!is_hex(s[i + k]))
                                        return -EBADMSG;
                        i += 5;
                } else if (unescape(s[i]))
                        i++;
                else
                        return -EBADMSG;
        }
}

/* Exactly the bytes of word at *pos. Like json-c we do not look at what comes
 * next: the enclosing array or object checks that. */
static int scan_word(const char *s, size_t len, size_t *pos, const char *word) {
        size_t n = strlen(word);

        if (len - *pos < n || memcmp(s + *pos, word, n) != 0)
                return -EBADMSG;
        *pos += n;
        return 0;
}

/* One of the literal words at *pos, told by its first character. */
static int scan_literal(const char *s, size_t len, size_t *pos) {
        static const char *const words[] = { "true", "false", "null", "NaN", "Infinity" };

        for (size_t k = 0; k < ELEMENTSOF(words); k++)
                if (s[*pos] == words[k][0])
                        return scan_word(s, len, pos, words[k]);
        return -EBADMSG;
}

/* A number from its first character (a digit or '-'). The characters json-c
 * gathers into a number, then its checks: a double must be all read by strtod,
 * an integer with a leading zero must be zero, a '-' alone must start
 * -Infinity. Out-of-range values are taken (json-c saturates them). */
static int scan_number(const char *s, size_t len, size_t *pos) {
        size_t start = *pos, i = start, j;
        bool is_double = false, is_exp = false, neg_ok = true, pos_ok = false;
        size_t digits = 0;

        while (i < len) {
                char c = s[i];

                if (!(is_digit(c) || (!is_exp && (c == 'e' || c == 'E')) || (neg_ok && c == '-') ||
                      (pos_ok && c == '+') || (!is_double && c == '.')))
                        break;
                neg_ok = pos_ok = false;
                if (c == '.')
                        is_double = neg_ok = pos_ok = true;
                else if (c == 'e' || c == 'E')
                        is_exp = is_double = neg_ok = pos_ok = true;
                i++;
        }
        if (i >= len) /* a number is never the whole document here */
                return -EBADMSG;

        if (i - start == 1 && s[start] == '-' && (s[i] == 'I' || s[i] == 'i')) {
                *pos = i;
                return scan_word(s, len, pos, "Infinity");
        }

        j = start + (s[start] == '-');
        if (!is_double) {
                /* '-' only comes first here, the rest are digits */
                if (j == i)
                        return -EBADMSG;
                if (s[start] == '0')
                        for (size_t k = start + 1; k < i; k++)
                                if (s[k] != '0')
                                        return -EBADMSG;
                *pos = i;
                return 0;
        }

        /* What strtod reads in full: digits, '.', digits (at least one digit
         * in all), then e, a sign, at least one digit. */
        while (j < i && is_digit(s[j]))
                j++, digits++;
        if (j < i && s[j] == '.')
                for (j++; j < i && is_digit(s[j]); j++)
                        digits++;
        if (digits == 0)
                return -EBADMSG;
        if (j < i && (s[j] == 'e' || s[j] == 'E')) {
                size_t e;

                j++;
                if (j < i && (s[j] == '+' || s[j] == '-'))
                        j++;
                for (e = j; j < i && is_digit(s[j]); j++)
                        ;
                if (j == e)
                        return -EBADMSG;
        }
        if (j != i)
                return -EBADMSG;
        *pos = i;
        return 0;
}

/* A member's name and the ':' after it; *pos goes from the name's quote
 * (whitespace before it already skipped) to the value's first character, which
 * is there (< len). The name's content is s[*ret_a..*ret_b). */
static int scan_name(const char *s, size_t len, size_t *pos, size_t *ret_a, size_t *ret_b) {
        size_t i = *pos;
        int r;

        if (i >= len || (s[i] != '"' && s[i] != '\''))
                return -EBADMSG;
        r = scan_string(s, len, &i, s[i]);
        if (r < 0)
                return r;
        *ret_a = *pos + 1;
        *ret_b = i - 1;
        i = json_scan_ws(s, len, i);
        if (i >= len || s[i] != ':')
                return -EBADMSG;
        i = json_scan_ws(s, len, i + 1);
        if (i >= len)
                return -EBADMSG;
        *pos = i;
        return 0;
}

/* One value of any kind, at *pos or after whitespace, that sits depth levels
 * below the root; *pos goes past it. Nesting is followed with a fixed stack,
 * not recursion: JSON_DEPTH_MAX bounds it. */
int json_scan_value(const char *s, size_t len, size_t *pos, unsigned depth) {
        bool in_object[JSON_DEPTH_MAX];
        unsigned n = 0; /* containers open */
        size_t i = json_scan_ws(s, len, *pos), a, b;
        int r;

        if (depth >= JSON_DEPTH_MAX)
                return -EBADMSG;

        for (;;) {
                /* A value starts at i, depth + n below the root. */
                if (i >= len)
                        return -EBADMSG;
                switch (s[i]) {
                case '{':
                case '[': {
                        bool obj = s[i] == '{';

                        i = json_scan_ws(s, len, i + 1);
                        if (i < len && s[i] == (obj ? '}' : ']')) {
                                i++;
                                r = 0;
                                break;
                        }
                        /* Its members would be depth + n + 1 below the root. */
                        if (depth + n + 1 >= JSON_DEPTH_MAX)
                                return -EBADMSG;
                        in_object[n++] = obj;
                        if (obj) {
                                r = scan_name(s, len, &i, &a, &b);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                case '"':
                        r = scan_string(s, len, &i, '"');
                        break;
                case '-':
                case '0' ... '9':
                        r = scan_number(s, len, &i);
                        break;
                default:
                        r = scan_literal(s, len, &i);
                }
                if (r < 0)
                        return r;

                /* After a value: close what ends here, then go on to the next
                 * member of the innermost container still open. */
                for (;;) {
                        if (n == 0) {
                                *pos = i;
                                return 0;
                        }
                        i = json_scan_ws(s, len, i);
                        if (i >= len)
                                return -EBADMSG;
                        if (s[i] == ',') {
                                i = json_scan_ws(s, len, i + 1);
                                if (in_object[n - 1]) {
                                        r = scan_name(s, len, &i, &a, &b);
                                        if (r < 0)
                                                return r;
                                }
                                break;
                        }
                        if (s[i] != (in_object[n - 1] ? '}' : ']'))
                                return -EBADMSG;
                        i++;
                        n--;
                }
        }
}

/* The members of the object whose '{' is at *pos, one a call: 1 with the name's
 * content in s[*ret_a..*ret_b) and *pos at the value (the caller moves it past);
 * 0 once past the closing '}'. *first is true on the first call. */
int json_scan_member(const char *s, size_t len, size_t *pos, bool *first, size_t *ret_a, size_t *ret_b) {
        size_t i = *pos;
        int r;

        if (*first) {
                *first = false;
                i = json_scan_ws(s, len, i + 1);
                if (i < len && s[i] == '}') {
                        *pos = i + 1;
                        return 0;
                }
        } else {
                i = json_scan_ws(s, len, i);
                if (i >= len)
                        return -EBADMSG;
                if (s[i] == '}') {
                        *pos = i + 1;
                        return 0;
                }
                if (s[i] != ',')
                        return -EBADMSG;
                i = json_scan_ws(s, len, i + 1);
        }
        r = scan_name(s, len, &i, ret_a, ret_b);
        if (r < 0)
                return r;
        *pos = i;
        return 1;
}

/* ---- strings as json-c decodes them ---- */

#define IS_HIGH_SURROGATE(u) (((u) & 0xFC00) == 0xD800)
#define IS_LOW_SURROGATE(u) (((u) & 0xFC00) == 0xDC00)
#define DECODE_SURROGATE_PAIR(hi, lo) ((((hi) & 0x3FF) << 10) + ((lo) & 0x3FF) + 0x10000)

static unsigned hex_value(char c) {
        return is_digit(c) ? (unsigned) (c - '0') : ((unsigned) c & 7) + 9;
}

static size_t put_replacement(char *out, size_t k) {
        memcpy(out + k, "\xEF\xBF\xBD", 3);
        return k + 3;
}

/* The content s[a..b) of a string scan_string() took, decoded into out (room
 * for b - a bytes: nothing decodes longer); returns the length. Byte for byte
 * what json-c makes of it, down to its quirks: a surrogate not in a pair
 * becomes U+FFFD, and so does a code point whose low 16 bits look like one
 * (json-c tests them with a 16-bit mask). */
size_t json_string_decode(const char *s, size_t a, size_t b, char *out) {
        unsigned high = 0;
        size_t k = 0;

        for (size_t i = a; i < b;) {
                unsigned u;

                if (s[i] != '\\' || s[i + 1] != 'u') {
                        if (high) {
                                k = put_replacement(out, k);
                                high = 0;
                        }
                        if (s[i] != '\\') {
                                out[k++] = s[i++];
                                continue;
                        }
                        out[k++] = unescape(s[i + 1]);
                        i += 2;
                        continue;
                }

                u = hex_value(s[i + 2]) << 12 | hex_value(s[i + 3]) << 8 | hex_value(s[i + 4]) << 4 |
                    hex_value(s[i + 5]);
                i += 6;
                if (high) {
                        if (IS_LOW_SURROGATE(u))
                                u = DECODE_SURROGATE_PAIR(high, u);
                        else
                                k = put_replacement(out, k);
                        high = 0;
                }
                if (u < 0x80)
                        out[k++] = (char) u;
                else if (u < 0x800) {
                        out[k++] = (char) (0xC0 | (u >> 6));
                        out[k++] = (char) (0x80 | (u & 0x3F));
                } else if (IS_HIGH_SURROGATE(u))
                        high = u;
                else if (IS_LOW_SURROGATE(u))
                        k = put_replacement(out, k);
                else if (u < 0x10000) {
                        out[k++] = (char) (0xE0 | (u >> 12));
                        out[k++] = (char) (0x80 | ((u >> 6) & 0x3F));
                        out[k++] = (char) (0x80 | (u & 0x3F));
                } else {
                        /* at most 0x10FFFF from a pair */
                        out[k++] = (char) (0xF0 | ((u >> 18) & 0x07));
                        out[k++] = (char) (0x80 | ((u >> 12) & 0x3F));
                        out[k++] = (char) (0x80 | ((u >> 6) & 0x3F));
                        out[k++] = (char) (0x80 | (u & 0x3F));
                }
        }
        if (high)
                k = put_replacement(out, k);
        return k;
}

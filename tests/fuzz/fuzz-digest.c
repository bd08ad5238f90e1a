/* libFuzzer target for the digest renderers: whatever model kizukid (or
 * something posing as it) sends, checking it never crashes, and a model that
 * passes the check renders in every format without failing; the HTML never
 * carries a "<script" that came from the model; every headline entry of a
 * model that passes has words, and every trend figure a usual range in words
 * (hostile trends: wrong types, 10,000 weeks, NaN, nulls). */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest-common.h"
#include "digest-render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Models that passed digest_check() (replay-main.c's --min-accepted). */
size_t fuzz_accepted;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_tokener *tok = json_tokener_new_ex(64);
        if (!tok)
                return 0;
        json_object *model = json_tokener_parse_ex(tok, (const char *) data, (int) (size > INT32_MAX ? 0 : size));
        json_tokener_free(tok);
        if (!model)
                return 0;

        DigestLevel level;
        if (digest_check(model, &level) >= 0) {
                fuzz_accepted++;
                const DigestOptions o = { .patient_id = "p-1", .patient_name = "<b>A</b>" };
                json_object *headline = json_object_object_get(model, "headline");
                char words[512];
                for (size_t i = 0; i < json_object_array_length(headline); i++) {
                        digest_headline_words(json_object_array_get_idx(headline, i), words, sizeof words);
                        if (!*words)
                                abort();
                }
                for (size_t i = 0; i < digest_n_trend_figures; i++) {
                        digest_usual_words(model, &digest_trend_figures[i], words, sizeof words);
                        if (!*words)
                                abort();
                }
                for (int f = 0; f < _DIGEST_FORMAT_MAX; f++) {
                        char *out = NULL;
                        size_t len = 0;
                        if (digest_render(model, (DigestFormat) f, f % 2 ? &o : NULL, &out, &len) < 0)
                                abort();
                        if (strlen(out) != len || (f == DIGEST_FORMAT_HTML && strstr(out, "<script")) ||
                            (f == DIGEST_FORMAT_HTML && strstr(out, "<b>A</b>")))
                                abort();
                        free(out);
                }
        } else {
                char *out = NULL;
                if (digest_render(model, DIGEST_FORMAT_TEXT, NULL, &out, NULL) != -EBADMSG)
                        abort();
        }
        json_object_put(model);
        return 0;
}

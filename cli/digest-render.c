/* digest_render() (digest-render.h): check the model, then hand it to the
 * renderer of the format. The top of the digest's renderers: it includes
 * their headers, and none of them includes this one. Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "digest-common.h"
#include "digest-fhir.h"
#include "digest-html.h"
#include "digest-json.h"
#include "digest-render.h"
#include "digest-text.h"

int digest_render(json_object *model, DigestFormat f, const DigestOptions *o, char **ret, size_t *ret_len) {
        static const DigestOptions defaults = {};
        DigestLevel level;
        char *buf = NULL;
        size_t len = 0;
        int r;

        if (f >= _DIGEST_FORMAT_MAX)
                return -EINVAL;
        r = digest_check(model, &level);
        if (r < 0)
                return r;
        FILE *out = open_memstream(&buf, &len);
        if (!out)
                return -errno;
        switch (f) {
        case DIGEST_FORMAT_TEXT:
                r = digest_render_text(model, level, out);
                break;
        case DIGEST_FORMAT_JSON:
                r = digest_render_json(model, out);
                break;
        case DIGEST_FORMAT_HTML:
                r = digest_render_html(model, level, o ? o : &defaults, out);
                break;
        case DIGEST_FORMAT_FHIR:
                r = digest_render_fhir(model, level, o ? o : &defaults, out);
                break;
        default:
                r = -EINVAL;
        }
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

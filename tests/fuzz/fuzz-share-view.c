/* libFuzzer target for the share preview (cli/share-view.c): whatever bytes
 * it is given as HTML, FHIR or text, the view never crashes and writes no
 * control character other than newlines. The first byte picks the format. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "share-view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const DigestFormat formats[] = { DIGEST_FORMAT_HTML, DIGEST_FORMAT_FHIR, DIGEST_FORMAT_TEXT };
        char *out = NULL;
        size_t out_len = 0;
        FILE *f;

        if (size == 0)
                return 0;
        f = open_memstream(&out, &out_len);
        if (!f)
                return 0;
        (void) share_view(f, formats[data[0] % 3], (const char *) data + 1, size - 1);
        fclose(f);
        for (size_t i = 0; i < out_len; i++)
                if (((unsigned char) out[i] < 0x20 && out[i] != '\n') || out[i] == 0x7f)
                        abort();
        free(out);
        return 0;
}

/* Recipient files: placeholder until the parser lands (work in progress). */
#include "recipients.h"

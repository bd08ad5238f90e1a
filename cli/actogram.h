/* The actogram: hours × days of active minutes, as in circadian research. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"
#include "hours.h"

/* An actogram of n_days days from first_day (local seconds) on stdout: one
 * row per day, optionally double-plotted, fitted to ctx->columns. */
int actogram_print(const Ctx *ctx, const Hour *hours, size_t n, int64_t first_day, size_t n_days, bool double_plot);

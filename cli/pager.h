/* A pager for long output on a terminal, as git and journalctl have one:
 * $KIZUKI_PAGER, else $PAGER, else less (then more), with LESS=FRX when LESS
 * is unset (quit when it fits one screen, colours, no screen clearing). */
#pragma once

/* When stdout is a terminal (and TERM is set and not "dumb"): start the pager and send stdout (and stderr,
 * when that is the terminal too) to it. An empty pager or "cat" is none.
 * Returns 1 when it runs, 0 when none is wanted, < 0 when it could not be
 * started (said on stderr; the output goes to the terminal as before). */
int pager_open(void);

/* Flush and close what goes to the pager and wait for it to quit. Does
 * nothing when none runs. A signal that ends kizuki meanwhile (SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT) waits for the pager too, so the shell gets the
 * terminal back only after it. */
void pager_close(void);

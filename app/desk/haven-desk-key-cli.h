/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `haven-desk --create-key-file [--import-secret-key FILE]`: the first-run
 * page without a screen, for the organisation's IT and the demo. Returns
 * the exit status, or -1 when @argv asks for no such thing. */
int haven_desk_key_cli_run (int    argc,
                            char **argv);

G_END_DECLS

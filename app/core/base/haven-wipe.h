/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void haven_wipe_string       (char  *string);
void haven_wipe_clear_string (char **string_pointer);
void haven_wipe_set_scrub_freed_memory       (gboolean   scrub);
void haven_wipe_restart_without_thread_cache (char     **argv);

G_END_DECLS

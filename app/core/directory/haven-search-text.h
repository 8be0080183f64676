/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void  haven_search_text_append     (GString    *folded,
                                    const char *text);
char *haven_search_text_fold_query (const char *text);

G_END_DECLS

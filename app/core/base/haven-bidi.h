/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  haven_bidi_is_isolated      (const char *text);
char     *haven_bidi_isolate          (const char *text);
char     *haven_bidi_isolate_ltr      (const char *text);
char     *haven_bidi_isolate_runs     (const char *text);
char     *haven_bidi_strip_isolates   (const char *text);

G_END_DECLS

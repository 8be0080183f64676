/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  HAVEN_TEXT_DIRECTION_LTR,
  HAVEN_TEXT_DIRECTION_RTL,
} HavenTextDirection;

gboolean            haven_locale_is_known              (const char         *code);
const char         *haven_locale_get_native_name       (const char         *code);
HavenTextDirection  haven_locale_get_direction         (const char         *code);
const char         *haven_locale_get_style_class       (const char         *code);
gboolean            haven_locale_has_catalog           (const char         *code);
GStrv               haven_locale_filter_offered        (const char * const *configured);
void                haven_locale_apply                 (const char         *code);
const char         *haven_locale_get_current           (void);
char               *haven_locale_get_default           (GSettings          *settings);
void                haven_locale_apply_default         (void);
char               *haven_locale_translate_in          (const char         *code,
                                                        const char         *msgid);
/* The columns a terminal gives @text (UTF-8), as wcwidth() counts them:
 * none for combining marks and format characters, two for wide ones. For
 * lining up the tables havenctl prints in every language. */
guint               haven_locale_get_display_width     (const char         *text);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A GString for text that holds a visitor's words: it grows as
 * g_string_append would, but wipes each buffer it leaves behind, so no
 * copy of the words stays in freed memory. Free it with
 * haven_wiped_text_free(), or take its text with g_string_free (text,
 * FALSE) and wipe that when done. */

GString *haven_wiped_text_new               (void);
void     haven_wiped_text_append            (GString    *text,
                                             const char *piece);
/* Starts a new line unless @text is empty. */
void     haven_wiped_text_append_line       (GString    *text,
                                             const char *line);
void     haven_wiped_text_append_line_printf (GString   *text,
                                              const char *format,
                                              ...) G_GNUC_PRINTF (2, 3);
void     haven_wiped_text_free              (GString    *text);


G_END_DECLS

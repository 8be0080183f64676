/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Reading the caseworker API's answers strictly: each getter fails with
 * G_IO_ERROR_INVALID_DATA, naming the member, for a value of the wrong
 * type or out of bounds, so that nothing the service sent unchecked
 * reaches a page. "Nullable" members may be absent or null. */

/* Sets the error for @member; returns FALSE. */
gboolean haven_api_answer_invalid     (GError     **error,
                                       const char  *member);
/* UTF-8, at most 1024 bytes; NULL when absent. */
gboolean haven_api_answer_get_string  (JsonObject  *object,
                                       const char  *member,
                                       gboolean     nullable,
                                       char       **value,
                                       GError     **error);
/* RFC 3339 with its zone; NULL when absent. */
gboolean haven_api_answer_get_time    (JsonObject  *object,
                                       const char  *member,
                                       gboolean     nullable,
                                       GDateTime  **value,
                                       GError     **error);
/* 1 or 0; -1 when absent. */
gboolean haven_api_answer_get_boolean (JsonObject  *object,
                                       const char  *member,
                                       gboolean     nullable,
                                       int         *value,
                                       GError     **error);
/* From @min to @max; -1 when absent. */
gboolean haven_api_answer_get_integer (JsonObject  *object,
                                       const char  *member,
                                       gboolean     nullable,
                                       gint64       min,
                                       gint64       max,
                                       gint64      *value,
                                       GError     **error);
/* An object, NULL when absent: always nullable. */
gboolean haven_api_answer_get_object  (JsonObject  *object,
                                       const char  *member,
                                       JsonObject **value,
                                       GError     **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The part of JSON Schema draft 2020-12 that data/api's schemas use,
 * checked in C, for the tests of the notice package and of what the desk
 * writes. A keyword the checker does not implement fails the test, so a
 * schema cannot drift outside what is checked. */

/* data/api/NAME in HAVEN_DATADIR. */
char     *json_schema_check_data_path           (const char *name);
JsonNode *json_schema_check_load_notice_package (void);
/* Whether @package meets @schema; *errors_out (element-type utf8), if
 * given, says why not, one line per failure. */
gboolean  json_schema_check_is_valid            (JsonNode   *schema,
                                                 JsonNode   *package,
                                                 GPtrArray **errors_out);

/* A "format" as the checker reads it: "uri" as GLib parses an absolute
 * URI, "email" as local@domain, "date-time" as RFC 3339. */
gboolean  json_schema_check_format              (const char *format,
                                                 const char *value);

G_END_DECLS

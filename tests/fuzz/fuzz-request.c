/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-json.h"
#include "haven-request.h"

/* A removal request or report as JSON, the way havenctl reads a file and
 * haven-receiver reads a body: haven_json_load(), the request parser, its
 * validation and the canonical JSON written back. The canonical JSON of a
 * parsed request must read back into the same request. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_kind (HavenRequestKind kind,
            const guint8    *data,
            size_t           size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = NULL;
  g_autoptr(HavenRequest) again = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GHashTable) draft_errors = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  gsize length = 0;
  gsize length_again = 0;
  gboolean valid;

  request = haven_request_new_from_json (kind, (const char *) data, size, &error);
  if (request == NULL)
    {
      g_assert_nonnull (error);
      return;
    }
  g_assert_no_error (error);

  valid = haven_request_validate (request, &field_errors);
  g_assert_true (valid == (field_errors == NULL || g_hash_table_size (field_errors) == 0));
  haven_request_validate_draft (request, &draft_errors);

  json = haven_request_to_json (request, &length);
  g_assert_nonnull (json);
  g_assert_cmpuint (strlen (json), ==, length);
  g_assert_true (g_utf8_validate (json, length, NULL));

  /* What a kiosk writes, a receiver reads: the canonical form is a fixed
   * point. */
  again = haven_request_new_from_json (kind, json, length, &error);
  if (length <= HAVEN_REQUEST_MAX_BODY_BYTES)
    {
      g_assert_no_error (error);
      json_again = haven_request_to_json (again, &length_again);
      g_assert_cmpstr (json, ==, json_again);
      if (valid)
        g_assert_true (haven_request_validate (again, NULL));
    }

  haven_request_wipe (request);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  /* The loader alone, as the delivery code and havenctl use it. */
  if (!haven_json_load (parser, (const char *) data, size, &error))
    g_assert_true (error->domain == HAVEN_JSON_ERROR);

  check_kind (HAVEN_REQUEST_KIND_REMOVAL, data, size);
  check_kind (HAVEN_REQUEST_KIND_REPORT, data, size);

  return 0;
}

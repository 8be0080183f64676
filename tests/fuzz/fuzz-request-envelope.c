/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-request-envelope.h"

/* The Haven-Envelope header, as a server reads it beside a sealed body it
 * cannot open: haven_request_envelope_parse_header() for either kind.
 *
 * The input is the header's value, bytes up to the first NUL (an HTTP
 * server hands over no more). What the parser accepts must be written
 * back by haven_request_envelope_to_header() as a header that reads back
 * into the same envelope and is written the same again. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_kind (HavenRequestKind  kind,
            const char       *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autoptr(HavenRequestEnvelope) envelope = NULL;
  g_autoptr(HavenRequestEnvelope) again = NULL;
  g_autoptr(HavenRequestEnvelope) copy = NULL;
  g_autofree char *header = NULL;
  g_autofree char *header_again = NULL;

  envelope = haven_request_envelope_parse_header (kind, value, &error);
  if (envelope == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == HAVEN_REQUEST_ERROR);
      /* A message for a 400 body: printable ASCII, bounded. */
      g_assert_cmpuint (strlen (error->message), <, 256);
      for (const char *p = error->message; *p != '\0'; p++)
        g_assert_true (*p >= 0x20 && *p < 0x7f);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (value), <=, HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES);
  g_assert_cmpint (envelope->kind, ==, kind);

  copy = haven_request_envelope_copy (envelope);
  header = haven_request_envelope_to_header (copy);
  g_assert_nonnull (header);
  g_assert_cmpuint (strlen (header), <=, HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES);

  again = haven_request_envelope_parse_header (kind, header, &again_error);
  g_assert_no_error (again_error);
  g_assert_cmpstr (again->category, ==, envelope->category);
  g_assert_cmpstr (again->locale, ==, envelope->locale);
  g_assert_cmpstr (again->kiosk_id, ==, envelope->kiosk_id);
  g_assert_cmpint (again->child_involved, ==, envelope->child_involved);
  g_assert_true (g_date_time_equal (again->created_at, envelope->created_at));

  header_again = haven_request_envelope_to_header (again);
  g_assert_cmpstr (header_again, ==, header);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *value = g_strndup ((const char *) data, size);

  check_kind (HAVEN_REQUEST_KIND_REMOVAL, value);
  check_kind (HAVEN_REQUEST_KIND_REPORT, value);

  return 0;
}

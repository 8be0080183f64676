/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-backend.h"
#include "haven-delivery-answer.h"
#include "haven-delivery-private.h"

/* The backend's answers: to a submission (haven_delivery_judge_response(),
 * its case reference, a 400's field errors, a Retry-After) and to the
 * health check (haven_backend_parse_health()).
 *
 * The input is "STATUS\nRETRY-AFTER\nBODY": the status in decimal (an
 * unknown first line picks a status from the bytes), the Retry-After
 * header's value (empty for none) and the body, bytes to its end. */

static const guint statuses[] = { 200, 201, 400, 401, 403, 404, 409, 413, 415, 422, 429, 500,
                                  502, 503, 504, 302 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static const guint8 *
next_line (const guint8  *data,
           gsize          size,
           char         **line)
{
  const guint8 *end = memchr (data, '\n', size);

  if (end == NULL)
    end = data + size;
  *line = g_strndup ((const char *) data, (gsize) (end - data));

  return end < data + size ? end + 1 : end;
}

static void
assert_operator_text (const char *text)
{
  if (text == NULL)
    return;

  /* What the operator reads of the backend's words: text, bounded, no
   * line breaks or escape sequences from the backend. */
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpuint (strlen (text), <, 4096);
  for (const char *c = text; *c != '\0'; c = g_utf8_next_char (c))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (c)));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const guint8 *end = data + size;
  const guint8 *cursor = data;
  g_autofree char *status_line = NULL;
  g_autofree char *retry_after = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  HavenDeliveryVerdict verdict = { 0 };
  guint64 status;
  gint64 now = g_get_real_time ();
  GTimeSpan delay;
  gint64 api;

  cursor = next_line (cursor, (gsize) (end - cursor), &status_line);
  cursor = next_line (cursor, (gsize) (end - cursor), &retry_after);
  body = g_bytes_new (cursor, (gsize) (end - cursor));

  if (!g_ascii_string_to_unsigned (status_line, 10, 100, 599, &status, NULL))
    status = statuses[(status_line[0] != '\0' ? (guint8) status_line[0] : 0) % G_N_ELEMENTS (statuses)];

  delay = haven_delivery_parse_retry_after (retry_after, now);
  g_assert_cmpint (delay, >=, -1);
  g_assert_cmpint (delay, <=, HAVEN_DELIVERY_MAX_RETRY_AFTER);

  verdict.attempts = 1 + (size % 12);
  verdict.for_visitor = (size & 1) != 0;
  verdict.backoff_base = HAVEN_DELIVERY_BACKOFF_BASE;
  verdict.backoff_cap = HAVEN_DELIVERY_BACKOFF_CAP;
  verdict.result = haven_delivery_result_new ("5f0c8f0e-3c1a-4c57-9d1e-2b7f6c1d9a10",
                                              HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
  haven_delivery_judge_response (&verdict, (guint) status,
                                 retry_after[0] != '\0' ? retry_after : NULL, body);

  g_assert_cmpuint (verdict.result->status, ==, status);
  g_assert_cmpint (verdict.result->outcome, !=, HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
  assert_operator_text (verdict.result->message);
  if (verdict.record == HAVEN_DELIVERY_RECORD_DELIVERED)
    {
      const char *reference = verdict.result->case_reference;

      g_assert_nonnull (reference);
      g_assert_cmpuint (strlen (reference), >, 0);
      g_assert_cmpuint (strlen (reference), <=, 64);
      for (const char *c = reference; *c != '\0'; c++)
        g_assert_true (g_ascii_isgraph (*c));
    }
  if (verdict.record == HAVEN_DELIVERY_RECORD_RETRY)
    {
      g_assert_cmpint (verdict.result->next_attempt_at, >=, now);
      g_assert_cmpint (verdict.result->next_attempt_at, <=,
                       g_get_real_time () + HAVEN_DELIVERY_MAX_RETRY_AFTER +
                       HAVEN_DELIVERY_BACKOFF_CAP);
    }
  if (verdict.not_before != 0)
    g_assert_cmpint (verdict.not_before, <=, verdict.result->next_attempt_at);
  if (verdict.result->field_errors != NULL)
    {
      GHashTableIter iter;
      gpointer path, message;

      g_assert_cmpuint (g_hash_table_size (verdict.result->field_errors), <=, 50);
      g_hash_table_iter_init (&iter, verdict.result->field_errors);
      while (g_hash_table_iter_next (&iter, &path, &message))
        {
          assert_operator_text (path);
          assert_operator_text (message);
        }
    }
  haven_delivery_result_free (verdict.result);

  /* The same body as the health check's answer. */
  api = haven_backend_parse_health (body, &error);
  g_assert_true ((api >= 1) == (error == NULL));

  return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-outbox-enqueue"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "haven-outbox.h"
#include "haven-request.h"
#include "haven-sealed-box.h"

/* How long a visitor's "Send" waits for the outbox: from a confirmed
 * request to its transaction being on disk (validation, serialisation,
 * sealing when configured, INSERT, COMMIT with fsync), as
 * haven_outbox_enqueue_request() does it in the kiosk's worker thread.
 *
 * The figures are for a person to read; the target is p99 under 20 ms on
 * the kiosk's own disk, which this machine's disk stands in for. The file
 * is on disk in the build folder by default, not in a tmpfs where fsync
 * would cost nothing. */

#define DEFAULT_COUNT 1000

static HavenRequest *
make_request (void)
{
  HavenRequest *request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);

  /* About 2 KB of JSON: three pages, each with a description a visitor
   * might write. */
  haven_request_set_category (request, "intimate-images");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://www.example.social/p/%u8761234?ref=share",
                                              i);
      g_autoptr(GString) description = g_string_new (NULL);

      while (description->len < 520)
        g_string_append (description, "A photo of me that was posted without my consent. ");
      haven_request_add_item (request, url, NULL, description->str);
    }
  haven_request_set_reporter_role (request, "self");
  haven_request_set_contact_email (request, "someone@example.org");
  haven_request_set_consent_to_contact (request, TRUE);
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);

  return request;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (const double *sorted,
            guint         n,
            double        fraction)
{
  guint index = (guint) (fraction * (n - 1) + 0.5);

  return sorted[MIN (index, n - 1)];
}

static gboolean
run (const char *folder,
     const char *label,
     guint       count,
     gboolean    sealed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenRequest) request = make_request ();
  g_autofree char *path = g_build_filename (folder, "bench-outbox.sqlite", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree double *latencies = g_new (double, count);
  g_autofree char *json = NULL;
  gsize body_size = 0;
  double total = 0;

  g_remove (path);
  g_remove (wal);
  g_remove (shm);

  outbox = haven_outbox_new (path, &error);
  if (outbox == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }

  /* The unsealed runs measure the cost of the write alone. */
  haven_outbox_set_allow_unsealed (outbox, !sealed);
  if (sealed)
    {
      guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
      guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
      g_autofree char *encoded = NULL;

      haven_sealed_box_generate_key_pair (public_key, secret_key);
      encoded = haven_sealed_box_encode_key (public_key);
      if (!haven_outbox_set_public_key (outbox, encoded, &error))
        {
          g_printerr ("%s\n", error->message);
          return FALSE;
        }
    }

  haven_request_confirm (request, "bench-kiosk", "en");
  json = haven_request_to_json (request, &body_size);

  for (guint i = 0; i < count; i++)
    {
      gint64 start;

      /* A new request_id each time, as each visitor's confirmation. */
      haven_request_confirm (request, "bench-kiosk", "en");

      start = g_get_monotonic_time ();
      if (!haven_outbox_enqueue_request (outbox, request, &error))
        {
          g_printerr ("%s\n", error->message);
          return FALSE;
        }
      latencies[i] = (g_get_monotonic_time () - start) / 1000.0;
      total += latencies[i];
    }

  qsort (latencies, count, sizeof *latencies, compare_doubles);
  g_print ("  %-7s p50 %6.2f ms   p99 %6.2f ms   max %6.2f ms   mean %6.2f ms\n",
           label, percentile (latencies, count, 0.50), percentile (latencies, count, 0.99),
           latencies[count - 1], total / count);

  g_clear_object (&outbox);
  g_remove (path);
  g_remove (wal);
  g_remove (shm);

  if (!sealed)
    g_print ("  (body %" G_GSIZE_FORMAT " bytes; sealed adds %d)\n", body_size,
             HAVEN_SEALED_BOX_OVERHEAD);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *work = NULL;
  int count = DEFAULT_COUNT;
  GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Enqueues per run", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &folder, "Folder for the database", "DIR" },
    G_OPTION_ENTRY_NULL,
  };

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || count < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--count must be positive");
      return 1;
    }

  if (folder == NULL)
    folder = g_strdup (g_getenv ("G_TEST_BUILDDIR") != NULL ? g_getenv ("G_TEST_BUILDDIR")
                                                           : g_get_tmp_dir ());
  work = g_build_filename (folder, "bench-outbox-XXXXXX", NULL);
  if (g_mkdtemp (work) == NULL)
    {
      g_printerr ("Cannot make a folder in %s\n", folder);
      return 1;
    }

  g_print ("outbox-enqueue: %d enqueues per run, WAL, synchronous=FULL, in %s\n", count, folder);
  if (!run (work, "plain", count, FALSE) || !run (work, "sealed", count, TRUE))
    return 1;

  g_rmdir (work);
  return 0;
}

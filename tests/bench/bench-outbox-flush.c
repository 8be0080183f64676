/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-outbox-flush"

#include "config.h"

#include <signal.h>
#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gio.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include <libsoup/soup.h>

#include "haven-delivery.h"
#include "haven-delivery-private.h"
#include "haven-outbox.h"
#include "haven-request.h"

/* How fast a backlog drains: N queued requests flushed to a haven-receiver
 * over HTTPS on 127.0.0.1, with the kiosk's own delivery code, at a few
 * concurrencies. Each run also says how many connections it opened:
 * keep-alive should make that the concurrency, not the number of
 * requests.
 *
 * Its floor, measured in the same run at each concurrency just before the
 * flush: a plain client (a SoupSession and nothing else) posting the same
 * kind of requests, from memory, to the same receiver. The target is a
 * flush at half that rate or more, and no slower with more in flight.
 *
 * Both databases (the outbox with synchronous=FULL, and the receiver's)
 * are on disk in the build folder by default, not in a tmpfs where fsync
 * would cost nothing. "outbox alone" is the claim and the record of each
 * request without the network, for comparison. */

#define DEFAULT_COUNT 2000

static const guint concurrencies[] = { 1, 2, 4 };

typedef struct {
  GSubprocess *process;
  char *url;
} Receiver;

static gboolean
run_make_pki (const char *make_pki,
              const char *folder)
{
  g_autoptr(GSubprocess) script = NULL;
  g_autoptr(GError) error = NULL;

  script = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, make_pki, "--days", "2", folder,
                             NULL);
  if (script == NULL || !g_subprocess_wait_check (script, NULL, &error))
    {
      g_printerr ("make-pki.sh: %s\n", error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
start_receiver (Receiver   *receiver,
                const char *program,
                const char *folder)
{
  g_autofree char *db = g_build_filename (folder, "receiver.sqlite", NULL);
  g_autofree char *certificate = g_build_filename (folder, "pki", "server.pem", NULL);
  g_autofree char *key = g_build_filename (folder, "pki", "server-key.pem", NULL);
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  receiver->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program,
                                        "--listen", "127.0.0.1:0", "--db", db,
                                        "--cert", certificate, "--key", key, NULL);
  if (receiver->process == NULL)
    {
      g_printerr ("haven-receiver: %s\n", error->message);
      return FALSE;
    }

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (receiver->process));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    {
      g_printerr ("haven-receiver did not start\n");
      return FALSE;
    }

  receiver->url = g_strdup (line + strlen ("listening on "));
  return TRUE;
}

static void
stop_receiver (Receiver *receiver)
{
  if (receiver->process != NULL)
    {
      g_subprocess_send_signal (receiver->process, SIGTERM);
      g_subprocess_wait (receiver->process, NULL, NULL);
    }
  g_clear_object (&receiver->process);
  g_clear_pointer (&receiver->url, g_free);
}

/* About 1 KB, as a removal request with a few pages usually is. */
static GBytes *
make_body (const char *request_id,
           guint       index)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_append_printf (json,
                          "{\"request_id\":\"%s\",\"created_at\":\"2026-11-27T10:15:00Z\","
                          "\"kiosk_id\":\"bench-kiosk\",\"locale\":\"en\","
                          "\"category\":\"intimate-images\",\"items\":[",
                          request_id);
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (json,
                            "%s{\"url\":\"https://example.social/p/%u-%u\","
                            "\"platform\":\"example.social\",\"description\":\"A photo of me "
                            "that was posted without my consent, with my name and the town "
                            "where I live written under it.\"}",
                            i > 0 ? "," : "", index, i);
  g_string_append (json, "],\"reporter\":{\"role\":\"self\",\"consent_to_contact\":false},"
                         "\"declaration\":{\"accurate\":true,\"authorised\":true}}");

  return g_string_free_to_bytes (g_steal_pointer (&json));
}

static HavenOutbox *
fill_outbox (const char *path,
             guint       count)
{
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;

  outbox = haven_outbox_new (path, &error);
  if (outbox == NULL)
    {
      g_printerr ("%s\n", error->message);
      return NULL;
    }
  /* The receiver here has no key pair; sealing costs nothing to a flush. */
  haven_outbox_set_allow_unsealed (outbox, TRUE);

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *request_id = g_uuid_string_random ();
      g_autoptr(GBytes) body = make_body (request_id, i);

      if (!haven_outbox_enqueue (outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL, body, &error))
        {
          g_printerr ("%s\n", error->message);
          return NULL;
        }
    }

  return g_steal_pointer (&outbox);
}

static void
remove_outbox (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_remove (path);
  g_remove (wal);
  g_remove (shm);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
}

/* The plain client: every request made in memory first, then posted with
 * @concurrency in flight, as the receiver's own tests would. */
typedef struct {
  SoupSession *session;
  const char *url;
  guint count;
  guint concurrency;
  guint next;
  guint running;
  guint accepted;
  guint refused;
  GPtrArray *request_ids;
  GPtrArray *bodies;
} PlainClient;

static void plain_send_next (PlainClient *client);

static void
plain_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SoupMessage) message = user_data;
  PlainClient *client = g_object_get_data (G_OBJECT (message), "client");
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (answer != NULL && soup_message_get_status (message) == SOUP_STATUS_CREATED)
    client->accepted++;
  else
    client->refused++;

  client->running--;
  plain_send_next (client);
}

static void
plain_send_next (PlainClient *client)
{
  while (client->running < client->concurrency && client->next < client->count)
    {
      GBytes *body = g_ptr_array_index (client->bodies, client->next);
      const char *request_id = g_ptr_array_index (client->request_ids, client->next);
      g_autofree char *uri = g_strconcat (client->url, "/v1/removal-requests", NULL);
      g_autofree char *key = g_strdup_printf ("\"%s\"", request_id);
      SoupMessage *message = soup_message_new (SOUP_METHOD_POST, uri);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Idempotency-Key", key);
      soup_message_set_request_body_from_bytes (message, "application/json", body);
      soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
      g_object_set_data (G_OBJECT (message), "client", client);

      client->next++;
      client->running++;
      soup_session_send_and_read_async (client->session, message, G_PRIORITY_DEFAULT, NULL,
                                        plain_sent_cb, message);
    }
}

static double
run_plain_client (const char *url,
                  const char *ca,
                  guint       count,
                  guint       concurrency)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  PlainClient client = { 0 };
  gint64 start;
  double seconds;

  database = g_tls_file_database_new (ca, &error);
  if (database == NULL)
    {
      g_printerr ("%s\n", error->message);
      return -1;
    }

  client.session = soup_session_new_with_options ("tls-database", database,
                                                  "max-conns-per-host", 2, NULL);
  client.url = url;
  client.count = count;
  client.concurrency = concurrency;
  client.request_ids = g_ptr_array_new_with_free_func (g_free);
  client.bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < count; i++)
    {
      char *request_id = g_uuid_string_random ();

      g_ptr_array_add (client.request_ids, request_id);
      g_ptr_array_add (client.bodies, make_body (request_id, i));
    }

  start = g_get_monotonic_time ();
  plain_send_next (&client);
  while (client.running > 0)
    g_main_context_iteration (NULL, TRUE);
  seconds = (g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND;

  g_print ("  concurrency %u, plain client: %4u accepted of %u in %6.2f s = %7.1f requests/s\n",
           concurrency, client.accepted, count, seconds, client.accepted / seconds);

  g_ptr_array_unref (client.request_ids);
  g_ptr_array_unref (client.bodies);
  g_object_unref (client.session);

  return client.accepted == count ? client.accepted / seconds : -1;
}

/* Requests a second, or -1 when not all were delivered. */
static double
run_flush (const char *folder,
           GSettings  *settings,
           guint       count,
           guint       concurrency)
{
  g_autofree char *path = g_build_filename (folder, "outbox.sqlite", NULL);
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenDelivery) delivery = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  guint delivered = 0;
  gint64 start;
  double seconds;

  remove_outbox (path);
  outbox = fill_outbox (path, count);
  if (outbox == NULL)
    return -1;

  delivery = haven_delivery_new (settings, outbox);
  if (haven_delivery_get_operator_alert (delivery) != NULL)
    {
      g_printerr ("%s\n", haven_delivery_get_operator_alert (delivery));
      return -1;
    }
  haven_delivery_set_concurrency (delivery, concurrency);

  start = g_get_monotonic_time ();
  haven_delivery_flush_async (delivery, HAVEN_DELIVERY_FLUSH_ALL, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  seconds = (g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND;

  results = haven_delivery_flush_finish (delivery, result, &error);
  if (results == NULL)
    {
      g_printerr ("%s\n", error->message);
      return -1;
    }

  for (guint i = 0; i < results->len; i++)
    {
      HavenDeliveryResult *delivery_result = g_ptr_array_index (results, i);

      if (delivery_result->outcome == HAVEN_DELIVERY_OUTCOME_DELIVERED)
        delivered++;
    }

  g_print ("  concurrency %u, flush:        %4u delivered of %u in %6.2f s = %7.1f requests/s, "
           "%u connection(s)\n",
           concurrency, delivered, count, seconds, delivered / seconds,
           haven_delivery_get_n_connections (delivery));

  g_clear_object (&delivery);
  g_clear_object (&outbox);
  remove_outbox (path);

  return delivered == count ? delivered / seconds : -1;
}

/* The outbox's share: claiming and recording each request, no network. */
static gboolean
run_outbox_alone (const char *folder,
                  guint       count)
{
  g_autofree char *path = g_build_filename (folder, "outbox.sqlite", NULL);
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  HavenOutboxEntry *entry;
  gint64 start;
  double seconds;

  remove_outbox (path);
  outbox = fill_outbox (path, count);
  if (outbox == NULL)
    return FALSE;

  start = g_get_monotonic_time ();
  while ((entry = haven_outbox_claim_next (outbox, G_MAXINT64, &error)) != NULL)
    {
      gboolean recorded = haven_outbox_record_delivered (outbox, entry->request_id,
                                                         "HV-BENC-HMRK", &error);

      haven_outbox_entry_free (entry);
      if (!recorded)
        break;
    }
  if (error != NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  seconds = (g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND;

  g_print ("  outbox alone (claim + record, no network): %u in %6.2f s = %7.1f requests/s\n",
           count, seconds, count / seconds);

  g_clear_object (&outbox);
  remove_outbox (path);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *work = NULL;
  g_autofree char *pki = NULL;
  g_autofree char *ca = NULL;
  Receiver receiver = { NULL, NULL };
  int count = DEFAULT_COUNT;
  gboolean ok = TRUE;
  GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Requests per run", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &folder, "Folder for the databases", "DIR" },
    G_OPTION_ENTRY_NULL,
  };

  /* Before any thread: straight to 127.0.0.1 whatever proxy is set. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  context = g_option_context_new ("HAVEN-RECEIVER MAKE-PKI");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || count < 1 || argc != 3)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "give haven-receiver and make-pki.sh; --count > 0");
      return 1;
    }

  if (folder == NULL)
    folder = g_strdup (g_getenv ("G_TEST_BUILDDIR") != NULL ? g_getenv ("G_TEST_BUILDDIR")
                                                           : g_get_tmp_dir ());
  work = g_build_filename (folder, "bench-flush-XXXXXX", NULL);
  if (g_mkdtemp (work) == NULL)
    {
      g_printerr ("Cannot make a folder in %s\n", folder);
      return 1;
    }
  pki = g_build_filename (work, "pki", NULL);
  ca = g_build_filename (pki, "ca.pem", NULL);

  if (!run_make_pki (argv[2], pki) || !start_receiver (&receiver, argv[1], work))
    {
      stop_receiver (&receiver);
      return 1;
    }

  backend = g_memory_settings_backend_new ();
  settings = g_settings_new_with_backend (APP_ID, backend);
  g_settings_set_string (settings, "backend-url", receiver.url);
  g_settings_set_string (settings, "ca-file", ca);
  g_settings_set_string (settings, "kiosk-id", "bench-kiosk");

  g_print ("outbox-flush: %d requests per run to haven-receiver over HTTPS on 127.0.0.1, "
           "databases in %s\n", count, folder);
  ok = run_outbox_alone (work, count);
  for (guint i = 0; ok && i < G_N_ELEMENTS (concurrencies); i++)
    {
      double plain = run_plain_client (receiver.url, ca, count, concurrencies[i]);
      double flushed = plain > 0 ? run_flush (work, settings, count, concurrencies[i]) : -1;

      ok = plain > 0 && flushed > 0;
      if (ok)
        g_print ("  concurrency %u: flush / plain client = %.2f\n", concurrencies[i],
                 flushed / plain);
    }

  stop_receiver (&receiver);

  /* The PKI and the receiver's database. */
  {
    g_autoptr(GFile) file = g_file_new_for_path (work);
    const char * const names[] = {
      "pki/ca.pem", "pki/ca-key.pem", "pki/server.pem", "pki/server-key.pem", "pki/client.pem",
      "pki/client-key.pem", "pki/other-ca.pem", "pki/other-ca-key.pem", "pki/other-client.pem",
      "pki/other-client-key.pem", "pki/other-key.pem", "pki", "receiver.sqlite",
      "receiver.sqlite-wal", "receiver.sqlite-shm", NULL
    };

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autofree char *path = g_build_filename (work, names[i], NULL);

        g_remove (path);
      }
    g_rmdir (work);
  }

  return ok ? 0 : 1;
}

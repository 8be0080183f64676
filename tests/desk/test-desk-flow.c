/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-desk-flow"

#include "config.h"

#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "desk-driver.h"
#include "haven-case.h"
#include "haven-desk-application.h"
#include "haven-desk-case-page.h"
#include "haven-desk-inbox-page.h"
#include "haven-desk-notices-page.h"
#include "haven-desk-report-page.h"
#include "haven-notice.h"
#include "haven-paths.h"
#include "json-schema-check.h"
#include "haven-desk-window.h"
#include "haven-sealed-box.h"
#include "memory-scan.h"
#include "pg-cluster.h"
#include "receiver-database.h"
#include "receiver-process.h"
#include "test-files.h"

/* The whole way of a removal request, through the real programs and the
 * desk's real widgets: a kiosk (havenctl, another process, with the
 * kiosk's own sealing and delivery code) sends a request with a marker in
 * the visitor's words to a haven-receiver over TLS on 127.0.0.1 that has
 * no key; the desk makes the organisation's key on its first-run page,
 * signs in with a caseworker's token, finds the case in the inbox, opens
 * it, takes it, records an outcome for the address, adds a note, closes
 * it and saves its case file; then locks. Afterwards the receiver's audit
 * log holds each read and event by that caseworker, its store holds no
 * plain copy of the visitor's words, and the desk's memory, files and log
 * hold none either. Once on SQLite, once on PostgreSQL. */

#define MARKER_LENGTH 40
#define PASSPHRASE "correct horse battery staple"

static char *root;
static GPtrArray *logged;
static PgCluster *pg_cluster;

typedef struct {
  gboolean postgresql;
  char *location;
  ReceiverProcess *receiver;
  char *kiosk_config;
  char *caseworker_token;
  char *kiosk_token_file;
  GSettings *settings;
  HavenDeskApplication *application;
  HavenDeskWindow *window;
} Fixture;

/* The PostgreSQL cluster's folder is made in the temporary folder, and
 * its server runs as the postgres user when the test runs as root. */
static void
open_private_folders_to_postgres (void)
{
  g_autofree char *tmp = g_build_filename (root, "tmp", NULL);

  g_assert_cmpint (g_chmod (root, 0711), ==, 0);
  g_assert_cmpint (g_chmod (tmp, 0711), ==, 0);
}

static int
run_receiver_command (Fixture             *fixture,
                      const char * const  *arguments,
                      char               **out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) require_env ("HAVEN_RECEIVER"));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, fixture->postgresql ? (char *) "--database" : (char *) "--db");
  g_ptr_array_add (argv, fixture->location);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, NULL,
                &wait_status, &error);
  g_assert_no_error (error);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static char *
add_credential (Fixture    *fixture,
                const char *role,
                const char *name)
{
  const char * const arguments[] = { "credentials", "add", "--role", role, "--name", name, NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (run_receiver_command (fixture, arguments, &out), ==, 0);
  return g_strstrip (g_steal_pointer (&out));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *ca = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *settings_file = NULL;
  g_autofree char *kiosk_token = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;

  fixture->postgresql = GPOINTER_TO_INT (user_data);
  if (fixture->postgresql)
    {
      if (pg_cluster == NULL)
        pg_cluster = pg_cluster_start ();
      fixture->location = g_strdup (pg_cluster_get_uri (pg_cluster));
    }
  else
    {
      fixture->location = work_path ("desk-receiver.db");
    }

  /* No --key-file: the receiver keeps each body sealed as it came, as the
   * recommended deployment does. */
  fixture->receiver = receiver_process_start_tls_full (fixture->location, NULL, NULL);
  fixture->caseworker_token = add_credential (fixture, "caseworker", "alice");
  kiosk_token = add_credential (fixture, "kiosk", "lobby-kiosk");
  {
    g_autofree char *kiosk_folder = work_path ("kiosk");

    g_assert_cmpint (g_mkdir_with_parents (kiosk_folder, 0700), ==, 0);
    fixture->kiosk_token_file = write_file (kiosk_folder, "token", kiosk_token);
  }

  ca = work_path ("ca.pem");
  key_file = g_build_filename (root, "data", "haven-desk", "organisation.key", NULL);
  g_remove (key_file);
  settings_file = g_build_filename (root, "config", "desk-settings", NULL);
  g_remove (settings_file);
  backend = g_keyfile_settings_backend_new (settings_file, "/", NULL);
  fixture->settings = g_settings_new_with_backend (DESK_APP_ID, backend);
  g_settings_set_string (fixture->settings, "backend-url", fixture->receiver->url);
  g_settings_set_string (fixture->settings, "ca-file", ca);
  g_settings_set_string (fixture->settings, "key-file", key_file);
  g_settings_set_string (fixture->settings, "notifier-name", "Example Support Centre");
  g_settings_set_string (fixture->settings, "notifier-email", "notices@support.example.org");

  fixture->application = haven_desk_application_new_with_settings (fixture->settings);
  {
    g_autoptr(GError) error = NULL;

    g_application_register (G_APPLICATION (fixture->application), NULL, &error);
    g_assert_no_error (error);
  }
  /* Argon2id at its least: the test is about the flow, not the cost. */
  haven_key_vault_set_cost (haven_desk_application_get_vault (fixture->application),
                            crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
  fixture->window = haven_desk_window_new (fixture->application);
  gtk_window_present (GTK_WINDOW (fixture->window));
  iterate ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  iterate ();
  g_clear_object (&fixture->application);
  g_clear_object (&fixture->settings);
  receiver_process_stop (fixture->receiver);
  g_free (fixture->location);
  g_free (fixture->kiosk_config);
  g_free (fixture->kiosk_token_file);
  explicit_bzero (fixture->caseworker_token, strlen (fixture->caseworker_token));
  g_free (fixture->caseworker_token);
}

static GtkWidget *
window_widget (Fixture *fixture)
{
  return GTK_WIDGET (fixture->window);
}

/* HAVEN_DESK_SCREENSHOT_DIR: where to photograph the screen at a few
 * points of the flow, to look at. */
static void
take_screenshot (const char *name)
{
  const char *folder = g_getenv ("HAVEN_DESK_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (folder == NULL)
    return;

  for (guint i = 0; i < 20; i++)
    {
      iterate ();
      g_usleep (10000);
    }
  path = g_strdup_printf ("%s/%s.png", folder, name);
  g_spawn_sync (NULL, (char *[]) { (char *) "import", (char *) "-window", (char *) "root", path, NULL },
                NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
page_is (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];
  const char *name = ((gpointer *) data)[1];

  return g_strcmp0 (haven_desk_window_get_page_name (fixture->window), name) == 0;
}

static void
wait_for_page (Fixture    *fixture,
               const char *name)
{
  gpointer data[] = { fixture, (gpointer) name };

  if (!iterate_until (page_is, data, 20))
    g_error ("The desk did not show its %s page in time; it shows %s", name,
             haven_desk_window_get_page_name (fixture->window));
}

static gboolean
public_key_shown (gpointer data)
{
  GtkWidget *label = find_named (data, "public-key");

  return label != NULL && gtk_label_get_text (GTK_LABEL (label))[0] != '\0';
}

/* The kiosk side, in processes of its own: havenctl queues a request
 * sealed to the organisation's public key and delivers it, as a kiosk
 * would. */
static void
send_from_kiosk (Fixture    *fixture,
                 const char *public_key,
                 const char *category,
                 const char *marker)
{
  g_autoptr(GSettings) kiosk = NULL;
  g_autofree char *request = NULL;
  g_autofree char *request_file = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *ca = work_path ("ca.pem");
  g_autofree char *outbox = NULL;
  const char * const add[] = { "outbox", "add", NULL, NULL };
  const char * const flush[] = { "outbox", "flush", NULL };
  const char * const report[] = { "backend", "report-status", NULL };

  g_free (fixture->kiosk_config);
  fixture->kiosk_config = work_path ("kiosk-config");
  outbox = g_build_filename (fixture->kiosk_config, "outbox.db", NULL);
  kiosk = keyfile_settings_new (fixture->kiosk_config);
  g_settings_set_string (kiosk, "backend-url", fixture->receiver->url);
  g_settings_set_string (kiosk, "ca-file", ca);
  g_settings_set_string (kiosk, "token-file", fixture->kiosk_token_file);
  g_settings_set_string (kiosk, "backend-public-key", public_key);
  g_settings_set_string (kiosk, "kiosk-id", "station-12-lobby");
  g_settings_set_string (kiosk, "outbox-file", outbox);

  request = g_strdup_printf ("{\"category\": \"%s\", \"locale\": \"es\","
                             " \"items\": [{\"url\": \"https://www.example.social/p/77\","
                             " \"description\": \"%s\"}],"
                             " \"reporter\": {\"role\": \"self\", \"consent_to_contact\": false},"
                             " \"declaration\": {\"accurate\": true, \"authorised\": true}}",
                             category, marker);
  request_file = write_file (fixture->kiosk_config, "request.json", request);
  explicit_bzero (request, strlen (request));

  ((const char **) add)[2] = request_file;
  g_assert_cmpint (run_havenctl (fixture->kiosk_config, add, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_havenctl (fixture->kiosk_config, flush, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The kiosk takes the organisation's bundles, and was just handed one
   * signed by another key: it refuses it, and its report says so. */
  {
    g_autofree char *directory = g_build_filename (fixture->kiosk_config, "directory.sqlite",
                                                   NULL);
    g_autofree char *source = g_test_build_filename (G_TEST_DIST, "data", "directory",
                                                     "services.json", NULL);
    g_autofree char *other_key = g_build_filename (fixture->kiosk_config, "other.key", NULL);
    g_autofree char *kiosk_key = g_build_filename (fixture->kiosk_config, "kiosk.key", NULL);
    g_autofree char *bundle = g_build_filename (fixture->kiosk_config, "other.bundle", NULL);
    g_autofree char *bundles = haven_paths_dup_bundle_dir ();
    const char * const import[] = { "directory", "import", source, "--db", directory, NULL };
    const char * const keygen_other[] = { "bundle", "keygen", "--secret-file", other_key, NULL };
    const char * const keygen_kiosk[] = { "bundle", "keygen", "--secret-file", kiosk_key, NULL };
    const char * const make[] = { "bundle", "make", "--directory", directory, "--secret-file",
                                  other_key, "--output", bundle, NULL };
    const char * const fetch[] = { "bundle", "fetch", "--from", bundle, NULL };

    const char * const * const steps[] = { import, keygen_other, make };

    remove_tree (bundles);
    for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
      {
        g_assert_cmpint (run_havenctl (fixture->kiosk_config, steps[i], &out, &err), ==, 0);
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
      }
    g_assert_cmpint (run_havenctl (fixture->kiosk_config, keygen_kiosk, &out, &err), ==, 0);
    g_settings_set_string (kiosk, "bundle-public-key", g_strstrip (out));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_havenctl (fixture->kiosk_config, fetch, &out, &err), ==, 1);
    g_clear_pointer (&out, g_free);
    g_assert_nonnull (strstr (err, "not signed by the organisation’s key"));
    g_clear_pointer (&err, g_free);

    g_assert_cmpint (run_havenctl (fixture->kiosk_config, report, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "\"error\":\"signature\""));
    remove_tree (bundles);
  }
  /* The kiosk's side is done; nothing of it stays. */
  remove_tree (fixture->kiosk_config);
}

static gboolean
inbox_has_cases (gpointer data)
{
  Fixture *fixture = data;
  GtkWidget *list = find_named (window_widget (fixture), "cases");

  return list != NULL && gtk_widget_get_first_child (list) != NULL;
}

static gboolean
kiosk_listed (gpointer data)
{
  return find_named (window_widget (data), "station-12-lobby") != NULL;
}

static gboolean
case_settled (gpointer data)
{
  Fixture *fixture = data;
  GtkWidget *page = haven_desk_window_get_visible_page (fixture->window);

  return HAVEN_IS_DESK_CASE_PAGE (page) && !haven_desk_case_page_is_busy (HAVEN_DESK_CASE_PAGE (page));
}

static HavenDeskCasePage *
wait_for_case (Fixture *fixture)
{
  GtkWidget *page;

  wait_until ("the case page to settle (no request to the intake service under way)", case_settled, fixture, 20);
  page = haven_desk_window_get_visible_page (fixture->window);
  if (haven_desk_case_page_get_error (HAVEN_DESK_CASE_PAGE (page)) != NULL)
    g_error ("The case did not open: %s", haven_desk_case_page_get_error (HAVEN_DESK_CASE_PAGE (page))->message);
  g_assert_nonnull (haven_desk_case_page_get_case (HAVEN_DESK_CASE_PAGE (page)));
  return HAVEN_DESK_CASE_PAGE (page);
}

static HavenCaseState
case_state (HavenDeskCasePage *page)
{
  return haven_case_info_get_state (haven_case_get_info (haven_desk_case_page_get_case (page)));
}

static void
record_change_cb (HavenDeskCasePage *page,
                  const char        *message,
                  char             **last_message)
{
  g_free (*last_message);
  *last_message = g_strdup (message);
}

static gboolean
has_message (gpointer data)
{
  return *(char **) data != NULL;
}

static guint
count_audit (Fixture    *fixture,
             const char *action,
             const char *reference)
{
  const char * const params[] = { action, reference, NULL };
  g_autofree char *count = database_query_text (fixture->location,
                                                "SELECT CAST(count(*) AS text) FROM audit_log WHERE actor = 'alice'"
                                                " AND role = 'caseworker' AND action = $1"
                                                " AND case_reference = $2 AND status < 300",
                                                params);

  return (guint) g_ascii_strtoull (count, NULL, 10);
}

/* A file the desk saved, parsed, its text wiped. */
static JsonNode *
json_from_file_wiped (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;
  JsonNode *node;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  node = json_from_string (contents, &error);
  g_assert_no_error (error);
  explicit_bzero (contents, length);
  g_free (contents);
  return node;
}

static gboolean
notices_idle (gpointer data)
{
  return !haven_desk_notices_page_is_busy (data);
}

/* The notices for the case: one, to the host the platforms table lacks,
 * prefilled; refused until confirmed; its package saved and checked
 * against the schema; recorded as sent. */
static void
send_notices (Fixture           *fixture,
              HavenDeskCasePage *page,
              const char        *masked_marker_plain)
{
  g_autofree char *package_file = g_build_filename (root, "home", "notice.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (package_file);
  g_autoptr(JsonNode) schema = json_schema_check_load_notice_package ();
  g_autoptr(JsonNode) package = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  HavenDeskNoticesPage *notices_page;
  HavenNotice *notice;
  JsonObject *object;
  JsonObject *item;
  gulong handler;

  press (GTK_WIDGET (page), "prepare-notices");
  wait_for_page (fixture, "notices");
  notices_page = HAVEN_DESK_NOTICES_PAGE (haven_desk_window_get_visible_page (fixture->window));
  g_assert_nonnull (haven_desk_notices_page_get_notices (notices_page));
  g_assert_cmpuint (haven_desk_notices_page_get_notices (notices_page)->len, ==, 1);
  notice = g_ptr_array_index (haven_desk_notices_page_get_notices (notices_page), 0);
  g_assert_cmpstr (haven_notice_get_hosting_provider (notice), ==, "www.example.social");
  g_assert_true (widget_tree_shows (GTK_WIDGET (notices_page), "https://www.example.social/p/77"));
  g_assert_true (widget_tree_shows (GTK_WIDGET (notices_page), masked_marker_plain));
  g_assert_true (widget_tree_shows (GTK_WIDGET (notices_page), "published without that person’s consent"));

  /* Not confirmed: nothing recorded, and the page says why. */
  press (GTK_WIDGET (notices_page), "notice-1-record-sent");
  g_assert_false (haven_desk_notices_page_is_busy (notices_page));
  g_assert_true (widget_tree_shows (GTK_WIDGET (notices_page),
                                    "Confirm the good-faith statement before the notice is sent."));

  type_into (GTK_WIDGET (notices_page), "notice-1-explanation",
             "These photos of the person we support were posted without her consent.");
  press (GTK_WIDGET (notices_page), "notice-1-confirm");
  take_screenshot ("notices");

  handler = g_signal_connect (notices_page, "changed", G_CALLBACK (record_change_cb), &message);
  haven_desk_notices_page_save_to (notices_page, 0, HAVEN_DESK_NOTICE_EXPORT_PACKAGE, file);
  wait_until ("the notices page to say whether the package was saved", has_message, &message, 20);
  g_assert_cmpstr (message, ==, "The notice is saved");
  package = json_from_file_wiped (package_file);
  g_assert_true (json_schema_check_is_valid (schema, package, NULL));
  object = json_node_get_object (package);
  g_assert_cmpstr (json_object_get_string_member (object, "hosting_provider"), ==,
                   "www.example.social");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (
                                     json_object_get_object_member (object, "explanation"), "text"),
                                   "These photos of the person we support were posted without her consent.\n\n"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "notifier"),
                                                  "email"), ==, "notices@support.example.org");
  item = json_array_get_object_element (json_object_get_array_member (object, "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "url"), ==, "https://www.example.social/p/77");
  g_assert_cmpstr (json_object_get_string_member (item, "what_it_shows"), ==, masked_marker_plain);
  /* The caseworker's to keep; the scan at the end is of what the desk
   * keeps on its own. */
  g_assert_cmpint (g_remove (package_file), ==, 0);

  g_clear_pointer (&message, g_free);
  press (GTK_WIDGET (notices_page), "notice-1-record-sent");
  wait_until ("the notice to be recorded as sent", has_message, &message, 20);
  wait_until ("the notices page to be idle", notices_idle, notices_page, 20);
  g_signal_handler_disconnect (notices_page, handler);
  g_assert_cmpstr (message, ==, "The notice to www.example.social is recorded as sent");

  press (GTK_WIDGET (notices_page), "notices-back");
  wait_for_page (fixture, "case");
  page = wait_for_case (fixture);
  g_assert_cmpstr (haven_case_info_get_item_outcome (haven_case_get_info (haven_desk_case_page_get_case (page)), 0),
                   ==, "notice-sent");
  g_assert_null (haven_desk_notices_page_get_notices (notices_page));
}

/* The desk's save dialog, when one is open. */
static GtkWidget *
find_save_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (window) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static gboolean
save_dialog_shown (gpointer data)
{
  return find_save_dialog () != NULL;
}

static gboolean
report_idle (gpointer data)
{
  return !haven_desk_report_page_is_busy (data);
}

static char *
pdf_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char *[]) { (char *) "pdftotext", (char *) path, (char *) "-", NULL }, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &contents, NULL,
                &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  return contents;
}

/* The trusted flagger's report for the year so far: the notice sent to
 * www.example.social, whose address was then removed; as CSV, byte for
 * byte, and as a PDF with its charts. */
static void
check_report (Fixture *fixture)
{
  g_autofree char *csv_path = g_build_filename (root, "home", "report.csv", NULL);
  g_autofree char *pdf_path = g_build_filename (root, "home", "report.pdf", NULL);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(GFile) pdf_file = g_file_new_for_path (pdf_path);
  g_autofree char *csv = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *message = NULL;
  HavenDeskReportPage *page;
  HavenNoticeReport *report;
  const HavenNoticeReportRow *row;
  gulong handler;

  haven_desk_window_show_view (fixture->window, "report");
  page = HAVEN_DESK_REPORT_PAGE (haven_desk_window_get_visible_page (fixture->window));

  /* Days that are not days: refused on the page, nothing asked. */
  type_into (GTK_WIDGET (page), "report-from", "2026-02-30");
  press (GTK_WIDGET (page), "make-report");
  g_assert_false (haven_desk_report_page_is_busy (page));
  g_assert_nonnull (haven_desk_report_page_get_problem (page));
  g_assert_null (haven_desk_report_page_get_report (page));

  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *first = g_date_time_format (now, "%Y-01-01");

    type_into (GTK_WIDGET (page), "report-from", first);
  }
  press (GTK_WIDGET (page), "make-report");
  wait_until ("the report to arrive", report_idle, page, 20);
  g_assert_null (haven_desk_report_page_get_problem (page));
  report = haven_desk_report_page_get_report (page);
  g_assert_nonnull (report);
  g_assert_cmpuint (haven_notice_report_get_notices (report), ==, 1);
  g_assert_cmpuint (haven_notice_report_get_addresses (report), ==, 1);
  g_assert_cmpuint (haven_notice_report_get_n_rows (report), ==, 1);
  row = haven_notice_report_get_row (report, 0);
  g_assert_cmpstr (row->hosting_provider, ==, "www.example.social");
  g_assert_cmpstr (row->category, ==, "intimate-images");
  g_assert_cmpstr (row->action, ==, "removed");
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), "By hosting provider"));
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), "1 notice sent"));
  take_screenshot ("report");

  /* Saved where the caseworker says in the desk's own file dialog. */
  handler = g_signal_connect (page, "changed", G_CALLBACK (record_change_cb), &message);
  press (GTK_WIDGET (page), "save-report-csv");
  wait_until ("the file dialog to open", save_dialog_shown, NULL, 20);
  {
    GtkWidget *dialog = find_save_dialog ();
    g_autofree char *name = NULL;

    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (dialog));
    g_assert_true (g_str_has_prefix (name, "notices-"));
    g_assert_true (g_str_has_suffix (name, ".csv"));
    {
      g_autoptr(GFile) folder = g_file_get_parent (csv_file);

      g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL));
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "report.csv");
    }
    gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
    G_GNUC_END_IGNORE_DEPRECATIONS
  }
  wait_until ("the CSV to be saved", has_message, &message, 20);
  g_assert_cmpstr (message, ==, "The report is saved");
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_cmpstr (csv, ==, "hosting_provider,category,action,notices,addresses\r\n"
                            "www.example.social,intimate-images,removed,1,1\r\n");

  g_clear_pointer (&message, g_free);
  haven_desk_report_page_save_to (page, HAVEN_DESK_REPORT_EXPORT_PDF, pdf_file);
  wait_until ("the PDF to be saved", has_message, &message, 20);
  g_signal_handler_disconnect (page, handler);
  g_assert_cmpstr (message, ==, "The report is saved");
  pdf = pdf_text (pdf_path);
  g_assert_nonnull (strstr (pdf, "Report of notices"));
  g_assert_nonnull (strstr (pdf, "By hosting provider"));
  g_assert_nonnull (strstr (pdf, "By type of content"));
  g_assert_nonnull (strstr (pdf, "By action taken"));
  g_assert_nonnull (strstr (pdf, "www.example.social"));
  g_assert_nonnull (strstr (pdf, "1 notice"));
  g_assert_null (strstr (pdf, "HV-"));
  g_assert_cmpint (g_remove (csv_path), ==, 0);
  g_assert_cmpint (g_remove (pdf_path), ==, 0);
}

static void
test_whole_flow (Fixture       *fixture,
                 gconstpointer  user_data)
{
  guint8 masked[MARKER_LENGTH];
  g_autofree char *public_key = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *case_file = NULL;
  g_autofree char *sha256 = NULL;
  HavenDeskCasePage *page;
  GtkWidget *list;
  GtkWidget *row;
  char *plain;
  guint copies, n_files = 0;
  gint64 deadline;

  if (fixture->postgresql && pg_cluster_find_bindir () == NULL)
    {
      g_test_skip ("PostgreSQL is not installed");
      return;
    }

  /* First run: a new organisation key under the caseworker's passphrase. */
  wait_for_page (fixture, "setup");
  type_into (window_widget (fixture), "passphrase", PASSPHRASE);
  type_into (window_widget (fixture), "passphrase-again", PASSPHRASE);
  press (window_widget (fixture), "create-key-file");
  wait_until ("the first-run page to show the new public key", public_key_shown, window_widget (fixture), 20);
  public_key = g_strdup (gtk_label_get_text (GTK_LABEL (find_named (window_widget (fixture), "public-key"))));
  g_assert_cmpuint (strlen (public_key), ==, 44);

  /* The visitor's request, from a kiosk that has that public key. */
  memory_scan_make_marker (masked, sizeof masked);
  plain = memory_scan_reveal_marker (masked, sizeof masked);
  send_from_kiosk (fixture, public_key, "intimate-images", plain);
  explicit_bzero (plain, sizeof masked);
  g_free (plain);

  /* Sign in with the caseworker's own token. */
  press (window_widget (fixture), "continue");
  wait_for_page (fixture, "sign-in");
  type_into (window_widget (fixture), "token", fixture->caseworker_token);
  press (window_widget (fixture), "sign-in");
  wait_for_page (fixture, "main");

  /* The inbox: the case, new. */
  wait_until ("the inbox to list a case", inbox_has_cases, fixture, 20);
  list = require_named (window_widget (fixture), "cases");
  row = gtk_widget_get_first_child (list);
  reference = g_strdup (gtk_widget_get_name (row));
  g_assert_true (g_str_has_prefix (reference, "HV-"));
  g_assert_cmpuint (haven_desk_inbox_page_get_n_new (HAVEN_DESK_INBOX_PAGE (haven_desk_window_get_visible_page (fixture->window))), ==, 1);
  g_assert_true (widget_tree_shows (row, "Spanish"));
  g_assert_true (widget_tree_shows (row, "station-12-lobby"));
  take_screenshot ("inbox");

  /* Opened: the visitor's words, the address and its host, the language. */
  press (list, reference);
  wait_for_page (fixture, "case");
  page = wait_for_case (fixture);
  plain = memory_scan_reveal_marker (masked, sizeof masked);
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), plain));
  explicit_bzero (plain, sizeof masked);
  g_free (plain);
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), "https://www.example.social/p/77"));
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), "example.social"));
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), "Spanish (es)"));
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), reference));
  take_screenshot ("case");
  sha256 = g_strdup (haven_case_get_sha256 (haven_desk_case_page_get_case (page)));
  g_assert_cmpuint (strlen (sha256), ==, 64);

  /* Worked: taken, an outcome for the address, a note, closed. */
  press (GTK_WIDGET (page), "take-case");
  page = wait_for_case (fixture);
  g_assert_cmpint (case_state (page), ==, HAVEN_CASE_STATE_OPEN);

  plain = memory_scan_reveal_marker (masked, sizeof masked);
  send_notices (fixture, page, plain);
  explicit_bzero (plain, sizeof masked);
  g_free (plain);
  page = wait_for_case (fixture);

  {
    const char * const *outcomes = haven_case_get_outcome_ids ();
    guint removed = 0;

    while (!g_str_equal (outcomes[removed], "removed"))
      removed++;
    /* The drop-down's first entry is "No outcome yet". */
    adw_combo_row_set_selected (ADW_COMBO_ROW (require_named (GTK_WIDGET (page), "item-0-outcome")),
                                removed + 1);
  }
  type_into (GTK_WIDGET (page), "item-0-reference", "T-1234");
  press (GTK_WIDGET (page), "item-0-record");
  page = wait_for_case (fixture);
  g_assert_cmpstr (haven_case_info_get_item_outcome (haven_case_get_info (haven_desk_case_page_get_case (page)), 0),
                   ==, "removed");

  type_into (GTK_WIDGET (page), "note", "Called the platform's trust and safety line.");
  press (GTK_WIDGET (page), "add-note");
  page = wait_for_case (fixture);
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), "Called the platform's trust and safety line."));
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), "alice"));

  take_screenshot ("case-worked");
  press (GTK_WIDGET (page), "close-case");
  page = wait_for_case (fixture);
  g_assert_cmpint (case_state (page), ==, HAVEN_CASE_STATE_CLOSED);

  /* The case file, where the caseworker chose. */
  case_file = g_build_filename (root, "home", "case-file.pdf", NULL);
  {
    g_autoptr(GFile) file = g_file_new_for_path (case_file);
    g_autofree char *contents = NULL;
    g_autofree char *message = NULL;
    gulong handler = g_signal_connect (page, "changed", G_CALLBACK (record_change_cb), &message);
    gsize length = 0;

    haven_desk_case_page_save_to (page, file);
    wait_until ("the case page to say whether the case file was saved", has_message, &message, 20);
    g_signal_handler_disconnect (page, handler);
    g_assert_cmpstr (message, ==, "The case file is saved");
    g_assert_true (g_file_get_contents (case_file, &contents, &length, NULL));
    g_assert_cmpuint (length, >, 1000);
    g_assert_true (g_str_has_prefix (contents, "%PDF-"));
    explicit_bzero (contents, length);
    g_clear_pointer (&contents, g_free);

    /* What it holds, as pdftotext reads it: the reference, the address,
     * the history's caseworker and the SHA-256 of the opened request. */
    {
      g_autoptr(GError) error = NULL;
      int wait_status = 0;

      g_spawn_sync (NULL, (char *[]) { (char *) "pdftotext", case_file, (char *) "-", NULL }, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &contents, NULL,
                    &wait_status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
      g_assert_nonnull (strstr (contents, reference));
      g_assert_nonnull (strstr (contents, "https://www.example.social/p/77"));
      g_assert_nonnull (strstr (contents, "alice"));
      g_assert_nonnull (strstr (contents, sha256));
      explicit_bzero (contents, strlen (contents));
    }
  }
  /* It is the caseworker's to keep; the scan below is of what the desk
   * keeps on its own. */
  g_assert_cmpint (g_remove (case_file), ==, 0);

  press (GTK_WIDGET (page), "back");
  wait_for_page (fixture, "main");
  check_report (fixture);
  haven_desk_window_show_view (fixture->window, "fleet");
  gtk_widget_activate_action (window_widget (fixture), "win.refresh", NULL);
  wait_until ("the Kiosks page to list station-12-lobby", kiosk_listed, fixture, 20);
  g_assert_true (widget_tree_shows (require_named (window_widget (fixture), "station-12-lobby"),
                                    "version"));
  g_assert_true (widget_tree_shows (require_named (window_widget (fixture), "station-12-lobby"),
                                    "last bundle refused: not signed by the organisation’s key"));
  take_screenshot ("fleet");

  /* Locked: the key and the case go, and so do the clipboards' contents
   * (an address copied from the case, say). */
  {
    GdkDisplay *display = gtk_widget_get_display (window_widget (fixture));

    gdk_clipboard_set_text (gdk_display_get_clipboard (display), "https://www.example.social/p/77");
    gdk_clipboard_set_text (gdk_display_get_primary_clipboard (display), "https://www.example.social/p/77");
  }
  gtk_widget_activate_action (window_widget (fixture), "win.lock", NULL);
  wait_for_page (fixture, "unlock");
  {
    GdkDisplay *display = gtk_widget_get_display (window_widget (fixture));
    GdkClipboard *clipboards[] = {
      gdk_display_get_clipboard (display),
      gdk_display_get_primary_clipboard (display),
    };

    for (gsize i = 0; i < G_N_ELEMENTS (clipboards); i++)
      {
        GdkContentProvider *content = gdk_clipboard_get_content (clipboards[i]);
        g_auto(GValue) value = G_VALUE_INIT;
        g_autoptr(GError) error = NULL;

        g_assert_nonnull (content);
        g_value_init (&value, G_TYPE_STRING);
        gdk_content_provider_get_value (content, &value, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (g_value_get_string (&value), ==, "");
      }
  }
  g_assert_false (haven_key_vault_is_unlocked (haven_desk_application_get_vault (fixture->application)));

  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  do
    {
      iterate ();
      g_usleep (20000);
      copies = memory_scan_count (masked + 16, sizeof masked - 16);
    }
  while (copies > 0 && g_get_monotonic_time () < deadline);
  g_test_message ("copies of the visitor's words in the desk's memory after locking: %u", copies);

  plain = memory_scan_reveal_marker (masked + 16, sizeof masked - 16);
  g_assert_false (widget_tree_shows (window_widget (fixture), plain));
  n_files += assert_no_file_holds (g_getenv ("HOME"), plain);
  n_files += assert_no_file_holds (g_get_user_config_dir (), plain);
  n_files += assert_no_file_holds (g_get_user_data_dir (), plain);
  n_files += assert_no_file_holds (g_get_user_state_dir (), plain);
  n_files += assert_no_file_holds (g_get_user_cache_dir (), plain);
  n_files += assert_no_file_holds (g_get_tmp_dir (), plain);
  g_test_message ("%u files of the desk read: none holds the visitor's words", n_files);
  /* The key file and the settings at least. */
  g_assert_cmpuint (n_files, >=, 2);
  for (guint i = 0; i < logged->len; i++)
    if (strstr (g_ptr_array_index (logged, i), plain) != NULL)
      g_error ("A log message quotes the visitor: %s", (char *) g_ptr_array_index (logged, i));

#ifndef __SANITIZE_ADDRESS__
  /* AddressSanitizer's allocator keeps freed blocks unscrubbed. */
  g_assert_cmpuint (copies, ==, 0);
#endif

  /* The receiver: every read and event in its audit log, by alice. */
  g_assert_cmpuint (count_audit (fixture, "read-case", reference), >=, 5);
  g_assert_cmpuint (count_audit (fixture, "read-body", reference), ==, 1);
  /* Taken, a notice sent, an outcome, a note, the ending's note, closed. */
  g_assert_cmpuint (count_audit (fixture, "add-event", reference), ==, 6);
  {
    g_autofree char *lists = database_query_text (fixture->location,
                                                  "SELECT CAST(count(*) AS text) FROM audit_log WHERE actor = 'alice'"
                                                  " AND action = 'list-cases' AND status = 200",
                                                  NULL);

    g_assert_cmpuint (g_ascii_strtoull (lists, NULL, 10), >=, 1);
  }
  {
    const char * const params[] = { reference, NULL };
    g_autofree char *events = database_query_text (fixture->location,
                                                   "SELECT CAST(count(*) AS text) FROM case_events WHERE case_reference = $1",
                                                   params);

    g_assert_cmpstr (events, ==, "6");
  }
  {
    const char * const params[] = { reference, NULL };
    g_autofree char *hosted = database_query_text (fixture->location,
                                                   "SELECT CAST(count(*) AS text) FROM case_events"
                                                   " WHERE case_reference = $1"
                                                   " AND hosting_provider = 'www.example.social'",
                                                   params);

    /* The notice recorded as sent, and the outcome recorded on the case
     * page, both say where the address is hosted. */
    g_assert_cmpstr (hosted, ==, "2");
  }

  /* Its store: no plain copy of the visitor's words. */
  if (!fixture->postgresql)
    {
      g_autofree char *wal = g_strconcat (fixture->location, "-wal", NULL);

      g_assert_false (file_contains (fixture->location, plain));
      if (g_file_test (wal, G_FILE_TEST_EXISTS))
        g_assert_false (file_contains (wal, plain));
    }
  else
    {
      const char * const params[] = { plain, NULL };
      g_autofree char *found = database_query_text (fixture->location,
                                                    "SELECT CAST((SELECT count(*) FROM requests WHERE"
                                                    " position(convert_to($1, 'UTF8') in body) > 0)"
                                                    " + (SELECT count(*) FROM case_events WHERE"
                                                    " sealed_note LIKE '%' || $1 || '%') AS text)",
                                                    params);

      g_assert_cmpstr (found, ==, "0");
    }

  explicit_bzero (plain, strlen (plain));
  g_free (plain);
}


static void
create_key (Fixture *fixture)
{
  wait_for_page (fixture, "setup");
  type_into (window_widget (fixture), "passphrase", PASSPHRASE);
  type_into (window_widget (fixture), "passphrase-again", PASSPHRASE);
  press (window_widget (fixture), "create-key-file");
  wait_until ("the first-run page to show the new public key", public_key_shown, window_widget (fixture), 20);
}

static void
sign_in (Fixture *fixture)
{
  press (window_widget (fixture), "continue");
  wait_for_page (fixture, "sign-in");
  type_into (window_widget (fixture), "token", fixture->caseworker_token);
  press (window_widget (fixture), "sign-in");
  wait_for_page (fixture, "main");
}

static guint
count_rows (Fixture *fixture)
{
  GtkWidget *list = find_named (window_widget (fixture), "cases");
  guint n = 0;

  for (GtkWidget *row = list != NULL ? gtk_widget_get_first_child (list) : NULL; row != NULL;
       row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

static gboolean
has_two_rows (gpointer data)
{
  return count_rows (data) == 2;
}

static gboolean
case_failed (gpointer data)
{
  Fixture *fixture = data;
  GtkWidget *page = haven_desk_window_get_visible_page (fixture->window);

  return HAVEN_IS_DESK_CASE_PAGE (page) &&
         haven_desk_case_page_get_error (HAVEN_DESK_CASE_PAGE (page)) != NULL;
}

/* A case sealed to another key says so, and why; the inbox takes in a
 * case that arrives while it is open, without a restart; the child's case
 * comes first. */
static void
test_wrong_key_and_refresh (Fixture       *fixture,
                            gconstpointer  user_data)
{
  guint8 other_public[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 other_secret[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *other_key = NULL;
  g_autofree char *public_key = NULL;
  HavenDeskCasePage *page;
  GtkWidget *list;
  GtkWidget *first;
  const GError *error;

  create_key (fixture);
  public_key = g_strdup (gtk_label_get_text (GTK_LABEL (find_named (window_widget (fixture), "public-key"))));
  haven_sealed_box_generate_key_pair (other_public, other_secret);
  other_key = haven_sealed_box_encode_key (other_public);
  send_from_kiosk (fixture, other_key, "harassment", "sealed to another organisation");

  g_settings_set_uint (fixture->settings, "refresh-interval", 5);
  sign_in (fixture);
  wait_until ("the inbox to list a case", inbox_has_cases, fixture, 20);
  g_assert_cmpuint (count_rows (fixture), ==, 1);

  /* Polled: a second case, about a child, shows within the interval. */
  send_from_kiosk (fixture, public_key, "child-abuse-material", "a second case");
  wait_until ("the inbox to take in the second case (refresh-interval 5 s)", has_two_rows, fixture, 20);
  list = require_named (window_widget (fixture), "cases");
  first = gtk_widget_get_first_child (list);
  g_assert_true (widget_tree_shows (first, "A child"));
  g_assert_cmpuint (haven_desk_inbox_page_get_n_new (HAVEN_DESK_INBOX_PAGE (haven_desk_window_get_visible_page (fixture->window))), ==, 2);

  /* The one sealed to another key: opened, it says why it cannot be. */
  press (list, gtk_widget_get_name (gtk_widget_get_next_sibling (first)));
  wait_for_page (fixture, "case");
  wait_until ("the case page to say why the case cannot be opened", case_failed, fixture, 20);
  page = HAVEN_DESK_CASE_PAGE (haven_desk_window_get_visible_page (fixture->window));
  error = haven_desk_case_page_get_error (page);
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY);
  g_assert_true (widget_tree_shows (GTK_WIDGET (page), error->message));
  g_assert_null (haven_desk_case_page_get_case (page));
  g_test_message ("a case sealed to another key: %s", error->message);

  press (GTK_WIDGET (page), "back");
  wait_for_page (fixture, "main");
}

static gboolean
is_locked (gpointer data)
{
  Fixture *fixture = data;

  return !haven_key_vault_is_unlocked (haven_desk_application_get_vault (fixture->application));
}

/* Left alone, the desk locks: the key and the case go. */
static void
test_idle_lock (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *public_key = NULL;

  create_key (fixture);
  public_key = g_strdup (gtk_label_get_text (GTK_LABEL (find_named (window_widget (fixture), "public-key"))));
  send_from_kiosk (fixture, public_key, "harassment", "left open on the desk");
  sign_in (fixture);
  wait_until ("the inbox to list a case", inbox_has_cases, fixture, 20);
  press (require_named (window_widget (fixture), "cases"),
         gtk_widget_get_name (gtk_widget_get_first_child (require_named (window_widget (fixture), "cases"))));
  wait_for_case (fixture);

  haven_desk_window_set_idle_limit (fixture->window, 2);
  wait_until ("the idle desk to lock itself", is_locked, fixture, 20);
  wait_for_page (fixture, "unlock");
  g_assert_false (widget_tree_shows (window_widget (fixture), "left open on the desk"));
}

int
main (int   argc,
      char *argv[])
{
  int result;

  root = use_private_folders ("HAVEN_DESK_TEST_ROOT", "haven-desk");
  open_private_folders_to_postgres ();
  logged = record_log_messages ();
  desk_driver_init (&argc, &argv);
  work_dir_init ("desk-flow");

  g_test_add ("/haven/desk/flow/sqlite", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_whole_flow, fixture_tear_down);
  g_test_add ("/haven/desk/flow/postgresql", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up,
              test_whole_flow, fixture_tear_down);
  g_test_add ("/haven/desk/wrong-key-and-refresh", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_wrong_key_and_refresh, fixture_tear_down);
  g_test_add ("/haven/desk/idle-lock", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_idle_lock, fixture_tear_down);

  result = g_test_run ();
  if (pg_cluster != NULL)
    pg_cluster_stop (pg_cluster);
  work_dir_remove ();
  remove_tree (root);
  g_free (root);
  g_ptr_array_unref (logged);
  return result;
}

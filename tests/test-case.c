/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-case"

#include "config.h"

#include <string.h>

#include "haven-case.h"
#include "haven-wipe.h"
#include "test-casework.h"
#include "test-files.h"

/* A case's body opened on a desk: sealed to the desk's key, checked as a
 * request of the API, and against what the intake service recorded. */

typedef struct {
  char *folder;
  HavenKeyVault *vault;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->vault = casework_make_vault (&fixture->folder);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_finalize_object (fixture->vault);
  remove_tree (fixture->folder);
  g_free (fixture->folder);
}

static void
test_open_sealed (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autofree char *json = NULL;
  g_autoptr(GBytes) body = casework_seal_request (fixture->vault, request, &json);
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) info = casework_info_new (object);
  g_autofree char *expected_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                                  (const guchar *) json,
                                                                  strlen (json));
  g_autoptr(HavenCase) opened = haven_case_open (info, body, TRUE, fixture->vault, &error);
  HavenRequest *got;

  g_assert_no_error (error);
  g_assert_nonnull (opened);
  g_assert_true (haven_case_get_info (opened) == info);

  got = haven_case_get_request (opened);
  g_assert_nonnull (got);
  g_assert_cmpint (haven_request_get_kind (got), ==, HAVEN_REQUEST_KIND_REMOVAL);
  g_assert_cmpstr (haven_request_get_request_id (got), ==, haven_request_get_request_id (request));
  g_assert_cmpstr (haven_request_get_category (got), ==, "intimate-images");
  g_assert_cmpuint (haven_request_get_n_items (got), ==, 2);
  g_assert_cmpstr (haven_request_get_item_url (got, 0), ==, "https://www.example.social/p/123");
  g_assert_cmpstr (haven_request_get_item_description (got, 1), ==, "the same photo again");
  g_assert_cmpstr (haven_request_get_contact_email (got), ==, "visitor@example.org");

  g_assert_cmpstr (haven_case_get_sha256 (opened), ==, expected_sha256);
  g_assert_cmpuint (strlen (haven_case_get_sha256 (opened)), ==, 64);
}

static void
test_open_report (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_report ();
  g_autoptr(GBytes) body = casework_seal_request (fixture->vault, request, NULL);
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) info = NULL;
  g_autoptr(HavenCase) opened = NULL;

  /* Metadata the service does not know is not checked. */
  json_object_set_null_member (object, "locale");
  json_object_set_null_member (object, "kiosk_id");
  json_object_set_null_member (object, "child_involved");
  json_object_set_null_member (object, "created_at");
  info = casework_info_new (object);
  opened = haven_case_open (info, body, TRUE, fixture->vault, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_request_get_summary (haven_case_get_request (opened)), ==,
                   "A seller took the money.\nThe parcel never came.");
  g_assert_cmpstr (haven_request_get_answer (haven_case_get_request (opened), "where"), ==,
                   "social-network,messages");
}

static void
test_wrong_key (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autofree char *other_folder = NULL;
  g_autoptr(HavenKeyVault) other = casework_make_vault (&other_folder);
  g_autoptr(GBytes) body = casework_seal_request (other, request, NULL);
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) info = casework_info_new (object);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("not a sealed box", 16);

  g_assert_null (haven_case_open (info, body, TRUE, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY);
  g_assert_nonnull (strstr (error->message, "another key"));
  g_clear_error (&error);

  g_assert_null (haven_case_open (info, garbage, TRUE, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY);
  g_clear_error (&error);

  /* The right key, but locked; or no key at all. */
  haven_key_vault_lock (other);
  g_assert_null (haven_case_open (info, body, TRUE, other, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_clear_error (&error);
  g_assert_null (haven_case_open (info, body, TRUE, NULL, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY);

  g_assert_finalize_object (g_steal_pointer (&other));
  remove_tree (other_folder);
}

static GBytes *
seal_text (HavenKeyVault *vault,
           const char    *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = g_bytes_new (text, strlen (text));
  GBytes *sealed = haven_key_vault_seal (vault, plain, &error);

  g_assert_no_error (error);
  return sealed;
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) info = casework_info_new (object);
  g_autoptr(GBytes) garbage = seal_text (fixture->vault, "{\"request_id\": secret words");
  g_autoptr(GBytes) array = seal_text (fixture->vault, "[1, 2, 3]");
  g_autoptr(GBytes) missing = NULL;
  g_autofree char *json = NULL;

  g_assert_null (haven_case_open (info, garbage, TRUE, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID);
  /* Nothing of the body in the message. */
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);

  g_assert_null (haven_case_open (info, array, TRUE, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID);
  g_clear_error (&error);

  /* A JSON object without its items and reporter: named in the message. */
  json = g_strdup_printf ("{\"request_id\":\"%s\",\"created_at\":\"%s\",\"kiosk_id\":\"%s\","
                          "\"locale\":\"es\",\"category\":\"intimate-images\","
                          "\"declaration\":{\"accurate\":true,\"authorised\":true}}",
                          haven_request_get_request_id (request),
                          haven_request_get_created_at (request), CASEWORK_KIOSK);
  missing = seal_text (fixture->vault, json);
  g_assert_null (haven_case_open (info, missing, TRUE, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "items"));
  g_assert_nonnull (strstr (error->message, "reporter"));
}

/* A field at fault under a key the body chose is not quoted: the message
 * may reach a log. */
static void
test_invalid_key_not_quoted (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_report ();
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) info = casework_info_new (object);
  g_autofree char *json = haven_request_to_json (request, NULL);
  g_auto(GStrv) halves = g_strsplit (json, "\"answers\":{", 2);
  g_autofree char *planted = NULL;
  g_autoptr(GBytes) body = NULL;

  g_assert_cmpuint (g_strv_length (halves), ==, 2);
  planted = g_strconcat (halves[0], "\"answers\":{\"my secret words\":5,", halves[1], NULL);
  body = seal_text (fixture->vault, planted);
  g_assert_null (haven_case_open (info, body, TRUE, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID);
  g_assert_null (strstr (error->message, "secret"));
}

static void
assert_mismatch (HavenKeyVault *vault,
                 HavenRequest  *request,
                 const char    *member,
                 JsonNode      *value,
                 const char    *named)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = casework_seal_request (vault, request, NULL);
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) info = NULL;

  json_object_set_member (object, member, value);
  info = casework_info_new (object);
  g_assert_null (haven_case_open (info, body, TRUE, vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, named));
}

static JsonNode *
string_node (const char *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  return node;
}

static void
test_mismatch (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(HavenRequest) request = casework_make_removal ();
  JsonNode *child = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (child, TRUE);
  assert_mismatch (fixture->vault, request, "category", string_node ("harassment"), "what happened");
  assert_mismatch (fixture->vault, request, "locale", string_node ("fr"), "language");
  assert_mismatch (fixture->vault, request, "kiosk_id", string_node ("station-1"), "kiosk");
  assert_mismatch (fixture->vault, request, "child_involved", child, "child");
  assert_mismatch (fixture->vault, request, "created_at", string_node ("2026-01-01T00:00:00Z"),
                   "when");
}

static void
test_unsealed (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_report ();
  gsize length = 0;
  g_autofree char *json = haven_request_to_json (request, &length);
  g_autoptr(GBytes) body = g_bytes_new (json, length);
  g_autoptr(JsonObject) object = casework_info_object (request, FALSE);
  g_autoptr(HavenCaseInfo) info = casework_info_new (object);
  g_autoptr(JsonObject) sealed_object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) sealed_info = casework_info_new (sealed_object);
  g_autoptr(HavenCase) opened = NULL;
  g_autofree char *expected_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                                  (const guchar *) json, length);

  /* No key needed for a body a kiosk sent unsealed. */
  opened = haven_case_open (info, body, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_request_get_category (haven_case_get_request (opened)), ==, "fraud");
  g_assert_cmpstr (haven_case_get_sha256 (opened), ==, expected_sha256);

  /* Recorded as sealed, yet plain: not what the kiosk sent. */
  g_assert_null (haven_case_open (sealed_info, body, FALSE, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_MISMATCH);
}

static void
test_note (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autoptr(GBytes) body = casework_seal_request (fixture->vault, request, NULL);
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autofree char *note = casework_seal_note (fixture->vault, "Called the platform — ticket T-1234.");
  g_autofree char *other_folder = NULL;
  g_autoptr(HavenKeyVault) other = casework_make_vault (&other_folder);
  g_autofree char *foreign_note = casework_seal_note (other, "someone else's note");
  g_autofree char *binary_note = NULL;
  g_autofree char *event = NULL;
  g_autoptr(HavenCaseInfo) info = NULL;
  g_autoptr(HavenCase) opened = NULL;
  char *text;

  casework_add_event (object, "{\"event_id\": 41, \"type\": \"state\", \"state\": \"open\","
                              " \"actor\": \"alice\", \"at\": \"2026-12-07T11:52:10Z\"}");
  event = g_strdup_printf ("{\"event_id\": 42, \"type\": \"note\", \"sealed_note\": \"%s\","
                           " \"actor\": \"alice\", \"at\": \"2026-12-07T11:53:00Z\"}", note);
  casework_add_event (object, event);
  g_free (event);
  event = g_strdup_printf ("{\"event_id\": 43, \"type\": \"note\", \"sealed_note\": \"%s\","
                           " \"actor\": \"bob\", \"at\": \"2026-12-07T11:54:00Z\"}", foreign_note);
  casework_add_event (object, event);
  g_free (event);
  casework_add_event (object, "{\"event_id\": 44, \"type\": \"note\", \"sealed_note\": \"q83v!!\","
                              " \"actor\": \"bob\", \"at\": \"2026-12-07T11:55:00Z\"}");
  {
    g_autoptr(GBytes) plain = g_bytes_new ("\xff\xfe not text", 11);
    g_autoptr(GBytes) sealed = haven_key_vault_seal (fixture->vault, plain, &error);

    g_assert_no_error (error);
    binary_note = g_base64_encode (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  }
  event = g_strdup_printf ("{\"event_id\": 45, \"type\": \"note\", \"sealed_note\": \"%s\","
                           " \"actor\": \"bob\", \"at\": \"2026-12-07T11:56:00Z\"}", binary_note);
  casework_add_event (object, event);
  info = casework_info_new (object);

  opened = haven_case_open (info, body, TRUE, fixture->vault, &error);
  g_assert_no_error (error);

  text = haven_case_dup_note (opened, 1, fixture->vault, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "Called the platform — ticket T-1234.");
  haven_wipe_string (text);

  g_assert_null (haven_case_dup_note (opened, 2, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY);
  g_clear_error (&error);
  g_assert_null (haven_case_dup_note (opened, 3, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (haven_case_dup_note (opened, 4, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID);
  g_clear_error (&error);

  haven_key_vault_lock (fixture->vault);
  g_assert_null (haven_case_dup_note (opened, 1, fixture->vault, &error));
  g_assert_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY);

  g_assert_finalize_object (g_steal_pointer (&other));
  remove_tree (other_folder);
}

static void
test_wipe (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autoptr(GBytes) body = casework_seal_request (fixture->vault, request, NULL);
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) info = casework_info_new (object);
  g_autoptr(HavenCase) opened = haven_case_open (info, body, TRUE, fixture->vault, &error);
  HavenRequest *got;

  g_assert_no_error (error);
  got = g_object_ref (haven_case_get_request (opened));
  haven_case_wipe (opened);
  g_assert_null (haven_case_get_request (opened));
  g_assert_null (haven_case_get_sha256 (opened));
  /* The request itself is zeroed, whoever still holds it. */
  g_assert_cmpuint (haven_request_get_n_items (got), ==, 0);
  g_assert_null (haven_request_get_contact_email (got));
  g_assert_finalize_object (got);
  /* The metadata stays: it holds nothing the visitor wrote. */
  g_assert_true (haven_case_get_info (opened) == info);
  haven_case_wipe (opened);
}

static void
test_set_info (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autoptr(GBytes) body = casework_seal_request (fixture->vault, request, NULL);
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCaseInfo) info = casework_info_new (object);
  g_autoptr(HavenCaseInfo) later = NULL;
  g_autoptr(HavenCase) opened = haven_case_open (info, body, TRUE, fixture->vault, &error);

  casework_add_event (object, "{\"event_id\": 41, \"type\": \"state\", \"state\": \"waiting\","
                              " \"actor\": \"alice\", \"at\": \"2026-12-07T11:52:10Z\"}");
  later = casework_info_new (object);
  haven_case_set_info (opened, later);
  g_assert_true (haven_case_get_info (opened) == later);
  g_assert_cmpuint (haven_case_info_get_events (haven_case_get_info (opened))->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haven/case/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("open-sealed", test_open_sealed);
  ADD ("open-report", test_open_report);
  ADD ("wrong-key", test_wrong_key);
  ADD ("invalid", test_invalid);
  ADD ("invalid-key-not-quoted", test_invalid_key_not_quoted);
  ADD ("mismatch", test_mismatch);
  ADD ("unsealed", test_unsealed);
  ADD ("note", test_note);
  ADD ("wipe", test_wipe);
  ADD ("set-info", test_set_info);

#undef ADD

  return g_test_run ();
}

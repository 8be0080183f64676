/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-casework"

#include "config.h"

#include <string.h>

#include <sodium.h>

#include "haven-wipe.h"
#include "test-casework.h"
#include "test-wait.h"

HavenKeyVault *
casework_make_vault (char **folder)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  HavenKeyVault *vault;

  *folder = g_dir_make_tmp ("haven-casework-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (*folder, "organisation.key", NULL);
  vault = haven_key_vault_new (path);
  haven_key_vault_set_cost (vault, crypto_pwhash_argon2id_OPSLIMIT_MIN,
                            crypto_pwhash_argon2id_MEMLIMIT_MIN);
  haven_key_vault_create_async (vault, "correct horse battery staple", NULL, NULL,
                                store_result_cb, &result);
  g_assert_true (haven_key_vault_create_finish (vault, wait_for_result (&result), &error));
  g_assert_no_error (error);
  return vault;
}

static void
assert_valid (HavenRequest *request)
{
  g_autoptr(GHashTable) errors = NULL;

  if (!haven_request_validate (request, &errors))
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, errors);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_test_message ("invalid: %s", (const char *) key);
      g_assert_not_reached ();
    }
}

HavenRequest *
casework_make_removal (void)
{
  HavenRequest *request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);

  haven_request_set_category (request, "intimate-images");
  haven_request_add_item (request, "https://www.example.social/p/123", NULL,
                          "photo posted without consent");
  haven_request_add_item (request, "https://pics.example.net/a/9", "pics.example.net",
                          "the same photo again");
  haven_request_set_reporter_role (request, "self");
  haven_request_set_contact_email (request, "visitor@example.org");
  haven_request_set_contact_phone (request, "+44 7700 900123");
  haven_request_set_consent_to_contact (request, TRUE);
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);
  haven_request_confirm (request, CASEWORK_KIOSK, "es");
  assert_valid (request);
  return request;
}

HavenRequest *
casework_make_report (void)
{
  HavenRequest *request = haven_request_new (HAVEN_REQUEST_KIND_REPORT);

  haven_request_set_category (request, "fraud");
  haven_request_set_reporter_role (request, "parent-or-guardian");
  haven_request_set_contact_email (request, "hidden@example.org");
  haven_request_set_consent_to_contact (request, FALSE);
  haven_request_set_started_on (request, "2026-11-20");
  haven_request_set_summary (request, "A seller took the money.\nThe parcel never came.");
  haven_request_set_losses (request, "250.00", "EUR");
  haven_request_set_answer (request, "where", "social-network,messages");
  haven_request_set_answer (request, "payment-method", "bank-transfer");
  haven_request_set_answer (request, "still-happening", "yes");
  haven_request_set_answer (request, "their-name", "TraderJoe77");
  haven_request_add_evidence (request, "screenshots of the chat");
  haven_request_add_evidence (request, "bank statement");
  haven_request_confirm (request, CASEWORK_KIOSK, "en");
  assert_valid (request);
  return request;
}

JsonObject *
casework_info_object (HavenRequest *request,
                      gboolean      sealed)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "case_reference", CASEWORK_REFERENCE);
  json_object_set_string_member (object, "kind",
                                 haven_request_kind_to_string (haven_request_get_kind (request)));
  json_object_set_string_member (object, "category", haven_request_get_category (request));
  json_object_set_string_member (object, "locale", haven_request_get_locale (request));
  json_object_set_string_member (object, "kiosk_id", haven_request_get_kiosk_id (request));
  json_object_set_boolean_member (object, "child_involved",
                                  haven_request_get_child_involved (request));
  json_object_set_string_member (object, "created_at", haven_request_get_created_at (request));
  json_object_set_string_member (object, "received_at", "2026-12-07T11:40:03Z");
  json_object_set_string_member (object, "state", "open");
  json_object_set_boolean_member (object, "sealed", sealed);
  json_object_set_null_member (object, "updated_at");
  json_object_set_null_member (object, "closed_at");
  json_object_set_null_member (object, "body_destroyed_at");
  json_object_set_array_member (object, "events", json_array_new ());
  return object;
}

HavenCaseInfo *
casework_info_new (JsonObject *object)
{
  g_autoptr(GError) error = NULL;
  HavenCaseInfo *info = haven_case_info_new_from_json (object, &error);

  g_assert_no_error (error);
  return info;
}

void
casework_add_event (JsonObject *object,
                    const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  json_array_add_element (json_object_get_array_member (object, "events"), node);
}

GBytes *
casework_seal_request (HavenKeyVault  *vault,
                       HavenRequest   *request,
                       char          **json_out)
{
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  char *json = haven_request_to_json (request, &length);
  g_autoptr(GBytes) plain = haven_sealed_box_new_wiped_bytes (json, length);
  GBytes *sealed = haven_key_vault_seal (vault, plain, &error);

  g_assert_no_error (error);
  if (json_out != NULL)
    *json_out = json;
  else
    haven_wipe_string (json);
  return sealed;
}

char *
casework_seal_note (HavenKeyVault *vault,
                    const char    *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = g_bytes_new (text, strlen (text));
  g_autoptr(GBytes) sealed = haven_key_vault_seal (vault, plain, &error);

  g_assert_no_error (error);
  return g_base64_encode (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-case"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-case.h"
#include "haven-wipe.h"

/* A case's body opened in memory. Whatever goes wrong, the messages here
 * say what and which field, never a word of the body: they may reach a
 * log or a bug report. */

struct _HavenCase
{
  GObject parent_instance;

  HavenCaseInfo *info;
  HavenRequest *request;
  char *sha256;
};

G_DEFINE_FINAL_TYPE (HavenCase, haven_case, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-case-error-quark, haven_case_error)

static void
haven_case_dispose (GObject *object)
{
  HavenCase *self = HAVEN_CASE (object);

  haven_case_wipe (self);
  g_clear_object (&self->info);

  G_OBJECT_CLASS (haven_case_parent_class)->dispose (object);
}

static void
haven_case_class_init (HavenCaseClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = haven_case_dispose;
}

static void
haven_case_init (HavenCase *self)
{
}

static gboolean
set_wrong_key (GError        **error,
               HavenKeyVault  *vault)
{
  if (vault == NULL || !haven_key_vault_is_unlocked (vault))
    g_set_error_literal (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY,
                         _("The key on this desk is locked. Unlock it to open the case."));
  else
    g_set_error_literal (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY,
                         _("This case was sealed to another key than the one on this desk, "
                           "so it cannot be opened here. Check that this desk has the "
                           "organisation’s current key."));
  return FALSE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A field's path as the API names it. A path can hold a key of the body
 * ("incident.answers.KEY"): one that is not a plain name is not quoted,
 * so the message never carries words of the body. */
static gboolean
is_plain_path (const char *path)
{
  gsize length = strlen (path);

  if (length == 0 || length > 64)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum (path[i]) && strchr ("._-[]", path[i]) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* "items[0].url, reporter.role": the fields at fault, in order. */
static char *
join_field_errors (GHashTable *field_errors)
{
  g_autofree const char **fields = NULL;
  g_autoptr(GPtrArray) named = g_ptr_array_new ();
  guint n_fields = 0;

  fields = (const char **) g_hash_table_get_keys_as_array (field_errors, &n_fields);
  g_qsort_with_data (fields, (gint) n_fields, sizeof (char *), compare_strings, NULL);
  for (guint i = 0; i < n_fields; i++)
    g_ptr_array_add (named, (gpointer) (is_plain_path (fields[i]) ? fields[i] : "…"));
  g_ptr_array_add (named, NULL);
  return g_strjoinv (", ", (char **) named->pdata);
}

static gboolean
same_time (const char *text,
           GDateTime  *time)
{
  g_autoptr(GDateTime) parsed = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return parsed != NULL && g_date_time_compare (parsed, time) == 0;
}

/* What the intake service recorded against what the kiosk sealed: each
 * member the service knows, in the envelope's order. */
static char *
describe_mismatches (HavenCaseInfo *info,
                     HavenRequest  *request)
{
  g_autoptr(GPtrArray) differing = g_ptr_array_new ();
  int child = haven_case_info_get_child_involved (info);

  if (g_strcmp0 (haven_case_info_get_kind (info),
                 haven_request_kind_to_string (haven_request_get_kind (request))) != 0)
    /* Translators: one of the things of a case that may differ, listed
     * after "…does not match its content:". */
    g_ptr_array_add (differing, (gpointer) _("its kind"));
  if (haven_case_info_get_category (info) != NULL &&
      g_strcmp0 (haven_case_info_get_category (info), haven_request_get_category (request)) != 0)
    g_ptr_array_add (differing, (gpointer) _("what happened"));
  if (haven_case_info_get_locale (info) != NULL &&
      g_strcmp0 (haven_case_info_get_locale (info), haven_request_get_locale (request)) != 0)
    g_ptr_array_add (differing, (gpointer) _("the visitor’s language"));
  if (haven_case_info_get_kiosk_id (info) != NULL &&
      g_strcmp0 (haven_case_info_get_kiosk_id (info), haven_request_get_kiosk_id (request)) != 0)
    g_ptr_array_add (differing, (gpointer) _("the kiosk"));
  if (child != -1 && (child == 1) != haven_request_get_child_involved (request))
    g_ptr_array_add (differing, (gpointer) _("whether a child is involved"));
  if (haven_case_info_get_created_at (info) != NULL &&
      !same_time (haven_request_get_created_at (request), haven_case_info_get_created_at (info)))
    g_ptr_array_add (differing, (gpointer) _("when the visitor sent it"));

  if (differing->len == 0)
    return NULL;
  g_ptr_array_add (differing, NULL);
  /* Translators: separates the things that differ, as in "the kiosk, the
   * visitor’s language". */
  return g_strjoinv (C_("case file", ", "), (char **) differing->pdata);
}

/**
 * haven_case_open:
 * @info: what the intake service holds of the case
 * @body: the body as the service gave it
 * @sealed: whether @body is a sealed box (its Content-Type)
 * @vault: (nullable): the desk's key, for a sealed body
 *
 * Opens, parses and validates the body and checks it against @info.
 *
 * Returns: (transfer full) (nullable): the case, or NULL with @error in
 *   HAVEN_CASE_ERROR
 */
HavenCase *
haven_case_open (HavenCaseInfo  *info,
                 GBytes         *body,
                 gboolean        sealed,
                 HavenKeyVault  *vault,
                 GError        **error)
{
  g_autoptr(HavenCase) self = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(HavenRequest) request = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autofree char *mismatches = NULL;
  HavenRequestKind kind;
  gconstpointer data;
  gsize length;

  g_return_val_if_fail (HAVEN_IS_CASE_INFO (info), NULL);
  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (vault == NULL || HAVEN_IS_KEY_VAULT (vault), NULL);

  if (sealed)
    {
      if (vault == NULL || !haven_key_vault_is_unlocked (vault))
        {
          set_wrong_key (error, vault);
          return NULL;
        }
      opened = haven_key_vault_open (vault, body, NULL);
      if (opened == NULL)
        {
          set_wrong_key (error, vault);
          return NULL;
        }
    }
  else if (haven_case_info_is_sealed (info))
    {
      /* The service says it stored a sealed box: a plain body in its place
       * is not what the kiosk sent. */
      g_set_error_literal (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_MISMATCH,
                           _("The intake service recorded this case as sealed, but its content "
                             "came unsealed. It is not opened: tell the organisation’s IT."));
      return NULL;
    }
  else
    {
      data = g_bytes_get_data (body, &length);
      opened = haven_sealed_box_new_wiped_bytes (data, length);
    }

  if (!haven_request_kind_from_string (haven_case_info_get_kind (info), &kind))
    g_return_val_if_reached (NULL);

  data = g_bytes_get_data (opened, &length);
  /* The parser's own message may quote the text: it is not passed on. */
  request = haven_request_new_from_json (kind, data, (gssize) length, NULL);
  if (request == NULL)
    {
      g_set_error_literal (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID,
                           _("This case’s content is not a request as the kiosks send them: "
                             "it is not a JSON object in UTF-8, or it is too large."));
      return NULL;
    }

  if (!haven_request_validate (request, &field_errors))
    {
      g_autofree char *fields = join_field_errors (field_errors);

      haven_request_wipe (request);
      g_set_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID,
                   /* Translators: %s names the request's fields, as in
                    * "items[0].url, reporter.role". */
                   _("This case’s content is not a valid request. The fields at fault: %s."),
                   fields);
      return NULL;
    }

  mismatches = describe_mismatches (info, request);
  if (mismatches != NULL)
    {
      haven_request_wipe (request);
      g_set_error (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_MISMATCH,
                   /* Translators: %s lists what differs, as in "the kiosk, the
                    * visitor’s language". */
                   _("What the intake service recorded for this case does not match its "
                     "content: %s. Do not act on it; tell the organisation’s IT."),
                   mismatches);
      return NULL;
    }

  self = g_object_new (HAVEN_TYPE_CASE, NULL);
  self->info = g_object_ref (info);
  self->request = g_steal_pointer (&request);
  self->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, opened);
  return g_steal_pointer (&self);
}

HavenCaseInfo *
haven_case_get_info (HavenCase *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE (self), NULL);
  return self->info;
}

void
haven_case_set_info (HavenCase     *self,
                     HavenCaseInfo *info)
{
  g_return_if_fail (HAVEN_IS_CASE (self));
  g_return_if_fail (HAVEN_IS_CASE_INFO (info));

  g_set_object (&self->info, info);
}

/**
 * haven_case_get_request:
 *
 * Returns: (transfer none) (nullable): the visitor's request, NULL once
 *   wiped
 */
HavenRequest *
haven_case_get_request (HavenCase *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE (self), NULL);
  return self->request;
}

const char *
haven_case_get_sha256 (HavenCase *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE (self), NULL);
  return self->sha256;
}

static gboolean
is_base64 (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '=' && i >= length - 2)
        continue;
      if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        return FALSE;
    }
  return TRUE;
}

char *
haven_case_dup_note (HavenCase      *self,
                     guint           event_index,
                     HavenKeyVault  *vault,
                     GError        **error)
{
  GPtrArray *events;
  HavenCaseEvent *event;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;
  guchar *decoded;
  gsize decoded_length = 0;
  const char *text;
  gsize length;

  g_return_val_if_fail (HAVEN_IS_CASE (self), NULL);
  g_return_val_if_fail (vault == NULL || HAVEN_IS_KEY_VAULT (vault), NULL);

  events = haven_case_info_get_events (self->info);
  g_return_val_if_fail (event_index < events->len, NULL);
  event = g_ptr_array_index (events, event_index);
  g_return_val_if_fail (event->type == HAVEN_CASE_EVENT_NOTE, NULL);

  if (!is_base64 (event->sealed_note))
    {
      g_set_error_literal (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID,
                           _("This note is damaged: it is not a sealed note."));
      return NULL;
    }
  decoded = g_base64_decode (event->sealed_note, &decoded_length);
  sealed = g_bytes_new_take (decoded, decoded_length);

  if (vault == NULL || !haven_key_vault_is_unlocked (vault))
    {
      set_wrong_key (error, vault);
      return NULL;
    }
  opened = haven_key_vault_open (vault, sealed, NULL);
  if (opened == NULL)
    {
      g_set_error_literal (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_WRONG_KEY,
                           _("This note was sealed to another key than the one on this desk, "
                             "so it cannot be opened here."));
      return NULL;
    }

  text = g_bytes_get_data (opened, &length);
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error_literal (error, HAVEN_CASE_ERROR, HAVEN_CASE_ERROR_INVALID,
                           _("This note is damaged: it is not text."));
      return NULL;
    }
  return g_strndup (text, length);
}

void
haven_case_wipe (HavenCase *self)
{
  g_return_if_fail (HAVEN_IS_CASE (self));

  if (self->request != NULL)
    haven_request_wipe (self->request);
  g_clear_object (&self->request);
  g_clear_pointer (&self->sha256, g_free);
}

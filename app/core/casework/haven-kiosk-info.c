/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-kiosk-info"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-kiosk-info.h"

/* One kiosk of the fleet page, checked once as it arrives, as
 * haven-case-info checks cases: the page never meets a count it cannot
 * show. What the kiosk reported is its own word and may be missing; what
 * the receiver adds (when it last heard, from whom, whether it is silent
 * or backed up) is always there. */

struct _HavenKioskInfo
{
  GObject parent_instance;

  char *kiosk_id;
  GDateTime *received_at;
  char *received_from;
  gboolean silent;
  gboolean backed_up;

  /* From the report. */
  char *version;
  GDateTime *reported_at;
  gint64 queued;
  gint64 sending;
  gint64 delivered;
  gint64 failed;
  char *directory_version;
  char *content_version;
  int last_error_status;
  GDateTime *last_error_at;
};

G_DEFINE_FINAL_TYPE (HavenKioskInfo, haven_kiosk_info, G_TYPE_OBJECT)

static void
haven_kiosk_info_finalize (GObject *object)
{
  HavenKioskInfo *self = HAVEN_KIOSK_INFO (object);

  g_free (self->kiosk_id);
  g_clear_pointer (&self->received_at, g_date_time_unref);
  g_free (self->received_from);
  g_free (self->version);
  g_clear_pointer (&self->reported_at, g_date_time_unref);
  g_free (self->directory_version);
  g_free (self->content_version);
  g_clear_pointer (&self->last_error_at, g_date_time_unref);

  G_OBJECT_CLASS (haven_kiosk_info_parent_class)->finalize (object);
}

static void
haven_kiosk_info_class_init (HavenKioskInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haven_kiosk_info_finalize;
}

static void
haven_kiosk_info_init (HavenKioskInfo *self)
{
  self->queued = -1;
  self->sending = -1;
  self->delivered = -1;
  self->failed = -1;
  self->last_error_status = -1;
}

static gboolean
set_invalid (GError     **error,
             const char  *member)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The intake service’s answer is not what the caseworker API says (%s)"), member);
  return FALSE;
}

static gboolean
is_absent (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* A member that must be a string, or absent or null when @nullable. */
static gboolean
get_string (JsonObject  *object,
            const char  *member,
            gboolean     nullable,
            char       **value,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  *value = NULL;
  if (is_absent (node))
    return nullable ? TRUE : set_invalid (error, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return set_invalid (error, member);

  text = json_node_get_string (node);
  if (!g_utf8_validate (text, -1, NULL) || strlen (text) > 1024)
    return set_invalid (error, member);

  *value = g_strdup (text);
  return TRUE;
}

static gboolean
get_time (JsonObject  *object,
          const char  *member,
          gboolean     nullable,
          GDateTime  **value,
          GError     **error)
{
  g_autofree char *text = NULL;

  *value = NULL;
  if (!get_string (object, member, nullable, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  *value = g_date_time_new_from_iso8601 (text, NULL);
  return *value != NULL ? TRUE : set_invalid (error, member);
}

static gboolean
get_boolean (JsonObject  *object,
             const char  *member,
             gboolean    *value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return set_invalid (error, member);

  *value = json_node_get_boolean (node);
  return TRUE;
}

/* A whole number from @min to @max; -1 when absent or null. */
static gboolean
get_count (JsonObject  *object,
           const char  *member,
           gint64       min,
           gint64       max,
           gint64      *value,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = -1;
  if (is_absent (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < min || json_node_get_int (node) > max)
    return set_invalid (error, member);

  *value = json_node_get_int (node);
  return TRUE;
}

/* An object member: NULL (and TRUE) when absent or null. */
static gboolean
get_object (JsonObject  *object,
            const char  *member,
            JsonObject **value,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = NULL;
  if (is_absent (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_invalid (error, member);

  *value = json_node_get_object (node);
  return TRUE;
}

static gboolean
parse_report (HavenKioskInfo  *self,
              JsonObject      *report,
              GError         **error)
{
  JsonObject *outbox = NULL;
  JsonObject *last_error = NULL;
  gint64 status = -1;

  if (!get_string (report, "version", TRUE, &self->version, error) ||
      !get_time (report, "reported_at", TRUE, &self->reported_at, error) ||
      !get_string (report, "directory_version", TRUE, &self->directory_version, error) ||
      !get_string (report, "content_version", TRUE, &self->content_version, error) ||
      !get_object (report, "outbox", &outbox, error) ||
      !get_object (report, "last_error", &last_error, error))
    return FALSE;

  if (outbox != NULL &&
      (!get_count (outbox, "queued", 0, G_MAXINT64, &self->queued, error) ||
       !get_count (outbox, "sending", 0, G_MAXINT64, &self->sending, error) ||
       !get_count (outbox, "delivered", 0, G_MAXINT64, &self->delivered, error) ||
       !get_count (outbox, "failed", 0, G_MAXINT64, &self->failed, error)))
    return FALSE;

  if (last_error != NULL)
    {
      if (!get_count (last_error, "status", 0, 599, &status, error) ||
          !get_time (last_error, "at", TRUE, &self->last_error_at, error))
        return FALSE;
      /* 0 is "no answer at all"; otherwise an HTTP status. */
      if (status > 0 && status < 100)
        return set_invalid (error, "status");
      self->last_error_status = (int) status;
    }

  return TRUE;
}

/**
 * haven_kiosk_info_new_from_json:
 * @object: one member of GET /v1/kiosks' "kiosks"
 *
 * Returns: (transfer full): the kiosk, or %NULL with
 *   %G_IO_ERROR_INVALID_DATA for an object that is not one
 */
HavenKioskInfo *
haven_kiosk_info_new_from_json (JsonObject  *object,
                                GError     **error)
{
  g_autoptr(HavenKioskInfo) self = g_object_new (HAVEN_TYPE_KIOSK_INFO, NULL);
  JsonObject *report = NULL;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!get_string (object, "kiosk_id", FALSE, &self->kiosk_id, error) ||
      !get_time (object, "received_at", FALSE, &self->received_at, error) ||
      !get_string (object, "received_from", FALSE, &self->received_from, error) ||
      !get_boolean (object, "silent", &self->silent, error) ||
      !get_boolean (object, "backed_up", &self->backed_up, error) ||
      !get_object (object, "report", &report, error))
    return NULL;

  if (self->kiosk_id[0] == '\0')
    {
      set_invalid (error, "kiosk_id");
      return NULL;
    }

  if (report != NULL && !parse_report (self, report, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
haven_kiosk_info_get_kiosk_id (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->kiosk_id;
}

GDateTime *
haven_kiosk_info_get_received_at (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->received_at;
}

const char *
haven_kiosk_info_get_received_from (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->received_from;
}

gboolean
haven_kiosk_info_is_silent (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), FALSE);
  return self->silent;
}

gboolean
haven_kiosk_info_is_backed_up (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), FALSE);
  return self->backed_up;
}

const char *
haven_kiosk_info_get_version (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->version;
}

GDateTime *
haven_kiosk_info_get_reported_at (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->reported_at;
}

gint64
haven_kiosk_info_get_queued (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), -1);
  return self->queued;
}

gint64
haven_kiosk_info_get_sending (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), -1);
  return self->sending;
}

gint64
haven_kiosk_info_get_delivered (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), -1);
  return self->delivered;
}

gint64
haven_kiosk_info_get_failed (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), -1);
  return self->failed;
}

const char *
haven_kiosk_info_get_directory_version (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->directory_version;
}

const char *
haven_kiosk_info_get_content_version (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->content_version;
}

int
haven_kiosk_info_get_last_error_status (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), -1);
  return self->last_error_status;
}

GDateTime *
haven_kiosk_info_get_last_error_at (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->last_error_at;
}

int
haven_kiosk_info_compare_for_fleet (gconstpointer a,
                                    gconstpointer b,
                                    gpointer      user_data)
{
  HavenKioskInfo *first = HAVEN_KIOSK_INFO ((gpointer) a);
  HavenKioskInfo *second = HAVEN_KIOSK_INFO ((gpointer) b);
  gboolean first_needs_care = first->silent || first->backed_up;
  gboolean second_needs_care = second->silent || second->backed_up;
  int order;

  /* A kiosk that needs someone to look at it comes before the ones that
   * are fine, however long ago either was heard from. */
  if (first_needs_care != second_needs_care)
    return first_needs_care ? -1 : 1;

  order = g_date_time_compare (first->received_at, second->received_at);
  if (order != 0)
    return order;
  return strcmp (first->kiosk_id, second->kiosk_id);
}

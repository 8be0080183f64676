/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-kiosk-info"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-api-answer.h"
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
  /* The organisation's bundle, from a kiosk that takes them. */
  char *bundle_version;
  char *bundle_error;
  int directory_out_of_date;
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
  g_free (self->bundle_version);
  g_free (self->bundle_error);

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
  self->directory_out_of_date = -1;
}

static gboolean
parse_report (HavenKioskInfo  *self,
              JsonObject      *report,
              GError         **error)
{
  JsonObject *outbox = NULL;
  JsonObject *last_error = NULL;
  JsonObject *bundle = NULL;
  gint64 status = -1;

  if (!haven_api_answer_get_string (report, "version", TRUE, &self->version, error) ||
      !haven_api_answer_get_time (report, "reported_at", TRUE, &self->reported_at, error) ||
      !haven_api_answer_get_string (report, "directory_version", TRUE, &self->directory_version, error) ||
      !haven_api_answer_get_string (report, "content_version", TRUE, &self->content_version, error) ||
      !haven_api_answer_get_object (report, "outbox", &outbox, error) ||
      !haven_api_answer_get_object (report, "last_error", &last_error, error) ||
      !haven_api_answer_get_object (report, "bundle", &bundle, error))
    return FALSE;

  if (bundle != NULL &&
      (!haven_api_answer_get_string (bundle, "version", TRUE, &self->bundle_version, error) ||
       !haven_api_answer_get_string (bundle, "error", TRUE, &self->bundle_error, error) ||
       !haven_api_answer_get_boolean (bundle, "directory_out_of_date", TRUE,
                                      &self->directory_out_of_date, error)))
    return FALSE;

  if (outbox != NULL &&
      (!haven_api_answer_get_integer (outbox, "queued", TRUE, 0, G_MAXINT64, &self->queued, error) ||
       !haven_api_answer_get_integer (outbox, "sending", TRUE, 0, G_MAXINT64, &self->sending, error) ||
       !haven_api_answer_get_integer (outbox, "delivered", TRUE, 0, G_MAXINT64, &self->delivered, error) ||
       !haven_api_answer_get_integer (outbox, "failed", TRUE, 0, G_MAXINT64, &self->failed, error)))
    return FALSE;

  if (last_error != NULL)
    {
      if (!haven_api_answer_get_integer (last_error, "status", TRUE, 0, 599, &status, error) ||
          !haven_api_answer_get_time (last_error, "at", TRUE, &self->last_error_at, error))
        return FALSE;
      /* 0 is "no answer at all"; otherwise an HTTP status. */
      if (status > 0 && status < 100)
        return haven_api_answer_invalid (error, "status");
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
  int silent = -1;
  int backed_up = -1;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!haven_api_answer_get_string (object, "kiosk_id", FALSE, &self->kiosk_id, error) ||
      !haven_api_answer_get_time (object, "received_at", FALSE, &self->received_at, error) ||
      !haven_api_answer_get_string (object, "received_from", FALSE, &self->received_from, error) ||
      !haven_api_answer_get_boolean (object, "silent", FALSE, &silent, error) ||
      !haven_api_answer_get_boolean (object, "backed_up", FALSE, &backed_up, error) ||
      !haven_api_answer_get_object (object, "report", &report, error))
    return NULL;

  self->silent = silent == 1;
  self->backed_up = backed_up == 1;

  if (self->kiosk_id[0] == '\0')
    {
      haven_api_answer_invalid (error, "kiosk_id");
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

/**
 * haven_kiosk_info_get_bundle_version:
 *
 * Returns: (nullable): the version of the organisation's bundle the kiosk
 *   uses; %NULL when it uses none, or takes none
 */
const char *
haven_kiosk_info_get_bundle_version (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->bundle_version;
}

/**
 * haven_kiosk_info_get_bundle_error:
 *
 * Returns: (nullable): why the kiosk's last bundle check failed, as one of
 *   haven-api-v1.md's words ("signature", "older", "network", …)
 */
const char *
haven_kiosk_info_get_bundle_error (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), NULL);
  return self->bundle_error;
}

/**
 * haven_kiosk_info_get_directory_out_of_date:
 *
 * Returns: whether the kiosk's directory is older than its
 *   directory-max-age allows (FALSE when it did not say)
 */
gboolean
haven_kiosk_info_get_directory_out_of_date (HavenKioskInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_KIOSK_INFO (self), FALSE);
  return self->directory_out_of_date == 1;
}

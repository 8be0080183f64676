/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-desk-fleet-page.h"
#include "haven-desk-format.h"

struct _HavenDeskFleetPage
{
  AdwBin parent_instance;

  GtkLabel *error_label;
  GtkStack *content_stack;
  GtkListBox *list;

  GListStore *kiosks;
  GtkSortListModel *sorted;

  HavenCaseClient *client;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HavenDeskFleetPage, haven_desk_fleet_page, ADW_TYPE_BIN)

/* A kiosk's report says why its last bundle check failed in one word of
 * the API's; the desk says it in words. */
static const char *
describe_bundle_error (const char *kind)
{
  static const struct {
    const char *kind;
    const char *words;
  } kinds[] = {
    { "signature", N_("not signed by the organisation’s key") },
    { "truncated", N_("cut short") },
    { "format", N_("not a bundle this kiosk can read") },
    { "older", N_("older than the one in use") },
    { "directory", N_("its directory does not open") },
    { "content", N_("its content fails the check") },
    { "key", N_("the kiosk’s bundle-public-key is not a key") },
    { "disk", N_("it cannot be written on the kiosk") },
    { "status", N_("the backend refused it") },
    { "network", N_("the backend cannot be reached") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kind, kinds[i].kind) == 0)
      return _(kinds[i].words);
  return kind;
}

static char *
describe_kiosk (HavenKioskInfo *kiosk,
                GDateTime      *now)
{
  g_autofree char *heard = haven_desk_format_age (haven_kiosk_info_get_received_at (kiosk), now);
  GString *text = g_string_new (NULL);
  const char *version = haven_kiosk_info_get_version (kiosk);
  gint64 queued = haven_kiosk_info_get_queued (kiosk);
  gint64 failed = haven_kiosk_info_get_failed (kiosk);
  int status = haven_kiosk_info_get_last_error_status (kiosk);

  /* Translators: %s is how long ago, as in "5 minutes ago" or "just now". */
  g_string_append_printf (text, _("Last heard: %s"), heard);
  if (version != NULL)
    /* Translators: a kiosk's software version. */
    g_string_append_printf (text, _(" · version %s"), version);
  if (queued >= 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, " · %d request waiting to be sent",
                                               " · %d requests waiting to be sent", (gulong) queued),
                            (int) MIN (queued, G_MAXINT));
  if (failed > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, " · %d refused", " · %d refused",
                                               (gulong) failed),
                            (int) MIN (failed, G_MAXINT));
  if (status >= 0)
    {
      g_autofree char *when = haven_desk_format_time (haven_kiosk_info_get_last_error_at (kiosk));

      if (status == 0)
        /* Translators: %s is a date and time. */
        g_string_append_printf (text, _(" · last error: no answer at %s"), when);
      else
        /* Translators: %d is an HTTP status such as 503, %s a date and time. */
        g_string_append_printf (text, _(" · last error: status %d at %s"), status, when);
    }
  if (haven_kiosk_info_get_bundle_version (kiosk) != NULL)
    /* Translators: the version of the organisation's bundle of directory and content. */
    g_string_append_printf (text, _(" · bundle %s"), haven_kiosk_info_get_bundle_version (kiosk));
  if (haven_kiosk_info_get_bundle_error (kiosk) != NULL)
    /* Translators: %s says why, such as "not signed by the organisation’s key". */
    g_string_append_printf (text, _(" · last bundle refused: %s"),
                            describe_bundle_error (haven_kiosk_info_get_bundle_error (kiosk)));
  return g_string_free (text, FALSE);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  HavenKioskInfo *kiosk = item;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *subtitle = describe_kiosk (kiosk, now);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), haven_kiosk_info_get_kiosk_id (kiosk));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_name (row, haven_kiosk_info_get_kiosk_id (kiosk));

  if (haven_kiosk_info_is_silent (kiosk))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), haven_desk_make_tag (_("Silent"), "error"));
  if (haven_kiosk_info_is_backed_up (kiosk))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), haven_desk_make_tag (_("Backed up"), "warning"));
  if (haven_kiosk_info_get_directory_out_of_date (kiosk))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                               haven_desk_make_tag (_("Directory out of date"), "warning"));
  if (!haven_kiosk_info_is_silent (kiosk) && !haven_kiosk_info_is_backed_up (kiosk))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), haven_desk_make_tag (_("Reporting"), "success"));
  return row;
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HavenDeskFleetPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) kiosks = NULL;

  kiosks = haven_case_client_list_kiosks_finish (HAVEN_CASE_CLIENT (source), result, &error);
  if (kiosks == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says why. */
      message = g_strdup_printf (_("The kiosks’ reports cannot be read: %s"), error->message);
      gtk_label_set_text (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  g_list_store_splice (self->kiosks, 0, g_list_model_get_n_items (G_LIST_MODEL (self->kiosks)),
                       kiosks->pdata, kiosks->len);
  gtk_stack_set_visible_child_name (self->content_stack, kiosks->len > 0 ? "list" : "empty");
}

void
haven_desk_fleet_page_refresh (HavenDeskFleetPage *self)
{
  g_return_if_fail (HAVEN_IS_DESK_FLEET_PAGE (self));

  if (self->client == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  haven_case_client_list_kiosks_async (self->client, self->cancellable, listed_cb,
                                       g_object_ref (self));
}

static void
haven_desk_fleet_page_dispose (GObject *object)
{
  HavenDeskFleetPage *self = HAVEN_DESK_FLEET_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_FLEET_PAGE);
  g_clear_object (&self->sorted);
  g_clear_object (&self->kiosks);

  G_OBJECT_CLASS (haven_desk_fleet_page_parent_class)->dispose (object);
}

static void
haven_desk_fleet_page_class_init (HavenDeskFleetPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_desk_fleet_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/haven-desk-fleet-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskFleetPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskFleetPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskFleetPage, list);
}

static void
haven_desk_fleet_page_init (HavenDeskFleetPage *self)
{
  GtkCustomSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->kiosks = g_list_store_new (HAVEN_TYPE_KIOSK_INFO);
  sorter = gtk_custom_sorter_new (haven_kiosk_info_compare_for_fleet, NULL, NULL);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->kiosks)),
                                          GTK_SORTER (sorter));
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->sorted), create_row, self, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

void
haven_desk_fleet_page_set_client (HavenDeskFleetPage *self,
                                  HavenCaseClient    *client)
{
  g_return_if_fail (HAVEN_IS_DESK_FLEET_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->client, client);
  if (client == NULL)
    {
      g_list_store_remove_all (self->kiosks);
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
      return;
    }
  haven_desk_fleet_page_refresh (self);
}

GListModel *
haven_desk_fleet_page_get_kiosks (HavenDeskFleetPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_FLEET_PAGE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-case-document.h"
#include "haven-desk-format.h"
#include "haven-desk-inbox-page.h"

/* At most this many cases are listed; closed cases beyond it are the
 * oldest, and a caseworker filters to find them. */
#define MAX_CASES 1000

struct _HavenDeskInboxPage
{
  AdwBin parent_instance;

  GtkDropDown *state_filter;
  GtkDropDown *kind_filter;
  GtkToggleButton *urgent_filter;
  GtkLabel *updated_label;
  GtkLabel *error_label;
  GtkStack *content_stack;
  AdwStatusPage *empty_page;
  GtkListBox *list;

  GListStore *cases;
  GtkSortListModel *sorted;
  GtkFilterListModel *filtered;
  GtkCustomFilter *filter;

  HavenCaseClient *client;
  HavenContent *content;
  GCancellable *cancellable;
  guint n_new;
  gboolean loaded;
};

G_DEFINE_FINAL_TYPE (HavenDeskInboxPage, haven_desk_inbox_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_N_NEW,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CASE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The drop-downs' entries, in order; the first of each is "all". */
static const int state_choices[] = {
  -1, HAVEN_CASE_STATE_RECEIVED, HAVEN_CASE_STATE_OPEN, HAVEN_CASE_STATE_WAITING,
  HAVEN_CASE_STATE_CLOSED,
};
static const char * const kind_choices[] = { NULL, "removal", "report" };

static gboolean
case_passes (gpointer item,
             gpointer user_data)
{
  HavenDeskInboxPage *self = user_data;
  HavenCaseInfo *info = item;
  guint state_index = gtk_drop_down_get_selected (self->state_filter);
  guint kind_index = gtk_drop_down_get_selected (self->kind_filter);

  if (state_index < G_N_ELEMENTS (state_choices) && state_choices[state_index] >= 0 &&
      haven_case_info_get_state (info) != (HavenCaseState) state_choices[state_index])
    return FALSE;
  if (kind_index < G_N_ELEMENTS (kind_choices) && kind_choices[kind_index] != NULL &&
      g_strcmp0 (haven_case_info_get_kind (info), kind_choices[kind_index]) != 0)
    return FALSE;
  if (gtk_toggle_button_get_active (self->urgent_filter) && !haven_case_info_is_urgent (info))
    return FALSE;
  return TRUE;
}

static void
update_empty (HavenDeskInboxPage *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0;

  if (empty && g_list_model_get_n_items (G_LIST_MODEL (self->cases)) > 0)
    adw_status_page_set_title (self->empty_page, _("No case matches these filters"));
  else
    adw_status_page_set_title (self->empty_page, _("No cases"));
  gtk_stack_set_visible_child_name (self->content_stack, empty ? "empty" : "list");
}

static void
filter_changed_cb (HavenDeskInboxPage *self)
{
  /* The drop-downs say so once as their lists are set, before the list. */
  if (self->filter == NULL)
    return;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_empty (self);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  HavenDeskInboxPage *self = user_data;
  HavenCaseInfo *info = item;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *category = haven_desk_describe_category (self->content,
                                                            haven_case_info_get_category (info));
  g_autofree char *language = haven_case_document_describe_language (haven_case_info_get_locale (info));
  g_autofree char *age = haven_desk_format_age (haven_case_info_get_received_at (info), now);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  HavenCaseState state = haven_case_info_get_state (info);
  const char *kiosk = haven_case_info_get_kiosk_id (info);
  GtkWidget *row = adw_action_row_new ();

  /* Translators: a case in the inbox: its reference, then its category,
   * as in "HV-7KQ2-M9XD — Intimate images shared". */
  title = g_strdup_printf (_("%s — %s"), haven_case_info_get_reference (info), category);
  /* Translators: the second line of a case in the inbox: its kind, the
   * visitor's language, the kiosk and how long ago it arrived. */
  subtitle = g_strdup_printf (_("%s · %s · kiosk %s · %s"),
                              haven_desk_describe_kind (haven_case_info_get_kind (info)),
                              language, kiosk != NULL ? kiosk : C_("kiosk", "not said"), age);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_name (row, haven_case_info_get_reference (info));

  if (haven_case_info_get_child_involved (info) == 1 ||
      g_strcmp0 (haven_case_info_get_category (info), "child-abuse-material") == 0)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), haven_desk_make_tag (_("A child"), "error"));
  else if (haven_case_info_is_urgent (info))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), haven_desk_make_tag (_("Intimate images"), "warning"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             haven_desk_make_tag (haven_case_state_get_label (state),
                                       state == HAVEN_CASE_STATE_RECEIVED ? "accent" : "dim-label"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  return row;
}

static void
row_activated_cb (HavenDeskInboxPage *self,
                  GtkListBoxRow      *row)
{
  g_autoptr(HavenCaseInfo) info =
    g_list_model_get_item (G_LIST_MODEL (self->filtered), gtk_list_box_row_get_index (row));

  if (info != NULL)
    g_signal_emit (self, signals[SIGNAL_CASE_ACTIVATED], 0, info);
}

static void
set_n_new (HavenDeskInboxPage *self,
           guint               n_new)
{
  if (self->n_new == n_new)
    return;
  self->n_new = n_new;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_NEW]);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HavenDeskInboxPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *time = NULL;
  guint n_new = 0;

  cases = haven_case_client_list_cases_finish (HAVEN_CASE_CLIENT (source), result, &error);
  if (cases == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says why, in the client's words. */
      updated = g_strdup_printf (_("The inbox cannot be updated: %s"), error->message);
      gtk_label_set_text (self->error_label, updated);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  for (guint i = 0; i < cases->len; i++)
    {
      if (haven_case_info_get_state (g_ptr_array_index (cases, i)) == HAVEN_CASE_STATE_RECEIVED)
        n_new++;
    }
  g_list_store_splice (self->cases, 0, g_list_model_get_n_items (G_LIST_MODEL (self->cases)),
                       cases->pdata, cases->len);
  update_empty (self);

  now = g_date_time_new_now_local ();
  time = g_date_time_format (now, "%X");
  /* Translators: %s is a time of day. */
  updated = g_strdup_printf (_("Updated at %s"), time);
  gtk_label_set_text (self->updated_label, updated);

  set_n_new (self, n_new);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
}

void
haven_desk_inbox_page_refresh (HavenDeskInboxPage *self)
{
  g_return_if_fail (HAVEN_IS_DESK_INBOX_PAGE (self));

  if (self->client == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  haven_case_client_list_cases_async (self->client, NULL, MAX_CASES, self->cancellable,
                                      listed_cb, g_object_ref (self));
}

static void
haven_desk_inbox_page_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  HavenDeskInboxPage *self = HAVEN_DESK_INBOX_PAGE (object);

  switch (prop_id)
    {
    case PROP_N_NEW:
      g_value_set_uint (value, self->n_new);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_desk_inbox_page_dispose (GObject *object)
{
  HavenDeskInboxPage *self = HAVEN_DESK_INBOX_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->content);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_INBOX_PAGE);
  g_clear_object (&self->filtered);
  g_clear_object (&self->cases);

  G_OBJECT_CLASS (haven_desk_inbox_page_parent_class)->dispose (object);
}

static void
haven_desk_inbox_page_class_init (HavenDeskInboxPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = haven_desk_inbox_page_get_property;
  object_class->dispose = haven_desk_inbox_page_dispose;

  properties[PROP_N_NEW] = g_param_spec_uint ("n-new", NULL, NULL, 0, G_MAXUINT, 0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                              G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                  G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CASE_ACTIVATED] = g_signal_new ("case-activated", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, HAVEN_TYPE_CASE_INFO);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/haven-desk-inbox-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskInboxPage, state_filter);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskInboxPage, kind_filter);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskInboxPage, urgent_filter);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskInboxPage, updated_label);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskInboxPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskInboxPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskInboxPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskInboxPage, list);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
haven_desk_inbox_page_init (HavenDeskInboxPage *self)
{
  g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  GtkCustomSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (states, _("All states"));
  for (guint i = 1; i < G_N_ELEMENTS (state_choices); i++)
    gtk_string_list_append (states, haven_case_state_get_label (state_choices[i]));
  gtk_drop_down_set_model (self->state_filter, G_LIST_MODEL (states));

  gtk_string_list_append (kinds, _("All kinds"));
  gtk_string_list_append (kinds, haven_desk_describe_kind ("removal"));
  gtk_string_list_append (kinds, haven_desk_describe_kind ("report"));
  gtk_drop_down_set_model (self->kind_filter, G_LIST_MODEL (kinds));

  self->cases = g_list_store_new (HAVEN_TYPE_CASE_INFO);
  sorter = gtk_custom_sorter_new (haven_case_info_compare_for_inbox, NULL, NULL);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->cases)),
                                          GTK_SORTER (sorter));
  self->filter = gtk_custom_filter_new (case_passes, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->sorted),
                                              GTK_FILTER (self->filter));
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->filtered), create_row, self, NULL);
  update_empty (self);
}

void
haven_desk_inbox_page_set_client (HavenDeskInboxPage *self,
                                  HavenCaseClient    *client)
{
  g_return_if_fail (HAVEN_IS_DESK_INBOX_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->client, client);
  if (client == NULL)
    {
      g_list_store_remove_all (self->cases);
      gtk_label_set_text (self->updated_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      set_n_new (self, 0);
      self->loaded = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
      update_empty (self);
      return;
    }
  haven_desk_inbox_page_refresh (self);
}

void
haven_desk_inbox_page_set_content (HavenDeskInboxPage *self,
                                   HavenContent       *content)
{
  g_return_if_fail (HAVEN_IS_DESK_INBOX_PAGE (self));
  g_set_object (&self->content, content);
}

guint
haven_desk_inbox_page_get_n_new (HavenDeskInboxPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_INBOX_PAGE (self), 0);
  return self->n_new;
}

GListModel *
haven_desk_inbox_page_get_cases (HavenDeskInboxPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_INBOX_PAGE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

gboolean
haven_desk_inbox_page_is_loaded (HavenDeskInboxPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_INBOX_PAGE (self), FALSE);
  return self->loaded;
}

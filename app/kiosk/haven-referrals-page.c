/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-referrals-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-referrals-page.h"
#include "haven-service-detail.h"

/* "People who can help": services of the directory for what happened, near
 * the kiosk and online, best first (the directory ranks them). The visitor
 * can search as they type and narrow the list; every search runs in a
 * worker thread, the previous one cancelled, so typing never waits for the
 * database. Choosing a service shows its details on the same page. */

#define MAX_RESULTS 50

struct _HavenReferralsPage
{
  HavenPage parent_instance;

  GtkScrolledWindow *scroller;
  GtkStack *views;
  /* Back and Continue, beneath the list; a service's details have their
   * own way back to it. */
  GtkWidget *actions;
  GtkSearchEntry *search_entry;
  GtkToggleButton *open_now_filter;
  GtkToggleButton *language_filter;
  GtkToggleButton *free_filter;
  GtkLabel *status_label;
  GtkListBox *results;
  AdwBin *detail_slot;

  HavenDirectory *directory;
  char *region;
  GListModel *services;
  GCancellable *search_cancellable;
  /* The row to give the focus back to when the visitor returns from a
   * service's details. */
  char *shown_service_id;
  /* The moment opening hours are shown for; NULL for the time of each
   * search. */
  GDateTime *at;
};

G_DEFINE_FINAL_TYPE (HavenReferralsPage, haven_referrals_page, HAVEN_TYPE_PAGE)

static GtkWidget *
create_row (HavenService *service)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_autofree char *isolated_name = haven_bidi_isolate (haven_service_get_name (service));
  GtkWidget *name = gtk_label_new (isolated_name);
  GtkWidget *details;
  g_autoptr(GString) line = g_string_new (NULL);

  switch (haven_service_get_reach (service))
    {
    case HAVEN_SERVICE_REACH_LOCAL:
      g_string_append (line, _("Near you"));
      break;

    case HAVEN_SERVICE_REACH_NATIONAL:
      g_string_append (line, _("Across the country"));
      break;

    case HAVEN_SERVICE_REACH_ANYWHERE:
    default:
      g_string_append (line, _("Online"));
      break;
    }

  if (haven_service_get_always_open (service))
    g_string_append_printf (line, " · %s", _("Open 24 hours"));
  else if (haven_service_get_has_hours (service) && haven_service_get_open_now (service))
    g_string_append_printf (line, " · %s", _("Open now"));
  else if (haven_service_get_has_hours (service))
    {
      /* Closed: when to come back, if the directory knows; in its own
       * direction, as the directory's other words. */
      g_autofree char *next = haven_bidi_isolate (haven_service_get_next_opening (service));

      g_string_append_printf (line, " · %s", next != NULL ? next : _("Closed now"));
    }
  if (haven_service_get_free (service))
    g_string_append_printf (line, " · %s", _("Free"));

  details = gtk_label_new (line->str);

  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_wrap (GTK_LABEL (details), TRUE);
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_widget_add_css_class (details, "dim-label");

  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), details);
  gtk_widget_add_css_class (box, "service-row");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_name (row, haven_service_get_id (service));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, details, NULL,
                                  -1);

  return row;
}

static void
show_services (HavenReferralsPage *self,
               GListModel         *services,
               guint               n_matches)
{
  guint n_items = g_list_model_get_n_items (services);
  g_autofree char *status = NULL;
  GtkWidget *row;

  g_set_object (&self->services, services);
  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->results))) != NULL)
    gtk_list_box_remove (self->results, row);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (services, i);

      gtk_list_box_append (self->results, create_row (service));
    }

  if (n_items == 0)
    status = g_strdup (_("No service matches. Try a shorter search or fewer filters."));
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u service", "%u services", n_matches),
                              n_matches);
  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->results), n_items > 0);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HavenReferralsPage) self = user_data;
  g_autoptr(GListModel) services = NULL;
  g_autoptr(GError) error = NULL;
  guint n_matches = 0;

  services = haven_directory_search_finish (HAVEN_DIRECTORY (object), result, &n_matches, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (services == NULL)
    {
      /* The message could quote what the visitor typed: the log gets
       * only which error it was. */
      g_warning ("Searching the directory failed (%s, code %d)",
                 g_quark_to_string (error->domain), error->code);
      gtk_label_set_label (self->status_label,
                           _("The list of services cannot be searched right now. Please ask the staff."));
      return;
    }

  show_services (self, services, n_matches);
}

static void
filters_changed_cb (HavenReferralsPage *self)
{
  HavenSession *session = haven_page_get_session (HAVEN_PAGE (self));
  g_autoptr(HavenDirectoryQuery) query = NULL;
  const char *category = haven_session_get_category (session);

  if (self->directory == NULL)
    return;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_cancellable = g_cancellable_new ();

  query = haven_directory_query_new ();
  query->text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  /* "Something else" is not a kind of help to match. */
  query->category = g_strcmp0 (category, "other") != 0 ? g_strdup (category) : NULL;
  query->region = g_strdup (self->region);
  query->display_language = g_strdup (haven_session_get_language (session));
  if (gtk_toggle_button_get_active (self->language_filter))
    query->language = haven_directory_normalise_language (haven_session_get_language (session));
  query->open_now = gtk_toggle_button_get_active (self->open_now_filter);
  query->free = gtk_toggle_button_get_active (self->free_filter);
  query->limit = MAX_RESULTS;
  query->at = self->at != NULL ? g_date_time_ref (self->at) : NULL;

  haven_directory_search_async (self->directory, query, self->search_cancellable,
                                search_cb, g_object_ref (self));
}

static HavenService *
lookup_shown_service (HavenReferralsPage *self,
                      const char         *id)
{
  guint n_items = self->services != NULL ? g_list_model_get_n_items (self->services) : 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (self->services, i);

      if (g_strcmp0 (haven_service_get_id (service), id) == 0)
        return g_steal_pointer (&service);
    }

  return NULL;
}

static void
row_activated_cb (HavenReferralsPage *self,
                  GtkListBoxRow      *row)
{
  g_autoptr(HavenService) service = lookup_shown_service (self, gtk_widget_get_name (GTK_WIDGET (row)));
  GtkWidget *detail;

  if (service == NULL)
    return;

  g_free (self->shown_service_id);
  self->shown_service_id = g_strdup (haven_service_get_id (service));

  detail = haven_service_detail_new (service, haven_page_get_session (HAVEN_PAGE (self)));
  adw_bin_set_child (self->detail_slot, detail);
  gtk_stack_set_visible_child_name (self->views, "detail");
  gtk_widget_set_visible (self->actions, FALSE);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  gtk_widget_child_focus (detail, GTK_DIR_TAB_FORWARD);
}

static void
back_to_list_cb (HavenReferralsPage *self)
{
  adw_bin_set_child (self->detail_slot, NULL);
  gtk_stack_set_visible_child_name (self->views, "list");
  gtk_widget_set_visible (self->actions, TRUE);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->results));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (g_strcmp0 (gtk_widget_get_name (row), self->shown_service_id) == 0)
        {
          gtk_widget_grab_focus (row);
          return;
        }
    }
}

/**
 * haven_referrals_page_set_directory:
 * @directory: (nullable): the directory, or %NULL when it cannot be opened
 * @region: (nullable): the kiosk's region (ISO 3166)
 * @error: (nullable): why the directory cannot be opened
 *
 * Starts the first search.
 */
void
haven_referrals_page_set_directory (HavenReferralsPage *self,
                                    HavenDirectory     *directory,
                                    const char         *region,
                                    const GError       *error)
{
  g_return_if_fail (HAVEN_IS_REFERRALS_PAGE (self));

  g_set_object (&self->directory, directory);
  g_free (self->region);
  self->region = region != NULL && region[0] != '\0' ? g_strdup (region) : NULL;

  if (directory == NULL)
    {
      /* The operator sees why with havenctl directory stats; the visitor
       * is pointed to a person. */
      if (error != NULL)
        g_message ("The directory cannot be opened: %s", error->message);
      gtk_label_set_label (self->status_label,
                           _("The list of services is not available on this kiosk right now. "
                             "Please ask the staff: they can help you find support."));
      gtk_widget_set_visible (GTK_WIDGET (self->results), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), FALSE);
      return;
    }

  filters_changed_cb (self);
}

/**
 * haven_referrals_page_set_time:
 * @at: (nullable): the moment to show opening hours for; %NULL for the
 *   current time
 *
 * Searches again for @at. The kiosk leaves it to the clock; tests set it.
 */
void
haven_referrals_page_set_time (HavenReferralsPage *self,
                               GDateTime          *at)
{
  g_return_if_fail (HAVEN_IS_REFERRALS_PAGE (self));

  g_clear_pointer (&self->at, g_date_time_unref);
  self->at = at != NULL ? g_date_time_ref (at) : NULL;
  filters_changed_cb (self);
}

static void
haven_referrals_page_dispose (GObject *object)
{
  HavenReferralsPage *self = HAVEN_REFERRALS_PAGE (object);

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->directory);
  g_clear_object (&self->services);

  G_OBJECT_CLASS (haven_referrals_page_parent_class)->dispose (object);
}

static void
haven_referrals_page_finalize (GObject *object)
{
  HavenReferralsPage *self = HAVEN_REFERRALS_PAGE (object);

  g_free (self->region);
  g_free (self->shown_service_id);
  g_clear_pointer (&self->at, g_date_time_unref);

  G_OBJECT_CLASS (haven_referrals_page_parent_class)->finalize (object);
}

static GtkWidget *
haven_referrals_page_get_initial_focus (HavenPage *page)
{
  return GTK_WIDGET (HAVEN_REFERRALS_PAGE (page)->search_entry);
}

static void
haven_referrals_page_class_init (HavenReferralsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->dispose = haven_referrals_page_dispose;
  object_class->finalize = haven_referrals_page_finalize;
  page_class->get_initial_focus = haven_referrals_page_get_initial_focus;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-referrals-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, views);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, actions);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, open_now_filter);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, language_filter);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, free_filter);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, results);
  gtk_widget_class_bind_template_child (widget_class, HavenReferralsPage, detail_slot);
  gtk_widget_class_bind_template_callback (widget_class, filters_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_to_list_cb);
  page_class->step_title = N_("People who can help");
  page_class->heading = N_("People who can help");
}

static void
haven_referrals_page_init (HavenReferralsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-removal-items-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-removal-item-row.h"
#include "haven-removal-items-page.h"

/* "Where is it online?": the addresses of the content the visitor wants
 * taken down, each with the website it is on and a few words on what it
 * shows. Only addresses: for a child, the page says plainly that pictures
 * are never needed, and no page of Haven accepts files. */
struct _HavenRemovalItemsPage
{
  HavenPage parent_instance;

  GtkLabel *heading;
  GtkLabel *child_label;
  GtkBox *item_box;
  GtkButton *add_button;
  GtkButton *primary_button;
};

G_DEFINE_FINAL_TYPE (HavenRemovalItemsPage, haven_removal_items_page, HAVEN_TYPE_PAGE)

static HavenRequest *
get_request (HavenRemovalItemsPage *self)
{
  return haven_session_get_removal_request (haven_page_get_session (HAVEN_PAGE (self)));
}

static guint
count_rows (HavenRemovalItemsPage *self)
{
  guint n_rows = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->item_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    n_rows++;

  return n_rows;
}

static void
update_buttons (HavenRemovalItemsPage *self)
{
  guint n_rows = count_rows (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), n_rows < HAVEN_REQUEST_MAX_ITEMS);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->item_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    haven_removal_item_row_set_removable (HAVEN_REMOVAL_ITEM_ROW (row), n_rows > 1);
}

/* The rows are the truth while the page is shown; the request follows
 * them, row for row, so that Back and a change of language keep them. */
static void
store_rows (HavenRemovalItemsPage *self)
{
  HavenRequest *request = get_request (self);

  while (haven_request_get_n_items (request) > 0)
    haven_request_remove_item (request, 0);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->item_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      HavenRemovalItemRow *item_row = HAVEN_REMOVAL_ITEM_ROW (row);
      const char *description = haven_removal_item_row_get_description (item_row);

      /* The row left empty is no request. */
      if (haven_removal_item_row_get_url (item_row)[0] == '\0' && description[0] == '\0')
        continue;

      haven_request_add_item (request, haven_removal_item_row_get_url (item_row), NULL,
                              description[0] != '\0' ? description : NULL);
    }
}

static void row_remove_requested_cb (HavenRemovalItemsPage *self,
                                     HavenRemovalItemRow   *row);

static GtkWidget *
append_row (HavenRemovalItemsPage *self,
            const char            *url,
            const char            *description)
{
  GtkWidget *row = haven_removal_item_row_new (url, description);

  g_signal_connect_object (row, "changed", G_CALLBACK (store_rows), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "remove-requested", G_CALLBACK (row_remove_requested_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (self->item_box, row);
  update_buttons (self);

  return row;
}

static void
row_remove_requested_cb (HavenRemovalItemsPage *self,
                         HavenRemovalItemRow   *row)
{
  GtkWidget *neighbour = gtk_widget_get_prev_sibling (GTK_WIDGET (row));

  if (neighbour == NULL)
    neighbour = gtk_widget_get_next_sibling (GTK_WIDGET (row));

  gtk_box_remove (self->item_box, GTK_WIDGET (row));
  store_rows (self);
  update_buttons (self);

  if (neighbour != NULL)
    gtk_widget_child_focus (neighbour, GTK_DIR_TAB_FORWARD);
}

static void
add_clicked_cb (HavenRemovalItemsPage *self)
{
  GtkWidget *row = append_row (self, NULL, NULL);

  store_rows (self);
  gtk_widget_child_focus (row, GTK_DIR_TAB_FORWARD);
}

/* Rows left completely empty are dropped rather than reported: one empty
 * row stays, so that the error says what to do. */
static void
drop_empty_rows (HavenRemovalItemsPage *self)
{
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->item_box));

  while (row != NULL && count_rows (self) > 1)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (row);
      HavenRemovalItemRow *item_row = HAVEN_REMOVAL_ITEM_ROW (row);

      if (haven_removal_item_row_get_url (item_row)[0] == '\0' &&
          haven_removal_item_row_get_description (item_row)[0] == '\0')
        gtk_box_remove (self->item_box, row);

      row = next;
    }

  update_buttons (self);
}

/* One line of the summary: which address, when there are several, and
 * what to do. */
static void
add_to_summary (HavenErrorSummary *summary,
                guint              index,
                guint              n_rows,
                const char        *message,
                GtkWidget         *field)
{
  g_autofree char *line = NULL;

  if (message == NULL)
    return;

  if (n_rows > 1)
    /* Translators: in the list of problems at the top of the page: %u is
     * which address (1, 2, …), %s what to do about it. */
    line = g_strdup_printf (_("Address %u: %s"), index + 1, message);
  haven_error_summary_add (summary, line != NULL ? line : message, field);
}

/* Shows the draft's problems with the addresses beside each field and in
 * the page's summary at the top, which takes the focus to the first.
 * Returns whether there was any. */
static gboolean
show_errors (HavenRemovalItemsPage *self,
             GHashTable            *field_errors)
{
  HavenErrorSummary *summary = haven_page_get_error_summary (HAVEN_PAGE (self));
  const char *items_error = field_errors != NULL ? g_hash_table_lookup (field_errors, "items") : NULL;
  guint n_rows = count_rows (self);
  guint index = 0;

  haven_error_summary_clear (summary);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->item_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row), index++)
    {
      HavenRemovalItemRow *item_row = HAVEN_REMOVAL_ITEM_ROW (row);
      g_autofree char *url_path = g_strdup_printf ("items[%u].url", index);
      g_autofree char *description_path = g_strdup_printf ("items[%u].description", index);
      const char *url_error = NULL;
      const char *description_error = NULL;

      if (field_errors != NULL)
        {
          url_error = g_hash_table_lookup (field_errors, url_path);
          description_error = g_hash_table_lookup (field_errors, description_path);
        }
      /* "Add at least one address" belongs beside the only address. */
      if (index == 0 && url_error == NULL)
        url_error = items_error;

      haven_removal_item_row_show_errors (item_row, url_error, description_error);
      add_to_summary (summary, index, n_rows, url_error, haven_removal_item_row_get_url_entry (item_row));
      add_to_summary (summary, index, n_rows, description_error,
                      haven_removal_item_row_get_description_entry (item_row));
    }

  return haven_error_summary_present (summary, NULL);
}

static void
continue_clicked_cb (HavenRemovalItemsPage *self)
{
  g_autoptr(GHashTable) field_errors = NULL;

  drop_empty_rows (self);
  store_rows (self);

  /* Asking for content to be taken down is a choice: with no address the
   * visit goes on without a request. */
  if (haven_request_get_n_items (get_request (self)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "visit.next", NULL);
      return;
    }

  /* Only this page's fields: the rest of the request is asked later. */
  haven_request_validate_draft (get_request (self), &field_errors);
  if (show_errors (self, field_errors))
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "visit.next", NULL);
}

static void
haven_removal_items_page_constructed (GObject *object)
{
  HavenRemovalItemsPage *self = HAVEN_REMOVAL_ITEMS_PAGE (object);
  HavenSession *session = haven_page_get_session (HAVEN_PAGE (self));
  HavenContent *content = haven_page_get_content (HAVEN_PAGE (self));
  HavenCategory *category = NULL;
  HavenRequest *request;
  guint n_items;

  G_OBJECT_CLASS (haven_removal_items_page_parent_class)->constructed (object);

  if (content != NULL && haven_session_get_category (session) != NULL)
    category = haven_content_lookup_category (content, haven_session_get_category (session));
  if (category != NULL && haven_category_is_about_child (category))
    {
      gtk_label_set_label (self->heading, _("Where did you see it?"));
      gtk_widget_set_visible (GTK_WIDGET (self->child_label), TRUE);
    }

  request = get_request (self);
  n_items = haven_request_get_n_items (request);
  for (guint i = 0; i < n_items; i++)
    append_row (self,
                haven_request_get_item_url (request, i),
                haven_request_get_item_description (request, i));
  if (n_items == 0)
    append_row (self, NULL, NULL);
}

static GtkWidget *
haven_removal_items_page_get_initial_focus (HavenPage *page)
{
  HavenRemovalItemsPage *self = HAVEN_REMOVAL_ITEMS_PAGE (page);

  return gtk_widget_get_first_child (GTK_WIDGET (self->item_box));
}

static void
haven_removal_items_page_class_init (HavenRemovalItemsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_removal_items_page_constructed;
  page_class->is_needed = haven_page_category_is_removable;
  page_class->get_initial_focus = haven_removal_items_page_get_initial_focus;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-removal-items-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemsPage, heading);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemsPage, child_label);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemsPage, item_box);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemsPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemsPage, primary_button);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, continue_clicked_cb);
  page_class->step_title = N_("What to take down");
  page_class->heading = N_("Where is it online?");
}

static void
haven_removal_items_page_init (HavenRemovalItemsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

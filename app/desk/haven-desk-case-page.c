/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-case-document.h"
#include "haven-case.h"
#include "haven-desk-case-file.h"
#include "haven-desk-case-page.h"
#include "haven-desk-format.h"
#include "haven-desk-save-dialog.h"
#include "haven-notice.h"
#include "haven-wipe.h"

/* A case opened on the desk. The visitor's words reach this page only as
 * the sections of haven-case-document, put into labels; wiping the page
 * destroys those labels (the freed memory is scrubbed, see
 * haven-desk-application.c) and wipes the sections and the case. Each
 * change is an event sent to the intake service; the page shows the case
 * again as the service then has it, so what is on the screen is what was
 * recorded. */

/* How a case ended, said when closing it: a sealed note. */
static const struct {
  const char *id;
  const char *label;
} endings[] = {
  { "removed", N_("The content was taken down") },
  { "partly-removed", N_("Some of the content was taken down") },
  { "refused", N_("The platform refused") },
  { "referred", N_("Referred to the police or another service") },
  { "withdrawn", N_("The visitor withdrew the request") },
  { "no-response", N_("No answer from the platform") },
  { "other", N_("Another ending (see the notes)") },
};

struct _HavenDeskCasePage
{
  AdwBin parent_instance;

  AdwWindowTitle *window_title;
  GtkButton *back_button;
  GtkButton *save_button;
  GtkButton *notices_button;
  GtkStack *state_stack;
  GtkSpinner *spinner;
  AdwStatusPage *error_page;
  GtkScrolledWindow *scroller;
  GtkLabel *language_label;
  AdwActionRow *state_row;
  GtkButton *take_button;
  GtkButton *wait_button;
  GtkButton *resume_button;
  GtkButton *reopen_button;
  AdwPreferencesGroup *close_group;
  AdwComboRow *ending_row;
  GtkButton *close_button;
  GtkBox *sections_box;
  AdwPreferencesGroup *note_group;
  GtkTextView *note_view;
  GtkButton *note_button;

  HavenCaseClient *client;
  HavenKeyVault *vault;
  HavenContent *content;
  HavenNoticePlatforms *platforms;
  char *reference;
  HavenCase *opened;
  GPtrArray *sections;
  GError *error;
  GCancellable *cancellable;
  gboolean busy;
  guint reminder_days;
  /* The widget name of the control that had the keyboard when an event
   * was sent, to give it back once the case shows again. */
  char *focus_name;
  /* The child widgets made for the case, destroyed by wipe. */
  GPtrArray *case_widgets;
};

G_DEFINE_FINAL_TYPE (HavenDeskCasePage, haven_desk_case_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_OPENED,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_BACK,
  SIGNAL_CHANGED,
  SIGNAL_NOTICES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void load_case (HavenDeskCasePage *self);

/* What a request to the intake service carries to its callback. A
 * cancelled request (the page was wiped) never touches the page. */
typedef struct {
  HavenDeskCasePage *page;
  HavenCaseInfo *info;
  char *message;
  gboolean then_close;
} Call;

static Call *
call_new (HavenDeskCasePage *page,
          const char        *message)
{
  Call *call = g_new0 (Call, 1);

  call->page = g_object_ref (page);
  call->message = g_strdup (message);
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->page);
  g_clear_object (&call->info);
  g_free (call->message);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
set_busy (HavenDeskCasePage *self,
          gboolean           busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
clear_case_widgets (HavenDeskCasePage *self)
{
  for (guint i = 0; i < self->case_widgets->len; i++)
    gtk_box_remove (self->sections_box, g_ptr_array_index (self->case_widgets, i));
  g_ptr_array_set_size (self->case_widgets, 0);
}

static void
wipe_opened (HavenDeskCasePage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->note_view);

  clear_case_widgets (self);
  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_label_set_text (self->language_label, "");
  adw_window_title_set_title (self->window_title, "");
  adw_window_title_set_subtitle (self->window_title, "");
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  if (self->opened != NULL)
    {
      haven_case_wipe (self->opened);
      g_clear_object (&self->opened);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPENED]);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->notices_button), FALSE);
}

void
haven_desk_case_page_wipe (HavenDeskCasePage *self)
{
  g_return_if_fail (HAVEN_IS_DESK_CASE_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  wipe_opened (self);
  g_clear_pointer (&self->reference, g_free);
  g_clear_pointer (&self->focus_name, g_free);
  g_clear_error (&self->error);
  g_clear_object (&self->client);
  g_clear_object (&self->vault);
  g_clear_object (&self->content);
  g_clear_object (&self->platforms);
  set_busy (self, FALSE);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_stack_set_visible_child_name (self->state_stack, "loading");
}

static void
show_error (HavenDeskCasePage *self,
            GError            *error)
{
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  wipe_opened (self);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  adw_window_title_set_title (self->window_title, self->reference);
  adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->state_stack, "error");
  set_busy (self, FALSE);
}

static GtkWidget *
make_text_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "case-text");
  return label;
}

static void
add_case_widget (HavenDeskCasePage *self,
                 GtkWidget         *widget)
{
  gtk_box_append (self->sections_box, widget);
  g_ptr_array_add (self->case_widgets, widget);
}

static void
add_section (HavenDeskCasePage *self,
             HavenCaseSection  *section)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *label = make_text_label (section->text);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), section->heading);
  gtk_widget_set_name (group, section->id);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  group, NULL, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  section->heading, -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), label);
  add_case_widget (self, group);
}

typedef struct {
  HavenDeskCasePage *page;
  guint item;
  AdwComboRow *outcome_row;
  AdwEntryRow *reference_row;
} ItemControls;

static void record_outcome_clicked_cb (GtkButton    *button,
                                       ItemControls *controls);

static void
add_item (HavenDeskCasePage *self,
          guint              index)
{
  HavenRequest *request = haven_case_get_request (self->opened);
  HavenCaseInfo *info = haven_case_get_info (self->opened);
  const char *url = haven_request_get_item_url (request, index);
  const char *description = haven_request_get_item_description (request, index);
  const char *current = haven_case_info_get_item_outcome (info, index);
  const char * const *outcomes = haven_case_get_outcome_ids ();
  g_autofree char *host = haven_request_platform_for_url (url);
  char *isolated_url = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *outcome_title = NULL;
  g_autofree char *button_label = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *address = adw_action_row_new ();
  GtkWidget *outcome_row = adw_combo_row_new ();
  GtkWidget *reference_row = adw_entry_row_new ();
  GtkWidget *button;
  ItemControls *controls;
  guint selected = 0;

  /* Translators: %u is the address's number in the visitor's request. */
  heading = g_strdup_printf (_("Address %u to take down"), index + 1);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), heading);
  name = g_strdup_printf ("item-%u", index);
  gtk_widget_set_name (group, name);
  if (host != NULL)
    /* Translators: %s is a web site's host name, as in "example.social". */
    {
      g_autofree char *described = g_strdup_printf (_("On %s"), host);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), described);
    }

  /* A platform that owes an answer for too long: the caseworker sends a
   * reminder, or records that none came. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    GDateTime *since = haven_case_info_get_item_waiting_since (info, index, now,
                                                               self->reminder_days);

    if (since != NULL)
      {
        g_autofree char *when = haven_desk_format_time (since);
        g_autofree char *text = NULL;
        g_autofree char *reminder_name = g_strdup_printf ("item-%u-reminder", index);
        GtkWidget *reminder;
        int days = (int) (g_date_time_difference (now, since) / G_TIME_SPAN_DAY);

        /* Translators: %s is a date and time; %d a number of days. */
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "No answer since %s (%d day). Send the platform a reminder, or record that no answer came.",
                                             "No answer since %s (%d days). Send the platform a reminder, or record that no answer came.",
                                             (gulong) days),
                                when, days);
        reminder = gtk_label_new (text);
        gtk_label_set_wrap (GTK_LABEL (reminder), TRUE);
        gtk_label_set_xalign (GTK_LABEL (reminder), 0);
        gtk_widget_set_name (reminder, reminder_name);
        gtk_widget_add_css_class (reminder, "warning");
        gtk_widget_set_margin_bottom (reminder, 12);
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), reminder);
      }
  }

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (address), FALSE);
  /* The visitor's words keep their own direction inside a page of the
   * caseworker's: an address is always left to right, a description
   * goes the way its first letters do. */
  isolated_url = haven_bidi_isolate_ltr (url);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (address), isolated_url);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (address), 0);
  if (description != NULL)
    {
      char *isolated = haven_bidi_isolate (description);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (address), isolated);
      haven_wipe_string (isolated);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (address), 0);
    }
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), address);

  gtk_string_list_append (labels, _("No outcome yet"));
  for (guint i = 0; outcomes[i] != NULL; i++)
    {
      gtk_string_list_append (labels, haven_case_outcome_get_label (outcomes[i]));
      if (g_strcmp0 (current, outcomes[i]) == 0)
        selected = i + 1;
    }
  /* Translators: %u is the address's number. */
  outcome_title = g_strdup_printf (_("Outcome for address %u"), index + 1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (outcome_row), outcome_title);
  adw_combo_row_set_model (ADW_COMBO_ROW (outcome_row), G_LIST_MODEL (labels));
  /* The outcome below the title, in full: beside it, long ones were cut short. */
  adw_combo_row_set_use_subtitle (ADW_COMBO_ROW (outcome_row), TRUE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (outcome_row), selected);
  g_free (name);
  name = g_strdup_printf ("item-%u-outcome", index);
  gtk_widget_set_name (outcome_row, name);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), outcome_row);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (reference_row),
                                 _("The platform’s reference (if it gave one)"));
  g_free (name);
  name = g_strdup_printf ("item-%u-reference", index);
  gtk_widget_set_name (reference_row, name);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), reference_row);

  /* Translators: %u is the address's number. */
  button_label = g_strdup_printf (_("Record the outcome for address %u"), index + 1);
  button = gtk_button_new_with_label (button_label);
  g_free (name);
  name = g_strdup_printf ("item-%u-record", index);
  gtk_widget_set_name (button, name);
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_set_margin_top (button, 12);
  controls = g_new0 (ItemControls, 1);
  controls->page = self;
  controls->item = index;
  controls->outcome_row = ADW_COMBO_ROW (outcome_row);
  controls->reference_row = ADW_ENTRY_ROW (reference_row);
  g_signal_connect_data (button, "clicked", G_CALLBACK (record_outcome_clicked_cb), controls,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  g_object_bind_property (self, "busy", button, "sensitive", G_BINDING_INVERT_BOOLEAN);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), button);

  haven_wipe_string (isolated_url);
  add_case_widget (self, group);
}

static void
update_state_controls (HavenDeskCasePage *self)
{
  HavenCaseState state = haven_case_info_get_state (haven_case_get_info (self->opened));
  gboolean destroyed = haven_case_info_get_body_destroyed_at (haven_case_get_info (self->opened)) != NULL;

  adw_action_row_set_subtitle (self->state_row, haven_case_state_get_label (state));
  gtk_widget_set_visible (GTK_WIDGET (self->take_button), state == HAVEN_CASE_STATE_RECEIVED);
  gtk_widget_set_visible (GTK_WIDGET (self->wait_button), state == HAVEN_CASE_STATE_OPEN);
  gtk_widget_set_visible (GTK_WIDGET (self->resume_button), state == HAVEN_CASE_STATE_WAITING);
  gtk_widget_set_visible (GTK_WIDGET (self->reopen_button),
                          state == HAVEN_CASE_STATE_CLOSED && !destroyed);
  gtk_widget_set_visible (GTK_WIDGET (self->close_group),
                          state == HAVEN_CASE_STATE_OPEN || state == HAVEN_CASE_STATE_WAITING);
}

/* The case's controls are made again each time it shows, and the one that
 * was used may hide (Take this case, once taken) or lose the keyboard while
 * the page is busy: without these, the keyboard would fall out of the page,
 * and Escape and Tab would do nothing until a click. */
static GtkWidget *
find_named_descendant (GtkWidget  *widget,
                       const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return child;
      found = find_named_descendant (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The name of the case's control that has the keyboard, or %NULL. */
static char *
dup_focused_control_name (HavenDeskCasePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  for (; focus != NULL && focus != GTK_WIDGET (self); focus = gtk_widget_get_parent (focus))
    {
      /* A widget without a name of its own answers with its type's. */
      if (!g_str_equal (gtk_widget_get_name (focus), G_OBJECT_TYPE_NAME (focus)))
        return g_strdup (gtk_widget_get_name (focus));
    }
  return NULL;
}

static void
restore_focus (HavenDeskCasePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *buttons[] = {
    GTK_WIDGET (self->take_button), GTK_WIDGET (self->wait_button),
    GTK_WIDGET (self->resume_button), GTK_WIDGET (self->reopen_button),
  };
  g_autofree char *name = g_steal_pointer (&self->focus_name);

  if (name != NULL)
    {
      GtkWidget *control = find_named_descendant (GTK_WIDGET (self->scroller), name);

      if (control != NULL && gtk_widget_is_visible (control) && gtk_widget_grab_focus (control))
        return;
    }
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->scroller)))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      if (gtk_widget_get_visible (buttons[i]))
        {
          gtk_widget_grab_focus (buttons[i]);
          return;
        }
    }
}

static void
show_case (HavenDeskCasePage *self)
{
  HavenCaseInfo *info = haven_case_get_info (self->opened);
  HavenRequest *request = haven_case_get_request (self->opened);
  g_autofree char *category = haven_desk_describe_category (self->content,
                                                            haven_case_info_get_category (info));
  g_autofree char *language = haven_case_document_describe_language (haven_request_get_locale (request));
  g_autofree char *language_line = NULL;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double scrolled = gtk_adjustment_get_value (adjustment);

  clear_case_widgets (self);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  self->sections = haven_case_document_build (self->opened, self->content, self->vault);

  adw_window_title_set_title (self->window_title, haven_case_info_get_reference (info));
  adw_window_title_set_subtitle (self->window_title, category);
  /* Translators: %s is a language, as in "Spanish (es)". The visitor's
   * words are never translated on the desk. */
  language_line = g_strdup_printf (_("The visitor wrote in %s. Their words are shown as they wrote them."),
                                   language);
  gtk_label_set_text (self->language_label, language_line);
  update_state_controls (self);

  for (guint i = 0; i < self->sections->len; i++)
    {
      HavenCaseSection *section = g_ptr_array_index (self->sections, i);

      /* The addresses are shown with their controls instead. */
      if (g_str_equal (section->id, "items"))
        {
          for (guint item = 0; item < haven_request_get_n_items (request); item++)
            add_item (self, item);
          continue;
        }
      add_section (self, section);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->notices_button),
                          haven_request_get_kind (request) == HAVEN_REQUEST_KIND_REMOVAL &&
                          haven_request_get_n_items (request) > 0);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_stack_set_visible_child_name (self->state_stack, "case");
  /* After an event, stay where the caseworker was. */
  gtk_adjustment_set_value (adjustment, scrolled);
  set_busy (self, FALSE);
  restore_focus (self);
}

static void
body_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  HavenDeskCasePage *self = call->page;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HavenCase) opened = NULL;
  gboolean sealed = FALSE;

  body = haven_case_client_get_body_finish (HAVEN_CASE_CLIENT (source), result, &sealed, &error);
  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  opened = haven_case_open (call->info, body, sealed, self->vault, &error);
  if (opened == NULL)
    {
      show_error (self, error);
      return;
    }

  self->opened = g_steal_pointer (&opened);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPENED]);
  show_case (self);
}

static void
case_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  HavenDeskCasePage *self = call->page;
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenCaseInfo) info = NULL;

  info = haven_case_client_get_case_finish (HAVEN_CASE_CLIENT (source), result, &error);
  if (info == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  /* Opened already: only its metadata and events change. */
  if (self->opened != NULL)
    {
      haven_case_set_info (self->opened, info);
      show_case (self);
      return;
    }

  call->info = g_steal_pointer (&info);
  haven_case_client_get_body_async (self->client, self->reference, self->cancellable, body_cb,
                                    g_steal_pointer (&call));
}

static void
load_case (HavenDeskCasePage *self)
{
  haven_case_client_get_case_async (self->client, self->reference, self->cancellable, case_cb,
                                    call_new (self, NULL));
}

void
haven_desk_case_page_open (HavenDeskCasePage *self,
                           HavenCaseClient   *client,
                           HavenKeyVault     *vault,
                           HavenContent      *content,
                           HavenCaseInfo     *info)
{
  g_return_if_fail (HAVEN_IS_DESK_CASE_PAGE (self));
  g_return_if_fail (HAVEN_IS_CASE_CLIENT (client));
  g_return_if_fail (HAVEN_IS_KEY_VAULT (vault));
  g_return_if_fail (HAVEN_IS_CASE_INFO (info));

  haven_desk_case_page_wipe (self);
  self->client = g_object_ref (client);
  self->vault = g_object_ref (vault);
  self->content = content != NULL ? g_object_ref (content) : NULL;
  self->reference = g_strdup (haven_case_info_get_reference (info));
  self->cancellable = g_cancellable_new ();

  adw_window_title_set_title (self->window_title, self->reference);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_stack_set_visible_child_name (self->state_stack, "loading");
  set_busy (self, TRUE);
  load_case (self);
}

static void
event_added_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  HavenDeskCasePage *self = call->page;
  g_autoptr(GError) error = NULL;

  if (haven_case_client_add_event_finish (HAVEN_CASE_CLIENT (source), result, &error) <= 0)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says why. */
      text = g_strdup_printf (_("Not recorded: %s"), error->message);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, text);
      set_busy (self, FALSE);
      load_case (self);
      return;
    }

  if (call->then_close)
    {
      /* The ending is noted; now the case closes. */
      haven_case_client_set_state_async (self->client, self->reference, HAVEN_CASE_STATE_CLOSED,
                                         self->cancellable, event_added_cb,
                                         call_new (self, call->message));
      return;
    }

  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, call->message);
  load_case (self);
}

static Call *
new_event_call (HavenDeskCasePage *self,
                const char        *message)
{
  g_free (self->focus_name);
  self->focus_name = dup_focused_control_name (self);
  set_busy (self, TRUE);
  return call_new (self, message);
}

static void
move_to (HavenDeskCasePage *self,
         HavenCaseState     state)
{
  g_autofree char *message = NULL;

  if (self->opened == NULL || self->busy)
    return;

  /* Translators: %s is a state, as in "Waiting". */
  message = g_strdup_printf (_("The case is now: %s"), haven_case_state_get_label (state));
  haven_case_client_set_state_async (self->client, self->reference, state, self->cancellable,
                                     event_added_cb, new_event_call (self, message));
}

static void
take_clicked_cb (HavenDeskCasePage *self)
{
  move_to (self, HAVEN_CASE_STATE_OPEN);
}

static void
wait_clicked_cb (HavenDeskCasePage *self)
{
  move_to (self, HAVEN_CASE_STATE_WAITING);
}

static void
resume_clicked_cb (HavenDeskCasePage *self)
{
  move_to (self, HAVEN_CASE_STATE_OPEN);
}

static gboolean
send_note (HavenDeskCasePage *self,
           const char        *text,
           const char        *message,
           gboolean           then_close)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  Call *call;

  plain = haven_sealed_box_new_wiped_bytes (text, strlen (text));
  sealed = haven_key_vault_seal (self->vault, plain, &error);
  if (sealed == NULL)
    {
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, error->message);
      return FALSE;
    }

  call = new_event_call (self, message);
  call->then_close = then_close;
  haven_case_client_add_note_async (self->client, self->reference, sealed, self->cancellable,
                                    event_added_cb, call);
  return TRUE;
}

static void
close_clicked_cb (HavenDeskCasePage *self)
{
  guint selected = adw_combo_row_get_selected (self->ending_row);
  g_autofree char *note = NULL;

  if (self->opened == NULL || self->busy || selected >= G_N_ELEMENTS (endings))
    return;

  /* Translators: the note written when a case is closed; %s is how it
   * ended, as in "The platform refused". */
  note = g_strdup_printf (_("Closed. How it ended: %s"), _(endings[selected].label));
  send_note (self, note, _("The case is closed"), TRUE);
}

static void
note_clicked_cb (HavenDeskCasePage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->note_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  if (self->opened == NULL || self->busy)
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strstrip (text);
  if (text[0] == '\0')
    return;
  if (send_note (self, text, _("The note is added, sealed"), FALSE))
    gtk_text_buffer_set_text (buffer, "", 0);
  explicit_bzero (text, strlen (text));
}

static void
record_outcome_clicked_cb (GtkButton    *button,
                           ItemControls *controls)
{
  HavenDeskCasePage *self = controls->page;
  guint selected = adw_combo_row_get_selected (controls->outcome_row);
  const char * const *outcomes = haven_case_get_outcome_ids ();
  const char *platform_reference = gtk_editable_get_text (GTK_EDITABLE (controls->reference_row));
  g_autofree char *message = NULL;
  g_autofree char *hosting_provider = NULL;

  if (self->opened == NULL || self->busy || selected == 0 || selected > HAVEN_CASE_N_OUTCOMES)
    return;

  /* Where the address is hosted goes with its outcome, as a notice
   * recorded as sent gives it, for the report of notices. A table that
   * cannot be read leaves it out rather than stopping the outcome. */
  if (self->platforms == NULL)
    self->platforms = haven_notice_platforms_load_default (NULL);
  if (self->platforms != NULL)
    hosting_provider = haven_notice_dup_hosting_provider (
      self->platforms, haven_request_get_item_url (haven_case_get_request (self->opened),
                                                   controls->item));

  /* Translators: %u is the address's number, %s the outcome. */
  message = g_strdup_printf (_("Address %u: %s"), controls->item + 1,
                             haven_case_outcome_get_label (outcomes[selected - 1]));
  haven_case_client_set_item_outcome_full_async (self->client, self->reference, controls->item,
                                                 outcomes[selected - 1], hosting_provider,
                                                 platform_reference[0] != '\0'
                                                   ? platform_reference : NULL,
                                                 self->cancellable, event_added_cb,
                                                 new_event_call (self, message));
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HavenDeskCasePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!haven_desk_case_file_save_finish (result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says why. */
      message = g_strdup_printf (_("The case file was not saved: %s"), error->message);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, _("The case file is saved"));
}

void
haven_desk_case_page_save_to (HavenDeskCasePage *self,
                              GFile             *file)
{
  g_autofree char *title = NULL;
  g_autofree char *footer = NULL;

  g_return_if_fail (HAVEN_IS_DESK_CASE_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->opened == NULL || self->sections == NULL)
    return;

  /* Translators: the case file's title; %s is the case reference. */
  title = g_strdup_printf (_("Case %s"), self->reference);
  /* Translators: in every page's footer; %s is a SHA-256 in hex. */
  footer = g_strdup_printf (_("SHA-256 of the opened request: %s"),
                            haven_case_get_sha256 (self->opened));
  haven_desk_case_file_save_async (self->sections, title, footer, file, self->cancellable,
                                   saved_cb, g_object_ref (self));
}

static void
case_file_chosen_cb (GFile    *file,
                     gpointer  user_data)
{
  haven_desk_case_page_save_to (user_data, file);
}

static void
save_clicked_cb (HavenDeskCasePage *self)
{
  g_autofree char *name = NULL;

  if (self->opened == NULL)
    return;

  name = g_strdup_printf ("%s.pdf", self->reference);
  haven_desk_ask_where_to_save (GTK_WIDGET (self), _("Save the case file"), name,
                                case_file_chosen_cb, g_object_ref (self), g_object_unref);
}

static void
notices_clicked_cb (HavenDeskCasePage *self)
{
  if (self->opened != NULL)
    g_signal_emit (self, signals[SIGNAL_NOTICES], 0);
}

static void
back_clicked_cb (HavenDeskCasePage *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static gboolean
escape_pressed_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  back_clicked_cb (HAVEN_DESK_CASE_PAGE (widget));
  return TRUE;
}

/* The page takes the keyboard as it shows, so that Escape goes back while
 * the case is still opening; once open, its first action has it. */
static void
haven_desk_case_page_map (GtkWidget *widget)
{
  HavenDeskCasePage *self = HAVEN_DESK_CASE_PAGE (widget);

  GTK_WIDGET_CLASS (haven_desk_case_page_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
  if (self->opened != NULL)
    restore_focus (self);
}

static void
haven_desk_case_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HavenDeskCasePage *self = HAVEN_DESK_CASE_PAGE (object);

  switch (prop_id)
    {
    case PROP_OPENED:
      g_value_set_object (value, self->opened);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_desk_case_page_dispose (GObject *object)
{
  HavenDeskCasePage *self = HAVEN_DESK_CASE_PAGE (object);

  if (self->case_widgets != NULL)
    haven_desk_case_page_wipe (self);
  g_clear_pointer (&self->case_widgets, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_CASE_PAGE);

  G_OBJECT_CLASS (haven_desk_case_page_parent_class)->dispose (object);
}

static void
haven_desk_case_page_class_init (HavenDeskCasePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = haven_desk_case_page_get_property;
  object_class->dispose = haven_desk_case_page_dispose;
  widget_class->map = haven_desk_case_page_map;

  properties[PROP_OPENED] = g_param_spec_object ("opened", NULL, NULL, HAVEN_TYPE_CASE,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                 G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_NOTICES] = g_signal_new ("notices", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_pressed_cb, NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/haven-desk-case-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, back_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, save_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, notices_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, error_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, scroller);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, language_label);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, state_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, take_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, wait_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, resume_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, reopen_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, close_group);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, ending_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, close_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, sections_box);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, note_group);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, note_view);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskCasePage, note_button);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, notices_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, take_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, wait_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, resume_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, note_clicked_cb);
}

static void
haven_desk_case_page_init (HavenDeskCasePage *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->case_widgets = g_ptr_array_new ();
  self->reminder_days = 7;

  for (guint i = 0; i < G_N_ELEMENTS (endings); i++)
    gtk_string_list_append (labels, _(endings[i].label));
  adw_combo_row_set_model (self->ending_row, G_LIST_MODEL (labels));

  g_object_bind_property (self, "busy", self->take_button, "sensitive", G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (self, "busy", self->wait_button, "sensitive", G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (self, "busy", self->resume_button, "sensitive", G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (self, "busy", self->reopen_button, "sensitive", G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (self, "busy", self->close_button, "sensitive", G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (self, "busy", self->note_button, "sensitive", G_BINDING_INVERT_BOOLEAN);
}

void
haven_desk_case_page_set_reminder_days (HavenDeskCasePage *self,
                                        guint              days)
{
  g_return_if_fail (HAVEN_IS_DESK_CASE_PAGE (self));
  self->reminder_days = MAX (days, 1);
}

void
haven_desk_case_page_refresh (HavenDeskCasePage *self)
{
  g_return_if_fail (HAVEN_IS_DESK_CASE_PAGE (self));

  if (self->opened != NULL && self->client != NULL)
    {
      set_busy (self, TRUE);
      load_case (self);
    }
}

HavenCase *
haven_desk_case_page_get_case (HavenDeskCasePage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_CASE_PAGE (self), NULL);
  return self->opened;
}

const GError *
haven_desk_case_page_get_error (HavenDeskCasePage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_CASE_PAGE (self), NULL);
  return self->error;
}

gboolean
haven_desk_case_page_is_busy (HavenDeskCasePage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_CASE_PAGE (self), FALSE);
  return self->busy;
}

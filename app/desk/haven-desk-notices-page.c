/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-case-document.h"
#include "haven-desk-case-file.h"
#include "haven-desk-notices-page.h"
#include "haven-desk-save-dialog.h"
#include "haven-notice.h"
#include "haven-paths.h"
#include "haven-wipe.h"

/* The notices of one case. Each notice's controls write straight into
 * the HavenNotice, and every export reads it back from there, so the text
 * a caseworker copies, the email, the package and the letter cannot say
 * different things. A notice goes nowhere on its own: the page only makes
 * what the caseworker sends, and records that they sent it. */

struct _HavenDeskNoticesPage
{
  AdwBin parent_instance;

  AdwWindowTitle *window_title;
  GtkStack *state_stack;
  AdwStatusPage *error_page;
  GtkBox *notices_box;

  HavenCaseClient *client;
  HavenCase *opened;
  GPtrArray *notices;
  GCancellable *cancellable;
  char *problem;
  guint pending;
  /* The widgets made for the notices, destroyed by wipe. */
  GPtrArray *notice_widgets;
};

G_DEFINE_FINAL_TYPE (HavenDeskNoticesPage, haven_desk_notices_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_BACK,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What a notice's controls need to find their notice and page. */
typedef struct {
  HavenDeskNoticesPage *page;
  HavenNotice *notice;
  guint position;
  GtkLabel *problem_label;
  AdwEntryRow *name_row;
  AdwEntryRow *email_row;
  AdwComboRow *notifier_row;
  /* Notifier choices in the combo row's order. */
  HavenNoticeNotifier choices[3];
} NoticeControls;

static void
notice_controls_free (gpointer data)
{
  NoticeControls *controls = data;

  g_object_unref (controls->notice);
  g_free (controls);
}

static void
set_pending (HavenDeskNoticesPage *self,
             int                   change)
{
  gboolean was_busy = self->pending > 0;

  self->pending = (guint) ((int) self->pending + change);
  if (was_busy != (self->pending > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_problem (HavenDeskNoticesPage *self,
             const char           *problem)
{
  g_free (self->problem);
  self->problem = g_strdup (problem);
}

void
haven_desk_notices_page_wipe (HavenDeskNoticesPage *self)
{
  g_return_if_fail (HAVEN_IS_DESK_NOTICES_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  for (guint i = 0; i < self->notice_widgets->len; i++)
    gtk_box_remove (self->notices_box, g_ptr_array_index (self->notice_widgets, i));
  g_ptr_array_set_size (self->notice_widgets, 0);
  if (self->notices != NULL)
    for (guint i = 0; i < self->notices->len; i++)
      haven_notice_wipe (g_ptr_array_index (self->notices, i));
  g_clear_pointer (&self->notices, g_ptr_array_unref);
  g_clear_object (&self->opened);
  g_clear_object (&self->client);
  set_problem (self, NULL);
  if (self->pending > 0)
    set_pending (self, -(int) self->pending);
}

static void
show_problem (NoticeControls *controls,
              const char     *message)
{
  set_problem (controls->page, message);
  gtk_label_set_text (controls->problem_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (controls->problem_label), message != NULL);
}

static void
explanation_changed_cb (GtkTextBuffer  *buffer,
                        NoticeControls *controls)
{
  GtkTextIter start;
  GtkTextIter end;
  char *text;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  haven_notice_set_explanation (controls->notice, text);
  haven_wipe_string (text);
}

static void
keyword_toggled_cb (GtkCheckButton *check,
                    NoticeControls *controls)
{
  haven_notice_set_keyword_chosen (controls->notice,
                                   g_object_get_data (G_OBJECT (check), "keyword"),
                                   gtk_check_button_get_active (check));
}

static void
confirm_toggled_cb (GtkCheckButton *check,
                    NoticeControls *controls)
{
  haven_notice_set_confirmed (controls->notice, gtk_check_button_get_active (check));
  if (gtk_check_button_get_active (check))
    show_problem (controls, NULL);
}

static void
update_notifier (NoticeControls *controls)
{
  guint selected = adw_combo_row_get_selected (controls->notifier_row);
  HavenNoticeNotifier notifier = controls->choices[MIN (selected, 2)];

  gtk_widget_set_visible (GTK_WIDGET (controls->name_row), notifier == HAVEN_NOTICE_NOTIFIER_PERSON);
  gtk_widget_set_visible (GTK_WIDGET (controls->email_row), notifier == HAVEN_NOTICE_NOTIFIER_PERSON);
  haven_notice_set_notifier (controls->notice, notifier,
                             gtk_editable_get_text (GTK_EDITABLE (controls->name_row)),
                             gtk_editable_get_text (GTK_EDITABLE (controls->email_row)));
}

static void
notifier_changed_cb (NoticeControls *controls)
{
  update_notifier (controls);
}

/* Refuses with the notice's own words when it is not ready. */
static gboolean
check_notice (NoticeControls *controls)
{
  g_autoptr(GError) error = NULL;

  update_notifier (controls);
  if (!haven_notice_check (controls->notice, &error))
    {
      show_problem (controls, error->message);
      return FALSE;
    }
  show_problem (controls, NULL);
  return TRUE;
}

static void
copy_clicked_cb (GtkButton      *button,
                 NoticeControls *controls)
{
  g_autoptr(GError) error = NULL;
  char *text;

  if (!check_notice (controls))
    return;
  text = haven_notice_dup_text (controls->notice, &error);
  if (text == NULL)
    {
      show_problem (controls, error->message);
      return;
    }
  /* The clipboard is emptied when the desk locks (haven-desk-window.c). */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
  haven_wipe_string (text);
  g_signal_emit (controls->page, signals[SIGNAL_CHANGED], 0,
                 _("The notice’s text is copied: paste it into the platform’s form"));
}

static void
email_clicked_cb (GtkButton      *button,
                  NoticeControls *controls)
{
  g_autoptr(GError) error = NULL;
  char *uri;

  if (!check_notice (controls))
    return;
  uri = haven_notice_dup_mailto_uri (controls->notice, &error);
  if (uri == NULL)
    {
      show_problem (controls, error->message);
      return;
    }
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (button))), uri, GDK_CURRENT_TIME);
  haven_wipe_string (uri);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HavenDeskNoticesPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved;

  saved = haven_desk_save_finish (source, result, &error);
  set_pending (self, -1);

  if (!saved)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says why. */
      message = g_strdup_printf (_("The notice was not saved: %s"), error->message);
      set_problem (self, message);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, _("The notice is saved"));
}

void
haven_desk_notices_page_save_to (HavenDeskNoticesPage  *self,
                                 guint                  position,
                                 HavenDeskNoticeExport  what,
                                 GFile                 *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  HavenNotice *notice;

  g_return_if_fail (HAVEN_IS_DESK_NOTICES_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->notices == NULL || position >= self->notices->len)
    return;
  notice = g_ptr_array_index (self->notices, position);

  if (what == HAVEN_DESK_NOTICE_EXPORT_LETTER)
    {
      g_autoptr(GPtrArray) sections = haven_notice_build_sections (notice, &error);
      g_autofree char *title = NULL;
      g_autofree char *footer = NULL;

      if (sections == NULL)
        {
          set_problem (self, error->message);
          return;
        }
      /* Translators: the letter's title; %s is the platform's or the
       * hotline's name. */
      title = g_strdup_printf (_("Notice to %s"), haven_notice_get_recipient_name (notice));
      /* Translators: in every page's footer; %s is the notice's number. */
      footer = g_strdup_printf (_("Notice number %s"), haven_notice_get_notice_id (notice));
      set_pending (self, 1);
      haven_desk_case_file_save_async (sections, title, footer, file, self->cancellable,
                                       saved_cb, g_object_ref (self));
      return;
    }

  if (what == HAVEN_DESK_NOTICE_EXPORT_PACKAGE)
    {
      char *json = haven_notice_dup_package_json (notice, &error);

      if (json != NULL)
        bytes = g_bytes_new_with_free_func (json, strlen (json),
                                            (GDestroyNotify) haven_wipe_string, json);
    }
  else
    bytes = haven_notice_dup_email (notice, &error);
  if (bytes == NULL)
    {
      set_problem (self, error->message);
      return;
    }

  /* Readable by the caseworker alone, and never half written. */
  set_pending (self, 1);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, saved_cb, g_object_ref (self));
}

typedef struct {
  HavenDeskNoticesPage *page;
  guint position;
  HavenDeskNoticeExport what;
} SaveRequest;

static void
save_request_free (gpointer data)
{
  SaveRequest *request = data;

  g_object_unref (request->page);
  g_free (request);
}

static void
notice_file_chosen_cb (GFile    *file,
                       gpointer  user_data)
{
  SaveRequest *request = user_data;

  haven_desk_notices_page_save_to (request->page, request->position, request->what, file);
}

static void
ask_where_to_save (NoticeControls        *controls,
                   HavenDeskNoticeExport  what)
{
  static const char * const extensions[] = { "json", "eml", "pdf" };
  static const char * const titles[] = {
    N_("Save the notice package"), N_("Save the email"), N_("Save the letter"),
  };
  g_autofree char *name = NULL;
  SaveRequest *request;

  if (!check_notice (controls))
    return;

  name = g_strdup_printf ("notice-%s-%s.%s", haven_notice_get_recipient_id (controls->notice),
                          haven_notice_get_notice_id (controls->notice), extensions[what]);
  request = g_new0 (SaveRequest, 1);
  request->page = g_object_ref (controls->page);
  request->position = controls->position;
  request->what = what;
  haven_desk_ask_where_to_save (GTK_WIDGET (controls->page), _(titles[what]), name,
                                notice_file_chosen_cb, request, save_request_free);
}

static void
save_package_clicked_cb (GtkButton      *button,
                         NoticeControls *controls)
{
  ask_where_to_save (controls, HAVEN_DESK_NOTICE_EXPORT_PACKAGE);
}

static void
save_email_clicked_cb (GtkButton      *button,
                       NoticeControls *controls)
{
  ask_where_to_save (controls, HAVEN_DESK_NOTICE_EXPORT_EMAIL);
}

static void
save_letter_clicked_cb (GtkButton      *button,
                        NoticeControls *controls)
{
  ask_where_to_save (controls, HAVEN_DESK_NOTICE_EXPORT_LETTER);
}

typedef struct {
  HavenDeskNoticesPage *page;
  HavenNotice *notice;
  guint next;
} Recording;

static void record_next (Recording *recording);

static void
recording_free (Recording *recording)
{
  g_object_unref (recording->page);
  g_object_unref (recording->notice);
  g_free (recording);
}

static void
recorded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Recording *recording = user_data;
  g_autoptr(GError) error = NULL;

  if (haven_case_client_add_event_finish (HAVEN_CASE_CLIENT (source), result, &error) <= 0)
    {
      HavenDeskNoticesPage *self = recording->page;

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = NULL;

          /* Translators: %s says why. */
          message = g_strdup_printf (_("The notice was not recorded as sent: %s"),
                                     error->message);
          set_problem (self, message);
          g_signal_emit (self, signals[SIGNAL_CHANGED], 0, message);
        }
      set_pending (self, -1);
      recording_free (recording);
      return;
    }
  recording->next++;
  record_next (recording);
}

/* One item-outcome event per address, one after the other: each is its
 * own request to the intake service, sent again as is if no answer came
 * (haven-case-client.c), so an address is never recorded twice. */
static void
record_next (Recording *recording)
{
  HavenDeskNoticesPage *self = recording->page;
  HavenNotice *notice = recording->notice;

  if (self->client == NULL || self->opened == NULL)
    {
      set_pending (self, -1);
      recording_free (recording);
      return;
    }
  if (recording->next == haven_notice_get_n_items (notice))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the platform's or the hotline's name. */
      message = g_strdup_printf (_("The notice to %s is recorded as sent"),
                                 haven_notice_get_recipient_name (notice));
      set_pending (self, -1);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, message);
      recording_free (recording);
      return;
    }
  /* The platform's reference is the notice's number, until the platform
   * gives one of its own; the hosting provider is what the notice report
   * counts by. */
  haven_case_client_set_item_outcome_full_async (self->client,
                                                 haven_case_info_get_reference (
                                                   haven_case_get_info (self->opened)),
                                                 haven_notice_get_item_index (notice,
                                                                              recording->next),
                                                 "notice-sent",
                                                 haven_notice_get_hosting_provider (notice),
                                                 haven_notice_get_notice_id (notice),
                                                 self->cancellable, recorded_cb, recording);
}

static void
record_clicked_cb (GtkButton      *button,
                   NoticeControls *controls)
{
  Recording *recording;

  if (!check_notice (controls))
    return;

  recording = g_new0 (Recording, 1);
  recording->page = g_object_ref (controls->page);
  recording->notice = g_object_ref (controls->notice);
  set_pending (controls->page, 1);
  record_next (recording);
}

static const char *
describe_recipient_kind (HavenNotice *notice)
{
  if (g_str_equal (haven_notice_get_recipient_kind (notice), "hotline"))
    return _("A hotline for child sexual abuse material. The platform is not told.");
  if (g_str_equal (haven_notice_get_recipient_id (notice), "unlisted"))
    return _("A site the platforms table does not list: find its contact for illegal content.");
  return NULL;
}

static char *
describe_channel (HavenNotice *notice)
{
  const char *kind = haven_notice_get_channel_kind (notice);
  const char *address = haven_notice_get_channel_address (notice);
  const char *channel;

  if (g_str_equal (kind, "web-form"))
    /* Translators: %s is a web address. */
    return g_strdup_printf (_("Send through the web form at %s"), address);
  if (g_str_equal (kind, "email"))
    /* Translators: %s is an email address. */
    return g_strdup_printf (_("Send by email to %s"), address);
  if (g_str_equal (kind, "in-app"))
    channel = _("Send through the report option on the content itself, pasting the "
                "notice’s text");
  else if (g_str_equal (haven_notice_get_recipient_kind (notice), "hotline"))
    channel = _("Send through the hotline’s own reporting page");
  else
    channel = _("No channel is known: use the site’s own contact for illegal content");
  if (haven_notice_get_guidance (notice) != NULL)
    {
      g_autofree char *guidance = g_strdup_printf (_("How to send it: %s"),
                                                   haven_notice_get_guidance (notice));

      return g_strdup_printf ("%s\n%s", channel, guidance);
    }
  return g_strdup (channel);
}

static GtkWidget *
make_button (const char     *label,
             const char     *name,
             guint           position,
             GCallback       callback,
             NoticeControls *controls)
{
  GtkWidget *button = gtk_button_new_with_label (label);
  g_autofree char *widget_name = g_strdup_printf ("notice-%u-%s", position + 1, name);

  gtk_widget_set_name (button, widget_name);
  g_signal_connect (button, "clicked", callback, controls);
  return button;
}

static void
add_notice (HavenDeskNoticesPage *self,
            HavenNotice          *notice,
            guint                 position,
            gboolean              visitor_named)
{
  NoticeControls *controls = g_new0 (NoticeControls, 1);
  GtkWidget *container = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *terms_group = adw_preferences_group_new ();
  g_autofree char *title = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *name = NULL;
  g_autofree char *confirm_name = NULL;
  g_autofree char *explanation_title = NULL;
  const char *kind_note = describe_recipient_kind (notice);
  const char * const *keywords = haven_notice_get_offered_keywords (notice);
  g_autoptr(GtkStringList) notifier_labels = gtk_string_list_new (NULL);
  GtkWidget *explanation_label;
  GtkWidget *explanation_view;
  GtkWidget *frame;
  GtkWidget *confirm_row;
  GtkWidget *confirm_check;
  GtkWidget *buttons;
  GtkTextBuffer *buffer;
  guint n_choices = 0;

  controls->page = self;
  controls->notice = g_object_ref (notice);
  controls->position = position;

  /* Translators: %u is the notice's number on the page, %s the platform's
   * or the hotline's name. */
  title = g_strdup_printf (_("Notice %u: to %s"), position + 1,
                           haven_notice_get_recipient_name (notice));
  channel = describe_channel (notice);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (kind_note != NULL)
    {
      g_autofree char *description = g_strdup_printf ("%s\n%s", kind_note, channel);

      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
    }
  else
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), channel);
  name = g_strdup_printf ("notice-%u", position + 1);
  gtk_widget_set_name (container, name);
  gtk_box_append (GTK_BOX (container), group);

  /* (b) The addresses, as the visitor gave them. */
  for (guint i = 0; i < haven_notice_get_n_items (notice); i++)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *url = haven_bidi_isolate_ltr (haven_notice_get_item_url (notice, i));
      const char *shows = haven_notice_get_item_what_it_shows (notice, i);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), url);
      if (shows[0] != '\0')
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), shows);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }

  /* (a) Why, in the caseworker's words, and the offence's terms. */
  explanation_title = g_strdup (_("Why the content is illegal, in your words"));
  explanation_label = gtk_label_new (explanation_title);
  gtk_label_set_xalign (GTK_LABEL (explanation_label), 0);
  gtk_widget_set_margin_top (explanation_label, 12);
  gtk_widget_add_css_class (explanation_label, "heading");
  gtk_box_append (GTK_BOX (container), explanation_label);
  explanation_view = gtk_text_view_new ();
  g_free (name);
  name = g_strdup_printf ("notice-%u-explanation", position + 1);
  gtk_widget_set_name (explanation_view, name);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (explanation_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (explanation_view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (explanation_view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (explanation_view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (explanation_view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (explanation_view), 8);
  gtk_widget_set_size_request (explanation_view, -1, 96);
  /* GTK 4.8 does not name a text view after the label that labels it. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (explanation_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, explanation_title, -1);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (explanation_view));
  gtk_text_buffer_set_text (buffer, haven_notice_get_explanation (notice), -1);
  g_signal_connect (buffer, "changed", G_CALLBACK (explanation_changed_cb), controls);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), explanation_view);
  gtk_box_append (GTK_BOX (container), frame);

  gtk_widget_set_margin_top (terms_group, 12);
  gtk_box_append (GTK_BOX (container), terms_group);

  for (guint i = 0; keywords[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *words = g_ascii_strdown (keywords[i] + strlen ("KEYWORD_"), -1);
      g_autofree char *check_name = g_strdup_printf ("notice-%u-keyword-%u", position + 1, i + 1);

      g_strdelimit (words, "_", ' ');
      words[0] = g_ascii_toupper (words[0]);
      /* Translators: %s is a keyword of the DSA Transparency Database, in
       * English ("Cyber harassment"). */
      {
        g_autofree char *row_title = g_strdup_printf (_("The content is: %s"), words);

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), row_title);
      }
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), keywords[i]);
      gtk_widget_set_name (check, check_name);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   haven_notice_get_keyword_chosen (notice, keywords[i]));
      g_object_set_data_full (G_OBJECT (check), "keyword", g_strdup (keywords[i]), g_free);
      g_signal_connect (check, "toggled", G_CALLBACK (keyword_toggled_cb), controls);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (terms_group), row);
    }

  /* (c) Who sends it: the organisation, or, for child sexual abuse
   * material, nobody to start with. The visitor only if the caseworker
   * types their name. */
  controls->notifier_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (controls->notifier_row),
                                 _("Who sends this notice"));
  if (haven_notice_is_child_abuse_material (notice))
    {
      gtk_string_list_append (notifier_labels, _("Nobody: the name and email are left out"));
      controls->choices[n_choices++] = HAVEN_NOTICE_NOTIFIER_LEFT_OUT;
    }
  gtk_string_list_append (notifier_labels, _("Our organisation"));
  controls->choices[n_choices++] = HAVEN_NOTICE_NOTIFIER_ORGANISATION;
  gtk_string_list_append (notifier_labels, visitor_named ? _("The person we support, or someone else")
                                                         : _("Someone else"));
  controls->choices[n_choices++] = HAVEN_NOTICE_NOTIFIER_PERSON;
  adw_combo_row_set_model (controls->notifier_row, G_LIST_MODEL (notifier_labels));
  adw_combo_row_set_use_subtitle (controls->notifier_row, TRUE);
  g_free (name);
  name = g_strdup_printf ("notice-%u-notifier", position + 1);
  gtk_widget_set_name (GTK_WIDGET (controls->notifier_row), name);
  g_signal_connect_swapped (controls->notifier_row, "notify::selected",
                            G_CALLBACK (notifier_changed_cb), controls);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (terms_group), GTK_WIDGET (controls->notifier_row));

  controls->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (controls->name_row), _("Their name"));
  g_free (name);
  name = g_strdup_printf ("notice-%u-notifier-name", position + 1);
  gtk_widget_set_name (GTK_WIDGET (controls->name_row), name);
  g_signal_connect_swapped (controls->name_row, "changed", G_CALLBACK (notifier_changed_cb),
                            controls);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (terms_group), GTK_WIDGET (controls->name_row));
  controls->email_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (controls->email_row), _("Their email"));
  g_free (name);
  name = g_strdup_printf ("notice-%u-notifier-email", position + 1);
  gtk_widget_set_name (GTK_WIDGET (controls->email_row), name);
  g_signal_connect_swapped (controls->email_row, "changed", G_CALLBACK (notifier_changed_cb),
                            controls);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (terms_group), GTK_WIDGET (controls->email_row));
  update_notifier (controls);

  /* (d) The statement, confirmed by hand. */
  confirm_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (confirm_row),
                                 haven_notice_get_good_faith_statement (notice));
  adw_action_row_set_title_lines (ADW_ACTION_ROW (confirm_row), 0);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (confirm_row),
                               _("Tick to confirm, once you have read the whole notice"));
  confirm_check = gtk_check_button_new ();
  confirm_name = g_strdup_printf ("notice-%u-confirm", position + 1);
  gtk_widget_set_name (confirm_check, confirm_name);
  gtk_widget_set_valign (confirm_check, GTK_ALIGN_CENTER);
  g_signal_connect (confirm_check, "toggled", G_CALLBACK (confirm_toggled_cb), controls);
  adw_action_row_add_prefix (ADW_ACTION_ROW (confirm_row), confirm_check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (confirm_row), confirm_check);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (terms_group), confirm_row);

  /* An alert, so that a screen reader says it as it appears. */
  controls->problem_label = g_object_new (GTK_TYPE_LABEL,
                                          "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT,
                                          "wrap", TRUE,
                                          "xalign", 0.0f,
                                          NULL);
  gtk_widget_add_css_class (GTK_WIDGET (controls->problem_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (controls->problem_label), FALSE);
  gtk_box_append (GTK_BOX (container), GTK_WIDGET (controls->problem_label));

  /* Three to a row, in reading and Tab order. */
  buttons = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (buttons), 12);
  gtk_grid_set_row_spacing (GTK_GRID (buttons), 12);
  gtk_grid_set_column_homogeneous (GTK_GRID (buttons), TRUE);
  {
    struct {
      const char *label;
      const char *name;
      GCallback callback;
    } actions[] = {
      { N_("Copy the text"), "copy", G_CALLBACK (copy_clicked_cb) },
      { N_("Write an email"), "write-email", G_CALLBACK (email_clicked_cb) },
      { N_("Save the email…"), "save-email", G_CALLBACK (save_email_clicked_cb) },
      { N_("Save the letter…"), "save-letter", G_CALLBACK (save_letter_clicked_cb) },
      { N_("Save the package…"), "save-package", G_CALLBACK (save_package_clicked_cb) },
      { N_("Record as sent"), "record-sent", G_CALLBACK (record_clicked_cb) },
    };

    for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
      {
        GtkWidget *button = make_button (_(actions[i].label), actions[i].name, position,
                                         actions[i].callback, controls);

        if (g_str_equal (actions[i].name, "record-sent"))
          gtk_widget_add_css_class (button, "suggested-action");
        gtk_grid_attach (GTK_GRID (buttons), button, (int) (i % 3), (int) (i / 3), 1, 1);
      }
  }
  gtk_box_append (GTK_BOX (container), buttons);

  g_object_set_data_full (G_OBJECT (container), "controls", controls, notice_controls_free);
  gtk_box_append (self->notices_box, container);
  g_ptr_array_add (self->notice_widgets, container);
}

void
haven_desk_notices_page_open (HavenDeskNoticesPage *self,
                              HavenCaseClient      *client,
                              HavenCase            *opened,
                              HavenContent         *content,
                              GSettings            *settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenNoticeCrosswalk) crosswalk = NULL;
  g_autoptr(HavenNoticePlatforms) platforms = NULL;
  g_autofree char *organisation_name = NULL;
  g_autofree char *organisation_email = NULL;
  g_autofree char *hotline_country = NULL;
  g_autofree char *subtitle = NULL;
  HavenNoticeSettings notice_settings = { 0 };
  HavenRequest *request;

  g_return_if_fail (HAVEN_IS_DESK_NOTICES_PAGE (self));
  g_return_if_fail (HAVEN_IS_CASE_CLIENT (client));
  g_return_if_fail (HAVEN_IS_CASE (opened));
  g_return_if_fail (G_IS_SETTINGS (settings));

  haven_desk_notices_page_wipe (self);
  self->client = g_object_ref (client);
  self->opened = g_object_ref (opened);
  /* Translators: %s is the case reference. */
  subtitle = g_strdup_printf (_("Case %s"),
                              haven_case_info_get_reference (haven_case_get_info (opened)));
  adw_window_title_set_subtitle (self->window_title, subtitle);

  organisation_name = g_settings_get_string (settings, "notifier-name");
  organisation_email = g_settings_get_string (settings, "notifier-email");
  hotline_country = g_settings_get_string (settings, "hotline-country");
  notice_settings.organisation_name = organisation_name;
  notice_settings.organisation_email = organisation_email;
  notice_settings.trusted_flagger = g_settings_get_boolean (settings, "trusted-flagger");
  notice_settings.hotline_country = hotline_country;

  /* Both tables are read afresh, so that an edit by the deployment
   * counts from the next notice on. */
  crosswalk = haven_notice_crosswalk_load_default (content, &error);
  if (crosswalk != NULL)
    platforms = haven_notice_platforms_load_default (&error);
  if (platforms != NULL)
    self->notices = haven_notice_build_all (opened, crosswalk, platforms, &notice_settings,
                                            &error);
  if (self->notices == NULL)
    {
      set_problem (self, error->message);
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->state_stack, "error");
      return;
    }

  request = haven_case_get_request (opened);
  for (guint i = 0; i < self->notices->len; i++)
    add_notice (self, g_ptr_array_index (self->notices, i), i,
                haven_request_get_consent_to_contact (request));
  gtk_stack_set_visible_child_name (self->state_stack, "notices");
}

GPtrArray *
haven_desk_notices_page_get_notices (HavenDeskNoticesPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_NOTICES_PAGE (self), NULL);
  return self->notices;
}

const char *
haven_desk_notices_page_get_problem (HavenDeskNoticesPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_NOTICES_PAGE (self), NULL);
  return self->problem;
}

gboolean
haven_desk_notices_page_is_busy (HavenDeskNoticesPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_NOTICES_PAGE (self), FALSE);
  return self->pending > 0;
}

static void
back_clicked_cb (HavenDeskNoticesPage *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static gboolean
escape_pressed_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  g_signal_emit (widget, signals[SIGNAL_BACK], 0);
  return TRUE;
}

static void
haven_desk_notices_page_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  HavenDeskNoticesPage *self = HAVEN_DESK_NOTICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->pending > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_desk_notices_page_dispose (GObject *object)
{
  HavenDeskNoticesPage *self = HAVEN_DESK_NOTICES_PAGE (object);

  if (self->notice_widgets != NULL)
    haven_desk_notices_page_wipe (self);
  g_clear_pointer (&self->notice_widgets, g_ptr_array_unref);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_NOTICES_PAGE);

  G_OBJECT_CLASS (haven_desk_notices_page_parent_class)->dispose (object);
}

static void
haven_desk_notices_page_finalize (GObject *object)
{
  HavenDeskNoticesPage *self = HAVEN_DESK_NOTICES_PAGE (object);

  g_free (self->problem);

  G_OBJECT_CLASS (haven_desk_notices_page_parent_class)->finalize (object);
}

static void
haven_desk_notices_page_class_init (HavenDeskNoticesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = haven_desk_notices_page_get_property;
  object_class->dispose = haven_desk_notices_page_dispose;
  object_class->finalize = haven_desk_notices_page_finalize;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/"
                                               "haven-desk-notices-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskNoticesPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskNoticesPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskNoticesPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskNoticesPage, notices_box);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_pressed_cb, NULL);
}

static void
haven_desk_notices_page_init (HavenDeskNoticesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->notice_widgets = g_ptr_array_new ();
}

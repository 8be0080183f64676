/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-removal-contact-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-removal-contact-page.h"
#include "haven-visit-footer.h"

/* "Do you want news about your request?": an email address, never
 * required (haven-api-v1.md: contact is optional). Giving one is the
 * consent to be contacted about the request, so there is no box to tick
 * as well: the request's consent_to_contact follows the address. */
struct _HavenRemovalContactPage
{
  HavenPage parent_instance;

  GtkLabel *email_hint;
  GtkLabel *email_error;
  GtkEntry *email_entry;
};

G_DEFINE_FINAL_TYPE (HavenRemovalContactPage, haven_removal_contact_page, HAVEN_TYPE_PAGE)

static HavenRequest *
get_request (HavenRemovalContactPage *self)
{
  return haven_session_get_removal_request (haven_page_get_session (HAVEN_PAGE (self)));
}

static void
email_changed_cb (HavenRemovalContactPage *self)
{
  HavenRequest *request = get_request (self);
  g_autofree char *email = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_entry)));

  /* Spaces around an address are no part of it. */
  g_strstrip (email);
  haven_request_set_contact_email (request, email[0] != '\0' ? email : NULL);
  haven_request_set_consent_to_contact (request, email[0] != '\0');
  explicit_bzero (email, strlen (email));
}

/* The field's description is the example and, after Continue, what to
 * do: set as text, which every AT-SPI reader of GTK 4.8 is given. */
static void
show_error (HavenRemovalContactPage *self,
            const char              *message)
{
  g_autofree char *description = NULL;

  haven_page_show_field_error (self->email_error, GTK_WIDGET (self->email_entry), message);
  description = message != NULL
                /* Translators: two sentences a screen reader reads one after the
                 * other: what to correct in a field, then the field's hint. End
                 * the first as your language ends a sentence. */
                ? g_strdup_printf (C_("two sentences", "%s. %s"), message,
                                   gtk_label_get_text (self->email_hint))
                : g_strdup (gtk_label_get_text (self->email_hint));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->email_entry),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
continue_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HavenRemovalContactPage *self = HAVEN_REMOVAL_CONTACT_PAGE (widget);
  HavenErrorSummary *summary = haven_page_get_error_summary (HAVEN_PAGE (self));
  g_autoptr(GHashTable) field_errors = NULL;
  const char *message = NULL;

  haven_request_validate_draft (get_request (self), &field_errors);
  if (field_errors != NULL)
    {
      message = g_hash_table_lookup (field_errors, "reporter.contact.email");
      if (message == NULL)
        message = g_hash_table_lookup (field_errors, "reporter.contact");
    }

  haven_error_summary_clear (summary);
  show_error (self, message);
  if (message != NULL)
    {
      haven_error_summary_add (summary, message, GTK_WIDGET (self->email_entry));
      haven_error_summary_present (summary, NULL);
      return;
    }

  gtk_widget_activate_action (widget, "visit.next", NULL);
}

/* Enter in the field is Continue, as on a web form. */
static void
email_activate_cb (HavenRemovalContactPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "removal-contact.continue", NULL);
}

static void
haven_removal_contact_page_constructed (GObject *object)
{
  HavenRemovalContactPage *self = HAVEN_REMOVAL_CONTACT_PAGE (object);
  const char *email = haven_request_get_contact_email (get_request (self));

  G_OBJECT_CLASS (haven_removal_contact_page_parent_class)->constructed (object);

  /* Back and a change of language build the page again: the address the
   * visitor gave is shown, and the signal is not yet connected. */
  g_signal_handlers_block_by_func (self->email_entry, email_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->email_entry), email != NULL ? email : "");
  g_signal_handlers_unblock_by_func (self->email_entry, email_changed_cb, self);
}

static GtkWidget *
haven_removal_contact_page_get_initial_focus (HavenPage *page)
{
  return GTK_WIDGET (HAVEN_REMOVAL_CONTACT_PAGE (page)->email_entry);
}

static void
haven_removal_contact_page_class_init (HavenRemovalContactPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_removal_contact_page_constructed;

  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-removal-contact-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalContactPage, email_hint);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalContactPage, email_error);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalContactPage, email_entry);
  gtk_widget_class_bind_template_callback (widget_class, email_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_activate_cb);

  gtk_widget_class_install_action (widget_class, "removal-contact.continue", NULL, continue_action_cb);

  page_class->is_needed = haven_page_removal_is_requested;
  page_class->get_initial_focus = haven_removal_contact_page_get_initial_focus;
  page_class->step_title = N_("News about your request");
  page_class->heading = N_("Do you want news about your request?");
}

static void
haven_removal_contact_page_init (HavenRemovalContactPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The example reads left to right in right-to-left text. */
  haven_page_set_label_text (self->email_hint, gtk_label_get_label (self->email_hint));

  show_error (self, NULL);
}

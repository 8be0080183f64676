/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-summary-page"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtkunixprint.h>

#include "haven-bidi.h"
#include "haven-emergency-numbers.h"
#include "haven-qr-code.h"
#include "haven-summary.h"
#include "haven-summary-page.h"
#include "haven-visit-footer.h"
#include "haven-wipe.h"

/* The end of a visit, in the visitor's language. First, where a visitor
 * sees it without scrolling on any kiosk screen: what happens next (the
 * reference of what they sent and what it is for, or that nothing was
 * sent), the emergency number and one support line. Then what happened,
 * when, what was lost, what they hold and the services they kept. They can
 * print it or carry it away as a QR code of plain text; nothing of it is
 * written to disk except through the printer. Where the deployment takes
 * reports, they may send one. The other help lines follow, and "Finish
 * and clear", always in the action bar, clears everything. */
struct _HavenSummaryPage
{
  HavenPage parent_instance;

  GtkLabel *next_heading;
  GtkLabel *next_text;
  HavenEmergencyNumbers *help_now;
  GtkBox *sections_box;
  GtkWidget *print_button;
  GtkToggleButton *phone_button;
  GtkLabel *print_status;
  GtkWidget *phone_box;
  HavenQrCode *qr_code;
  GtkWidget *report_box;
  GtkLabel *report_text;
  GtkWidget *report_button;
  GtkWidget *later_heading;
  HavenEmergencyNumbers *emergency_numbers;
  HavenVisitFooter *footer;

  GPtrArray *sections;
  /* While printing: the summary laid out, and the first line of each
   * page. */
  PangoLayout *print_layout;
  GArray *page_starts;
  /* A print to a printer still being spooled: it runs beside the main
   * loop, not in it. */
  GtkPrintOperation *printing;
  /* Looking for a printer. */
  GtkPrinter *printer;
  gboolean finding_printer;
};

G_DEFINE_FINAL_TYPE (HavenSummaryPage, haven_summary_page, HAVEN_TYPE_PAGE)

/* A QR code of this many bytes still scans from a phone held at arm's
 * length at the size the page shows it. */
#define TAKE_AWAY_MAX_BYTES 900

/* Regions whose printers take US Letter; everywhere else, A4. */
static const char * const letter_regions[] = {
  "US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "CR", "PA", "DO", "PR", "SV", NULL
};

static void
show_sections (HavenSummaryPage *self)
{
  for (guint i = 0; i < self->sections->len; i++)
    {
      HavenSummarySection *section = g_ptr_array_index (self->sections, i);
      GtkWidget *card;
      GtkWidget *heading;

      /* At the top, in their own places. */
      if (g_strcmp0 (section->id, HAVEN_SUMMARY_NEXT) == 0)
        {
          gtk_label_set_label (self->next_heading, section->heading);
          gtk_label_set_label (self->next_text, section->text);
          continue;
        }
      if (g_strcmp0 (section->id, HAVEN_SUMMARY_HELP) == 0)
        continue;

      card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      heading = haven_page_make_label (section->heading, "heading", 2);

      gtk_box_append (GTK_BOX (card), heading);
      gtk_box_append (GTK_BOX (card), haven_page_make_label (section->text, NULL, 0));
      gtk_widget_add_css_class (card, "card");
      gtk_widget_add_css_class (card, "answer-review");
      gtk_box_append (self->sections_box, card);
    }
}

static void
show_help_lines (HavenSummaryPage *self)
{
  HavenEmergencyRegion *region = haven_page_get_emergency_region (HAVEN_PAGE (self));
  const char *safety = haven_session_get_answer (haven_page_get_session (HAVEN_PAGE (self)),
                                                 HAVEN_QUESTION_SAFETY);
  static const char * const kinds[] = {
    "emergency", "crisis", "victim-support", "report-online-crime", NULL
  };
  static const char * const crisis_first[] = {
    "crisis", "emergency", "victim-support", "report-online-crime", NULL
  };
  const char *support;

  if (region == NULL)
    return;

  /* The emergency number and one support line at the top, side by side
   * where there is room; the others beneath the summary. */
  support = haven_summary_get_support_kind (haven_page_get_session (HAVEN_PAGE (self)), region);
  haven_emergency_numbers_add_first (self->help_now, region, "emergency");
  if (support != NULL)
    haven_emergency_numbers_add_first (self->help_now, region, support);

  haven_emergency_numbers_set_side_by_side (self->help_now, TRUE);

  haven_emergency_numbers_leave_out (self->emergency_numbers, self->help_now);
  if (haven_emergency_numbers_add (self->emergency_numbers, region,
                                   g_strcmp0 (safety, HAVEN_SAFETY_SELF) == 0 ? crisis_first : kinds) == 0)
    gtk_widget_set_visible (self->later_heading, FALSE);
}

static void
phone_toggled_cb (HavenSummaryPage *self)
{
  gboolean active = gtk_toggle_button_get_active (self->phone_button);

  /* Made only when asked for: the code holds the visitor's answers. */
  if (active && haven_qr_code_get_text (self->qr_code) == NULL)
    {
      g_autofree char *text = haven_summary_to_text (self->sections, TAKE_AWAY_MAX_BYTES);

      haven_qr_code_set_text (self->qr_code, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_code),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("QR code of your summary, to scan with your phone's camera"),
                                      -1);
      haven_wipe_string (g_steal_pointer (&text));
    }

  gtk_widget_set_visible (self->phone_box, active);
}

/* The report box offers to send the report, and says when it could not
 * be kept; once it is kept, what happens next says the rest at the top. */
static gboolean
show_report_state (HavenSummaryPage *self)
{
  HavenSession *session = haven_page_get_session (HAVEN_PAGE (self));
  const char *text = NULL;
  gboolean can_send = FALSE;

  switch (haven_session_get_report_state (session))
    {
    case HAVEN_SUBMISSION_NONE:
      text = _("You can send your answers to the people who run this kiosk, so they can follow it up. You do not have to.");
      can_send = TRUE;
      break;

    case HAVEN_SUBMISSION_SENDING:
      text = _("Sending…");
      break;

    case HAVEN_SUBMISSION_SENT:
    case HAVEN_SUBMISSION_QUEUED:
    case HAVEN_SUBMISSION_REJECTED:
      return FALSE;

    case HAVEN_SUBMISSION_NOT_SEALED:
      text = g_strdup (_("This kiosk cannot keep reports safely at the moment, so your report was not saved or sent. Please ask a member of staff, or print your summary instead."));
      break;

    case HAVEN_SUBMISSION_INVALID:
    case HAVEN_SUBMISSION_NOT_SAVED:
    default:
      text = _("Your report could not be saved on this kiosk. Please ask a member of staff, or print your summary instead.");
      break;
    }

  gtk_label_set_label (self->report_text, text);
  gtk_widget_set_visible (self->report_button, can_send);
  return TRUE;
}

/**
 * haven_summary_page_set_reports_enabled:
 * @enabled: whether the deployment takes reports (submit-reports)
 */
void
haven_summary_page_set_reports_enabled (HavenSummaryPage *self,
                                        gboolean          enabled)
{
  g_return_if_fail (HAVEN_IS_SUMMARY_PAGE (self));

  enabled = enabled && haven_session_get_category (haven_page_get_session (HAVEN_PAGE (self))) != NULL;
  gtk_widget_set_visible (self->report_box, enabled && show_report_state (self));
}

/* Printing */

static const char *
get_paper_name (HavenSummaryPage *self)
{
  g_autofree char *region = g_ascii_strup (haven_page_get_region (HAVEN_PAGE (self)), 2);

  return g_strv_contains (letter_regions, region) ? GTK_PAPER_NAME_LETTER : GTK_PAPER_NAME_A4;
}

static char *
build_print_markup (HavenSummaryPage *self)
{
  GString *markup = g_string_new (NULL);
  g_autofree char *title = g_markup_escape_text (_("Your summary"), -1);

  g_string_append_printf (markup, "<span size='x-large' weight='bold'>%s</span>\n\n", title);
  for (guint i = 0; i < self->sections->len; i++)
    {
      HavenSummarySection *section = g_ptr_array_index (self->sections, i);
      g_autofree char *heading = g_markup_escape_text (section->heading, -1);
      g_autofree char *text = g_markup_escape_text (section->text, -1);

      g_string_append_printf (markup, "<b>%s</b>\n%s\n\n", heading, text);
      haven_wipe_string (g_steal_pointer (&text));
    }

  return g_string_free (markup, FALSE);
}

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                HavenSummaryPage  *self)
{
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans 12");
  g_autofree char *markup = build_print_markup (self);
  double page_height = gtk_print_context_get_height (context);
  double used = 0;
  PangoLayoutIter *iter;
  int line = 0;

  g_clear_object (&self->print_layout);
  self->print_layout = gtk_print_context_create_pango_layout (context);
  pango_layout_set_font_description (self->print_layout, font);
  pango_layout_set_width (self->print_layout,
                          (int) (gtk_print_context_get_width (context) * PANGO_SCALE));
  pango_layout_set_wrap (self->print_layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (self->print_layout, markup, -1);
  haven_wipe_string (g_steal_pointer (&markup));

  /* Lines are laid out once; a page holds as many as fit. */
  g_array_set_size (self->page_starts, 0);
  g_array_append_val (self->page_starts, line);
  iter = pango_layout_get_iter (self->print_layout);
  do
    {
      PangoRectangle logical;
      double height;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      height = (double) logical.height / PANGO_SCALE;
      if (used + height > page_height && used > 0)
        {
          g_array_append_val (self->page_starts, line);
          used = 0;
        }
      used += height;
      line++;
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);

  gtk_print_operation_set_n_pages (operation, (int) self->page_starts->len);
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_number,
              HavenSummaryPage  *self)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  int first = g_array_index (self->page_starts, int, page_number);
  int end = (guint) page_number + 1 < self->page_starts->len
            ? g_array_index (self->page_starts, int, page_number + 1)
            : pango_layout_get_line_count (self->print_layout);
  double y = 0;

  for (int i = first; i < end; i++)
    {
      PangoLayoutLine *line = pango_layout_get_line_readonly (self->print_layout, i);
      PangoRectangle logical;

      pango_layout_line_get_extents (line, NULL, &logical);
      cairo_move_to (cr, (double) logical.x / PANGO_SCALE,
                     y - (double) logical.y / PANGO_SCALE);
      pango_cairo_show_layout_line (cr, line);
      y += (double) logical.height / PANGO_SCALE;
    }
}

static void
end_print_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              HavenSummaryPage  *self)
{
  g_clear_object (&self->print_layout);
}

static void show_print_status (HavenSummaryPage *self,
                               const char       *status);

static void
print_done_cb (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               HavenSummaryPage        *self)
{
  if (operation != self->printing)
    return;

  g_clear_object (&self->print_layout);
  g_clear_object (&self->printing);
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    show_print_status (self, _("The summary could not be printed. Ask a member of staff, or take it on your phone."));
}

/**
 * haven_summary_page_print:
 * @action: %GTK_PRINT_OPERATION_ACTION_PRINT to the printer chosen (see
 *   below), or %GTK_PRINT_OPERATION_ACTION_EXPORT to @export_filename
 *   (for tests: a kiosk never exports)
 *
 * Prints the summary on A4, or on US Letter in the regions that use it.
 * A kiosk prints without a dialog: a dialog would offer "Print to File",
 * which would leave the summary on the kiosk's disk.
 *
 * Returns: whether the summary was handed to the printer or exported
 */
gboolean
haven_summary_page_print (HavenSummaryPage         *self,
                          GtkPrintOperationAction   action,
                          const char               *export_filename,
                          GError                  **error)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) page_setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) paper = gtk_paper_size_new (get_paper_name (self));
  g_autoptr(GtkPrintSettings) settings = gtk_print_settings_new ();
  GtkPrintOperationResult result;

  g_return_val_if_fail (HAVEN_IS_SUMMARY_PAGE (self), FALSE);
  g_return_val_if_fail (action == GTK_PRINT_OPERATION_ACTION_PRINT ||
                        action == GTK_PRINT_OPERATION_ACTION_EXPORT, FALSE);
  g_return_val_if_fail (action != GTK_PRINT_OPERATION_ACTION_EXPORT || export_filename != NULL, FALSE);

  gtk_page_setup_set_paper_size_and_default_margins (page_setup, paper);
  gtk_print_operation_set_default_page_setup (operation, page_setup);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  /* Translators: the name of the print job, seen in the printer's queue. */
  gtk_print_operation_set_job_name (operation, _("Summary"));
  if (self->printer != NULL)
    gtk_print_settings_set_printer (settings, gtk_printer_get_name (self->printer));
  gtk_print_operation_set_print_settings (operation, settings);
  if (export_filename != NULL)
    gtk_print_operation_set_export_filename (operation, export_filename);

  /* Disconnected if the page goes (Leave now) before the printer is done. */
  g_signal_connect_object (operation, "begin-print", G_CALLBACK (begin_print_cb), self, 0);
  g_signal_connect_object (operation, "draw-page", G_CALLBACK (draw_page_cb), self, 0);
  g_signal_connect_object (operation, "end-print", G_CALLBACK (end_print_cb), self, 0);
  g_signal_connect_object (operation, "done", G_CALLBACK (print_done_cb), self, 0);
  /* Spooling to a printer can take seconds: not on the main loop. An
   * export (the tests) is done at once. */
  gtk_print_operation_set_allow_async (operation, action == GTK_PRINT_OPERATION_ACTION_PRINT);

  result = gtk_print_operation_run (operation, action, NULL, error);
  if (result == GTK_PRINT_OPERATION_RESULT_IN_PROGRESS)
    g_set_object (&self->printing, operation);
  else
    g_clear_object (&self->print_layout);

  return result == GTK_PRINT_OPERATION_RESULT_APPLY || result == GTK_PRINT_OPERATION_RESULT_IN_PROGRESS;
}

static void
show_print_status (HavenSummaryPage *self,
                   const char       *status)
{
  gtk_label_set_label (self->print_status, status);
  gtk_widget_set_visible (GTK_WIDGET (self->print_status), status != NULL);
}

/* Takes the default printer, else the first real one; never a virtual
 * printer such as "Print to File". */
static gboolean
printer_found_cb (GtkPrinter       *printer,
                  HavenSummaryPage *self)
{
  if (gtk_printer_is_virtual (printer) || (!gtk_printer_accepts_pdf (printer) && !gtk_printer_accepts_ps (printer)))
    return FALSE;

  if (self->printer == NULL || gtk_printer_is_default (printer))
    g_set_object (&self->printer, printer);

  return gtk_printer_is_default (printer);
}

static void
printers_done_cb (gpointer data)
{
  g_autoptr(HavenSummaryPage) self = data;
  g_autoptr(GError) error = NULL;

  self->finding_printer = FALSE;

  /* The visitor left while the printer was being looked for: their
   * summary is gone, and must not come out of the printer later. */
  if (self->sections == NULL || gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    return;

  gtk_widget_set_sensitive (self->print_button, TRUE);

  if (self->printer == NULL)
    {
      show_print_status (self, _("No printer is connected to this kiosk. Ask a member of staff, or take the summary on your phone."));
      return;
    }

  if (!haven_summary_page_print (self, GTK_PRINT_OPERATION_ACTION_PRINT, NULL, &error))
    {
      if (error != NULL)
        g_message ("The summary could not be printed: %s", error->message);
      show_print_status (self, _("The summary could not be printed. Ask a member of staff, or take it on your phone."));
      return;
    }

  show_print_status (self, _("Your summary is printing. Take it from the printer."));
}

static void
print_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HavenSummaryPage *self = HAVEN_SUMMARY_PAGE (widget);

  if (self->finding_printer)
    return;

  self->finding_printer = TRUE;
  gtk_widget_set_sensitive (self->print_button, FALSE);
  show_print_status (self, _("Looking for the printer…"));
  gtk_enumerate_printers ((GtkPrinterFunc) printer_found_cb, g_object_ref (self),
                          printers_done_cb, FALSE);
}

static GtkWidget *
haven_summary_page_get_initial_focus (HavenPage *page)
{
  return haven_visit_footer_get_primary_button (HAVEN_SUMMARY_PAGE (page)->footer);
}

static void
haven_summary_page_constructed (GObject *object)
{
  HavenSummaryPage *self = HAVEN_SUMMARY_PAGE (object);
  HavenContent *content = haven_page_get_content (HAVEN_PAGE (self));

  G_OBJECT_CLASS (haven_summary_page_parent_class)->constructed (object);

  if (content != NULL)
    {
      self->sections = haven_summary_build (haven_page_get_session (HAVEN_PAGE (self)), content,
                                            haven_page_get_region (HAVEN_PAGE (self)));
      show_sections (self);
    }
  else
    self->sections = g_ptr_array_new ();

  show_help_lines (self);
  g_signal_connect_object (self->phone_button, "toggled", G_CALLBACK (phone_toggled_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
haven_summary_page_dispose (GObject *object)
{
  HavenSummaryPage *self = HAVEN_SUMMARY_PAGE (object);

  if (self->printing != NULL)
    gtk_print_operation_cancel (self->printing);
  g_clear_object (&self->printing);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_object (&self->print_layout);
  g_clear_object (&self->printer);

  G_OBJECT_CLASS (haven_summary_page_parent_class)->dispose (object);
}

static void
haven_summary_page_finalize (GObject *object)
{
  g_array_unref (HAVEN_SUMMARY_PAGE (object)->page_starts);

  G_OBJECT_CLASS (haven_summary_page_parent_class)->finalize (object);
}

static void
haven_summary_page_class_init (HavenSummaryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_summary_page_constructed;
  object_class->dispose = haven_summary_page_dispose;
  object_class->finalize = haven_summary_page_finalize;

  g_type_ensure (HAVEN_TYPE_EMERGENCY_NUMBERS);
  g_type_ensure (HAVEN_TYPE_QR_CODE);
  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-summary-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, next_heading);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, next_text);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, help_now);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, sections_box);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, phone_button);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, print_status);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, phone_box);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, qr_code);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, report_box);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, report_text);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, report_button);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, later_heading);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, emergency_numbers);
  gtk_widget_class_bind_template_child (widget_class, HavenSummaryPage, footer);

  gtk_widget_class_install_action (widget_class, "summary.print", NULL, print_action_cb);

  page_class->get_initial_focus = haven_summary_page_get_initial_focus;
  page_class->step_title = N_("Your summary");
  page_class->heading = N_("Your summary");
}

static void
haven_summary_page_init (HavenSummaryPage *self)
{
  self->page_starts = g_array_new (FALSE, FALSE, sizeof (int));
  gtk_widget_init_template (GTK_WIDGET (self));
}

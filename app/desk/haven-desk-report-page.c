/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-case-document.h"
#include "haven-case-info.h"
#include "haven-desk-case-file.h"
#include "haven-desk-chart.h"
#include "haven-desk-format.h"
#include "haven-desk-report-page.h"
#include "haven-desk-save-dialog.h"
#include "haven-notice-platforms.h"

/* The report is made of sections and charts once, when it arrives, and
 * both the page and the PDF show those: the figures on the screen are the
 * figures printed. */

struct _HavenDeskReportPage
{
  AdwBin parent_instance;

  AdwEntryRow *from_row;
  AdwEntryRow *to_row;
  GtkButton *make_button;
  GtkButton *csv_button;
  GtkButton *pdf_button;
  GtkSpinner *spinner;
  GtkLabel *problem_label;
  GtkBox *results_box;

  HavenCaseClient *client;
  HavenContent *content;
  HavenNoticePlatforms *platforms;
  GCancellable *cancellable;
  HavenNoticeReport *report;
  /* (element-type HavenCaseSection) and, beside each, its chart or NULL. */
  GPtrArray *sections;
  GPtrArray *charts;
  char *problem;
  guint pending;
  /* What the save dialog on screen is for. */
  HavenDeskReportExport asked_export;
};

G_DEFINE_FINAL_TYPE (HavenDeskReportPage, haven_desk_report_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_pending (HavenDeskReportPage *self,
             int                  change)
{
  gboolean was_busy = self->pending > 0;

  self->pending = (guint) ((int) self->pending + change);
  gtk_spinner_set_spinning (self->spinner, self->pending > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->make_button), self->pending == 0);
  if (was_busy != (self->pending > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_problem (HavenDeskReportPage *self,
              const char          *problem)
{
  g_free (self->problem);
  self->problem = g_strdup (problem);
  gtk_label_set_text (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
}

static void
clear_report (HavenDeskReportPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_box))) != NULL)
    gtk_box_remove (self->results_box, child);
  g_clear_object (&self->report);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->charts, g_ptr_array_unref);
  gtk_widget_set_sensitive (GTK_WIDGET (self->csv_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pdf_button), FALSE);
}

/* Today and the first of its year, UTC: the year so far. */
static void
fill_default_range (HavenDeskReportPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *first = g_date_time_format (now, "%Y-01-01");

  gtk_editable_set_text (GTK_EDITABLE (self->from_row), first);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), today);
}

static char *
describe_provider (HavenDeskReportPage *self,
                   const char          *provider)
{
  const char *name;

  if (g_str_equal (provider, HAVEN_NOTICE_REPORT_UNRECORDED))
    return g_strdup (_("Not recorded"));
  name = self->platforms != NULL ? haven_notice_platforms_get_name (self->platforms, provider)
                                 : NULL;
  return g_strdup (name != NULL ? name : provider);
}

static char *
describe_category (HavenDeskReportPage *self,
                   const char          *category)
{
  if (g_str_equal (category, HAVEN_NOTICE_REPORT_UNRECORDED))
    return g_strdup (_("Not recorded"));
  return haven_desk_describe_category (self->content, category);
}

static char *
describe_action (const char *action)
{
  const char *label;

  if (g_str_equal (action, "awaiting-answer"))
    return g_strdup (C_("notice report", "Awaiting an answer"));
  label = haven_case_outcome_get_label (action);
  return g_strdup (label != NULL ? label : action);
}

static char *
describe_key (HavenDeskReportPage        *self,
              HavenNoticeReportDimension  dimension,
              const char                 *key)
{
  switch (dimension)
    {
    case HAVEN_NOTICE_REPORT_BY_PROVIDER:
      return describe_provider (self, key);
    case HAVEN_NOTICE_REPORT_BY_CATEGORY:
      return describe_category (self, key);
    case HAVEN_NOTICE_REPORT_BY_ACTION:
    default:
      return describe_action (key);
    }
}

/* A count as text: xgettext cannot read G_GUINT64_FORMAT inside a
 * message, so the number goes in as a string and the plural is chosen
 * from it. */
static char *
format_count (guint64 count)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, count);
}

static gulong
plural_of (guint64 count)
{
  return (gulong) MIN (count, (guint64) G_MAXULONG);
}

static char *
describe_notices (guint64 notices)
{
  g_autofree char *number = format_count (notices);

  /* Translators: a bar of the report's charts; %s is a number. */
  return g_strdup_printf (ngettext ("%s notice", "%s notices", plural_of (notices)), number);
}

/* A section without a chart has NULL beside it. */
static void
unref_chart (gpointer chart)
{
  if (chart != NULL)
    g_object_unref (chart);
}

static void
add_section (GPtrArray      *sections,
             GPtrArray      *charts,
             const char     *id,
             const char     *heading,
             char           *text,
             HavenDeskChart *chart)
{
  HavenCaseSection *section = g_new0 (HavenCaseSection, 1);

  section->id = id;
  section->heading = g_strdup (heading);
  section->text = text;
  g_ptr_array_add (sections, section);
  g_ptr_array_add (charts, chart);
}

static HavenDeskChart *
make_chart (HavenDeskReportPage        *self,
            HavenNoticeReportDimension  dimension)
{
  g_autoptr(GPtrArray) counts = haven_notice_report_count_by (self->report, dimension);
  HavenDeskChart *chart = haven_desk_chart_new ();

  for (guint i = 0; i < counts->len; i++)
    {
      HavenNoticeReportCount *count = g_ptr_array_index (counts, i);
      g_autofree char *label = describe_key (self, dimension, count->key);
      g_autofree char *value = describe_notices (count->notices);

      haven_desk_chart_add_bar (chart, label, count->notices, value);
    }
  return chart;
}

/* The report as sections: what it covers, a chart for each dimension,
 * and every row of figures. */
static void
build_sections (HavenDeskReportPage *self)
{
  static const struct {
    const char *id;
    const char *heading;
    HavenNoticeReportDimension dimension;
  } dimensions[] = {
    { "by-provider", N_("By hosting provider"), HAVEN_NOTICE_REPORT_BY_PROVIDER },
    { "by-category", N_("By type of content"), HAVEN_NOTICE_REPORT_BY_CATEGORY },
    { "by-action", N_("By action taken"), HAVEN_NOTICE_REPORT_BY_ACTION },
  };
  guint64 notices = haven_notice_report_get_notices (self->report);
  guint64 addresses = haven_notice_report_get_addresses (self->report);
  g_autofree char *heading = NULL;
  g_autofree char *notices_line = NULL;
  g_autofree char *addresses_line = NULL;
  g_autofree char *notices_text = NULL;
  g_autofree char *addresses_text = NULL;
  GString *table;

  self->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_case_section_free);
  self->charts = g_ptr_array_new_with_free_func (unref_chart);

  /* Translators: the two days are as 2026-01-01. */
  heading = g_strdup_printf (_("From %s to %s"), haven_notice_report_get_from (self->report),
                             haven_notice_report_get_to (self->report));
  notices_text = format_count (notices);
  addresses_text = format_count (addresses);
  /* Translators: %s is a number. */
  notices_line = g_strdup_printf (ngettext ("%s notice sent, counted once for each case and "
                                            "hosting provider.",
                                            "%s notices sent, each counted once for each case "
                                            "and hosting provider.", plural_of (notices)),
                                  notices_text);
  /* Translators: %s is a number. */
  addresses_line = g_strdup_printf (ngettext ("They named %s address.",
                                              "They named %s addresses.",
                                              plural_of (addresses)), addresses_text);
  add_section (self->sections, self->charts, "summary", heading,
               g_strdup_printf ("%s\n%s\n%s", notices_line, addresses_line,
                                _("The action is the latest a platform took, as recorded. "
                                  "The report holds counts only: no case, person or kiosk.")),
               NULL);

  if (haven_notice_report_get_n_rows (self->report) == 0)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (dimensions); i++)
    add_section (self->sections, self->charts, dimensions[i].id, _(dimensions[i].heading),
                 g_strdup (""), make_chart (self, dimensions[i].dimension));

  table = g_string_new (NULL);
  for (guint i = 0; i < haven_notice_report_get_n_rows (self->report); i++)
    {
      const HavenNoticeReportRow *row = haven_notice_report_get_row (self->report, i);
      g_autofree char *provider = describe_provider (self, row->hosting_provider);
      g_autofree char *category = describe_category (self, row->category);
      g_autofree char *action = describe_action (row->action);
      g_autofree char *row_notices = format_count (row->notices);
      g_autofree char *row_addresses = format_count (row->addresses);

      if (table->len > 0)
        g_string_append_c (table, '\n');
      /* Translators: one row of the report's table: a hosting provider, a
       * type of content, an action, then how many notices and addresses. */
      g_string_append_printf (table, _("%s · %s · %s: notices %s, addresses %s"),
                              provider, category, action, row_notices, row_addresses);
    }
  add_section (self->sections, self->charts, "rows", _("Every figure"),
               g_string_free (table, FALSE), NULL);
}

static void
draw_chart_cb (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        user_data)
{
  HavenDeskChart *chart = user_data;
  GtkStyleContext *style;
  GdkRGBA color;
  double rgb[3];
  PangoContext *context;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  style = gtk_widget_get_style_context (GTK_WIDGET (area));
  gtk_style_context_get_color (style, &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  rgb[0] = color.red;
  rgb[1] = color.green;
  rgb[2] = color.blue;
  context = gtk_widget_get_pango_context (GTK_WIDGET (area));
  haven_desk_chart_draw (chart, cr, context, width, rgb,
                         gtk_widget_get_direction (GTK_WIDGET (area)) == GTK_TEXT_DIR_RTL);
}

static gboolean
set_chart_height_cb (gpointer user_data)
{
  GtkDrawingArea *area = user_data;
  HavenDeskChart *chart = g_object_get_data (G_OBJECT (area), "chart");
  int width = gtk_widget_get_width (GTK_WIDGET (area));

  if (chart != NULL && width > 0)
    gtk_drawing_area_set_content_height (area, (int) haven_desk_chart_get_height (
                                                 chart, gtk_widget_get_pango_context (GTK_WIDGET (area)),
                                                 width) + 1);
  return G_SOURCE_REMOVE;
}

/* The chart's height follows its width (labels wrap); a size asked for
 * while GTK allocates would be lost, so it is asked for just after. */
static void
chart_resized_cb (GtkDrawingArea *area,
                  int             width,
                  int             height,
                  gpointer        user_data)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (area));
  int needed = (int) haven_desk_chart_get_height (user_data, context, width) + 1;

  if (needed != gtk_drawing_area_get_content_height (area))
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, set_chart_height_cb, g_object_ref (area),
                     g_object_unref);
}

static void
show_report (HavenDeskReportPage *self)
{
  for (guint i = 0; i < self->sections->len; i++)
    {
      HavenCaseSection *section = g_ptr_array_index (self->sections, i);
      HavenDeskChart *chart = g_ptr_array_index (self->charts, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *heading = gtk_label_new (section->heading);
      g_autofree char *name = g_strdup_printf ("report-%s", section->id);

      gtk_widget_set_name (box, name);
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
      gtk_widget_add_css_class (heading, "heading");
      gtk_box_append (GTK_BOX (box), heading);
      if (section->text[0] != '\0')
        {
          GtkWidget *text = gtk_label_new (section->text);

          gtk_label_set_xalign (GTK_LABEL (text), 0);
          gtk_label_set_wrap (GTK_LABEL (text), TRUE);
          gtk_label_set_selectable (GTK_LABEL (text), TRUE);
          gtk_box_append (GTK_BOX (box), text);
        }
      if (chart != NULL)
        {
          GtkWidget *area = g_object_new (GTK_TYPE_DRAWING_AREA,
                                          "accessible-role", GTK_ACCESSIBLE_ROLE_IMG,
                                          NULL);
          g_autofree char *described = haven_desk_chart_dup_text (chart);

          /* The chart says its figures to a screen reader too. */
          gtk_accessible_update_property (GTK_ACCESSIBLE (area),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, section->heading,
                                          GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, described,
                                          -1);
          gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 24);
          g_object_set_data_full (G_OBJECT (area), "chart", g_object_ref (chart), g_object_unref);
          gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_chart_cb,
                                          g_object_ref (chart), g_object_unref);
          g_signal_connect_data (area, "resize", G_CALLBACK (chart_resized_cb),
                                 g_object_ref (chart), (GClosureNotify) (void (*) (void)) g_object_unref,
                                 0);
          gtk_box_append (GTK_BOX (box), area);
        }
      gtk_box_append (self->results_box, box);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->csv_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pdf_button), TRUE);
}

static void
report_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HavenDeskReportPage) self = user_data;
  g_autoptr(GError) error = NULL;
  HavenNoticeReport *report;

  report = haven_case_client_fetch_notice_report_finish (HAVEN_CASE_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_pending (self, -1);
  if (report == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says why. */
      message = g_strdup_printf (_("The report could not be made: %s"), error->message);
      show_problem (self, message);
      return;
    }

  self->report = report;
  build_sections (self);
  show_report (self);
}

void
haven_desk_report_page_make (HavenDeskReportPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  g_return_if_fail (HAVEN_IS_DESK_REPORT_PAGE (self));

  if (self->client == NULL || self->pending > 0)
    return;

  from = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->from_row))));
  to = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_row))));
  clear_report (self);
  show_problem (self, NULL);
  if (!haven_notice_report_check_range (from, to, &error))
    {
      show_problem (self, error->message);
      return;
    }

  set_pending (self, 1);
  haven_case_client_fetch_notice_report_async (self->client, from, to, self->cancellable,
                                               report_cb, g_object_ref (self));
}

static void
make_clicked_cb (HavenDeskReportPage *self)
{
  haven_desk_report_page_make (self);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HavenDeskReportPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved;

  saved = haven_desk_save_finish (source, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_pending (self, -1);

  if (!saved)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says why. */
      message = g_strdup_printf (_("The report was not saved: %s"), error->message);
      show_problem (self, message);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, _("The report is saved"));
}

void
haven_desk_report_page_save_to (HavenDeskReportPage   *self,
                                HavenDeskReportExport  what,
                                GFile                 *file)
{
  g_return_if_fail (HAVEN_IS_DESK_REPORT_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->report == NULL)
    return;

  set_pending (self, 1);
  if (what == HAVEN_DESK_REPORT_EXPORT_CSV)
    {
      g_autoptr(GBytes) csv = haven_notice_report_to_csv (self->report);

      g_file_replace_contents_bytes_async (file, csv, NULL, FALSE,
                                           G_FILE_CREATE_PRIVATE |
                                           G_FILE_CREATE_REPLACE_DESTINATION,
                                           self->cancellable, saved_cb, g_object_ref (self));
      return;
    }

  {
    /* Translators: the PDF's title; the two days are as 2026-01-01. */
    g_autofree char *title = g_strdup_printf (_("Report of notices, %s to %s"),
                                              haven_notice_report_get_from (self->report),
                                              haven_notice_report_get_to (self->report));

    haven_desk_case_file_save_with_charts_async (self->sections, self->charts, title,
                                                 _("Counts only: no case, person or kiosk is "
                                                   "named."),
                                                 file, self->cancellable, saved_cb,
                                                 g_object_ref (self));
  }
}

static void
report_file_chosen_cb (GFile    *file,
                       gpointer  user_data)
{
  HavenDeskReportPage *self = user_data;

  haven_desk_report_page_save_to (self, self->asked_export, file);
}

static void
ask_where_to_save (HavenDeskReportPage   *self,
                   HavenDeskReportExport  what)
{
  g_autofree char *name = NULL;

  if (self->report == NULL)
    return;

  name = g_strdup_printf ("notices-%s-%s.%s", haven_notice_report_get_from (self->report),
                          haven_notice_report_get_to (self->report),
                          what == HAVEN_DESK_REPORT_EXPORT_CSV ? "csv" : "pdf");
  self->asked_export = what;
  haven_desk_ask_where_to_save (GTK_WIDGET (self), _("Save the report"), name,
                                report_file_chosen_cb, g_object_ref (self), g_object_unref);
}

static void
csv_clicked_cb (HavenDeskReportPage *self)
{
  ask_where_to_save (self, HAVEN_DESK_REPORT_EXPORT_CSV);
}

static void
pdf_clicked_cb (HavenDeskReportPage *self)
{
  ask_where_to_save (self, HAVEN_DESK_REPORT_EXPORT_PDF);
}

void
haven_desk_report_page_set_client (HavenDeskReportPage *self,
                                   HavenCaseClient     *client)
{
  g_return_if_fail (HAVEN_IS_DESK_REPORT_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->pending > 0)
    set_pending (self, -(int) self->pending);
  g_set_object (&self->client, client);
  clear_report (self);
  show_problem (self, NULL);
  fill_default_range (self);
}

void
haven_desk_report_page_set_content (HavenDeskReportPage *self,
                                    HavenContent        *content)
{
  g_return_if_fail (HAVEN_IS_DESK_REPORT_PAGE (self));
  g_set_object (&self->content, content);
}

HavenNoticeReport *
haven_desk_report_page_get_report (HavenDeskReportPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_REPORT_PAGE (self), NULL);
  return self->report;
}

const char *
haven_desk_report_page_get_problem (HavenDeskReportPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_REPORT_PAGE (self), NULL);
  return self->problem;
}

gboolean
haven_desk_report_page_is_busy (HavenDeskReportPage *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_REPORT_PAGE (self), FALSE);
  return self->pending > 0;
}

static void
haven_desk_report_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  HavenDeskReportPage *self = HAVEN_DESK_REPORT_PAGE (object);

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
haven_desk_report_page_dispose (GObject *object)
{
  HavenDeskReportPage *self = HAVEN_DESK_REPORT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->content);
  g_clear_object (&self->platforms);
  g_clear_object (&self->report);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->charts, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_REPORT_PAGE);

  G_OBJECT_CLASS (haven_desk_report_page_parent_class)->dispose (object);
}

static void
haven_desk_report_page_finalize (GObject *object)
{
  HavenDeskReportPage *self = HAVEN_DESK_REPORT_PAGE (object);

  g_free (self->problem);

  G_OBJECT_CLASS (haven_desk_report_page_parent_class)->finalize (object);
}

static void
haven_desk_report_page_class_init (HavenDeskReportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = haven_desk_report_page_get_property;
  object_class->dispose = haven_desk_report_page_dispose;
  object_class->finalize = haven_desk_report_page_finalize;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/"
                                               "haven-desk-report-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskReportPage, from_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskReportPage, to_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskReportPage, make_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskReportPage, csv_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskReportPage, pdf_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskReportPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskReportPage, problem_label);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskReportPage, results_box);
  gtk_widget_class_bind_template_callback (widget_class, make_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, csv_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, pdf_clicked_cb);
}

static void
haven_desk_report_page_init (HavenDeskReportPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  /* Names for the hosting providers; a table that cannot be read leaves
   * the ids as they are. */
  self->platforms = haven_notice_platforms_load_default (NULL);
  fill_default_range (self);
}

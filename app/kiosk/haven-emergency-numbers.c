/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-emergency-numbers"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-emergency-numbers.h"
#include "haven-page.h"

/* Phone numbers and web addresses of services that help now, in large
 * type: a person in danger must be able to read them from a step away.
 * Numbers and addresses are isolated as left-to-right text, so they read
 * the same inside right-to-left sentences. */
struct _HavenEmergencyNumbers
{
  AdwBin parent_instance;

  GtkBox *list;
  /* Values and addresses already shown, so that a number two regions
   * share appears once. */
  GHashTable *shown;
};

G_DEFINE_FINAL_TYPE (HavenEmergencyNumbers, haven_emergency_numbers, ADW_TYPE_BIN)

static void
add_entry (HavenEmergencyNumbers *self,
           const char       *value,
           const char       *label,
           const char       *value_class)
{
  g_autofree char *isolated = haven_bidi_isolate_ltr (value);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *value_label = haven_page_make_label (isolated, value_class, 0);
  GtkWidget *text_label = haven_page_make_label (g_dgettext (GETTEXT_PACKAGE, label), NULL, 0);

  gtk_widget_add_css_class (box, "emergency-number");
  gtk_box_append (GTK_BOX (box), value_label);
  gtk_box_append (GTK_BOX (box), text_label);
  /* A screen reader says what the number is for, then the number. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value_label),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, text_label, NULL,
                                  -1);
  gtk_box_append (self->list, box);
  g_hash_table_add (self->shown, g_strdup (value));
}

/**
 * haven_emergency_numbers_add:
 * @kinds: the kinds of numbers and links to show, in this order
 *   ("emergency", "crisis", "child-removal", …)
 *
 * Adds @region's numbers and links of @kinds, leaving out any already
 * shown.
 *
 * Returns: how many were added
 */
guint
haven_emergency_numbers_add (HavenEmergencyNumbers     *self,
                        HavenEmergencyRegion *region,
                        const char * const   *kinds)
{
  guint added = 0;

  g_return_val_if_fail (HAVEN_IS_EMERGENCY_NUMBERS (self), 0);
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (region), 0);

  for (gsize k = 0; kinds[k] != NULL; k++)
    {
      for (guint i = 0; i < haven_emergency_region_get_n_numbers (region); i++)
        {
          const char *value = haven_emergency_region_get_number_value (region, i);

          if (g_strcmp0 (haven_emergency_region_get_number_kind (region, i), kinds[k]) != 0
              || g_hash_table_contains (self->shown, value))
            continue;

          add_entry (self, value, haven_emergency_region_get_number_label (region, i),
                     "emergency-number-value");
          added++;
        }

      for (guint i = 0; i < haven_emergency_region_get_n_links (region); i++)
        {
          const char *url = haven_emergency_region_get_link_url (region, i);

          if (g_strcmp0 (haven_emergency_region_get_link_kind (region, i), kinds[k]) != 0
              || g_hash_table_contains (self->shown, url))
            continue;

          add_entry (self, url, haven_emergency_region_get_link_label (region, i),
                     "emergency-link-value");
          added++;
        }
    }

  return added;
}

static void
haven_emergency_numbers_finalize (GObject *object)
{
  g_hash_table_unref (HAVEN_EMERGENCY_NUMBERS (object)->shown);

  G_OBJECT_CLASS (haven_emergency_numbers_parent_class)->finalize (object);
}

static void
haven_emergency_numbers_class_init (HavenEmergencyNumbersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_emergency_numbers_finalize;
}

static void
haven_emergency_numbers_init (HavenEmergencyNumbers *self)
{
  self->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->list = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 18));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->list));
}

GtkWidget *
haven_emergency_numbers_new (void)
{
  return g_object_new (HAVEN_TYPE_EMERGENCY_NUMBERS, NULL);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-emergency-numbers"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-emergency-numbers.h"
#include "haven-page.h"

/* Phone numbers and web addresses of services that help now, in large
 * type: a person in danger must be able to read them from a step away. A
 * number heads its entry; a web address comes beneath the name of the
 * service it goes to, so the visitor reads who helps before where.
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
           const char            *name,
           const char            *value,
           const char            *label,
           const char            *value_class)
{
  g_autofree char *isolated = haven_bidi_isolate_ltr (value);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *value_label = haven_page_make_label (isolated, value_class, 0);
  GtkWidget *text_label = haven_page_make_label (g_dgettext (GETTEXT_PACKAGE, label), NULL, 0);
  GtkWidget *name_label = NULL;

  gtk_widget_add_css_class (box, "emergency-number");
  if (name != NULL)
    {
      g_autofree char *isolated_name = haven_bidi_isolate (name);

      name_label = haven_page_make_label (isolated_name, "emergency-service-name", 0);
      gtk_box_append (GTK_BOX (box), name_label);
    }
  gtk_box_append (GTK_BOX (box), value_label);
  gtk_box_append (GTK_BOX (box), text_label);
  /* A screen reader says what the number is for, then the number; for a
   * link, the service's name first. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value_label),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, text_label, NULL,
                                  -1);
  if (name_label != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (name_label),
                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, value_label, text_label,
                                    NULL, -1);
  gtk_box_append (self->list, box);
  g_hash_table_add (self->shown, g_strdup (value));
}

/* Adds @region's numbers and links of @kind not yet shown, at most
 * @limit of them (0: all). */
static guint
add_kind (HavenEmergencyNumbers *self,
          HavenEmergencyRegion  *region,
          const char            *kind,
          guint                  limit)
{
  guint added = 0;

  for (guint i = 0; i < haven_emergency_region_get_n_numbers (region); i++)
    {
      const char *value = haven_emergency_region_get_number_value (region, i);

      if ((limit > 0 && added >= limit) ||
          g_strcmp0 (haven_emergency_region_get_number_kind (region, i), kind) != 0 ||
          g_hash_table_contains (self->shown, value))
        continue;

      add_entry (self, NULL, value, haven_emergency_region_get_number_label (region, i),
                 "emergency-number-value");
      added++;
    }

  for (guint i = 0; i < haven_emergency_region_get_n_links (region); i++)
    {
      const char *url = haven_emergency_region_get_link_url (region, i);

      if ((limit > 0 && added >= limit) ||
          g_strcmp0 (haven_emergency_region_get_link_kind (region, i), kind) != 0 ||
          g_hash_table_contains (self->shown, url))
        continue;

      add_entry (self, haven_emergency_region_get_link_name (region, i), url,
                 haven_emergency_region_get_link_label (region, i), "emergency-link-value");
      added++;
    }

  return added;
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
haven_emergency_numbers_add (HavenEmergencyNumbers *self,
                             HavenEmergencyRegion  *region,
                             const char * const    *kinds)
{
  guint added = 0;

  g_return_val_if_fail (HAVEN_IS_EMERGENCY_NUMBERS (self), 0);
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (region), 0);

  for (gsize k = 0; kinds[k] != NULL; k++)
    added += add_kind (self, region, kinds[k], 0);

  return added;
}

/**
 * haven_emergency_numbers_add_first:
 * @kind: a kind of number or link, such as "emergency"
 *
 * Adds the first of @region's numbers (or else links) of @kind, unless it
 * is shown already.
 *
 * Returns: whether one was added
 */
gboolean
haven_emergency_numbers_add_first (HavenEmergencyNumbers *self,
                                   HavenEmergencyRegion  *region,
                                   const char            *kind)
{
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_NUMBERS (self), FALSE);
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (region), FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  return add_kind (self, region, kind, 1) > 0;
}

/**
 * haven_emergency_numbers_leave_out:
 * @other: numbers shown elsewhere on the same page
 *
 * Leaves out of this list the numbers and addresses @other shows.
 */
void
haven_emergency_numbers_leave_out (HavenEmergencyNumbers *self,
                                   HavenEmergencyNumbers *other)
{
  GHashTableIter iter;
  const char *value;

  g_return_if_fail (HAVEN_IS_EMERGENCY_NUMBERS (self));
  g_return_if_fail (HAVEN_IS_EMERGENCY_NUMBERS (other));

  g_hash_table_iter_init (&iter, other->shown);
  while (g_hash_table_iter_next (&iter, (gpointer *) &value, NULL))
    g_hash_table_add (self->shown, g_strdup (value));
}

/**
 * haven_emergency_numbers_set_side_by_side:
 *
 * Shows the entries side by side, in columns of the same width, rather
 * than one beneath the other.
 */
void
haven_emergency_numbers_set_side_by_side (HavenEmergencyNumbers *self,
                                          gboolean               side_by_side)
{
  g_return_if_fail (HAVEN_IS_EMERGENCY_NUMBERS (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->list),
                                  side_by_side ? GTK_ORIENTATION_HORIZONTAL
                                               : GTK_ORIENTATION_VERTICAL);
  gtk_box_set_homogeneous (self->list, side_by_side);
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

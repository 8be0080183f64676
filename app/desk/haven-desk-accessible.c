/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-desk-accessible.h"

/* What the desk adds to its toolkit's accessibility. */

static GtkWidget *
find_button (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      /* The row's apply button is there too, hidden. */
      if (!gtk_widget_get_visible (child))
        continue;
      if (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (child)) == GTK_ACCESSIBLE_ROLE_BUTTON)
        return child;
      found = find_button (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * haven_desk_accessible_name_peek_button:
 * @row: a password row
 *
 * libadwaita 1.2 gives the button that shows or hides a password row's
 * text no accessible name, and GTK 4.8 then names it after its icon: a
 * screen reader says "GtkImage". This names it (until the button's icon
 * changes, when the row's text is first shown).
 */
void
haven_desk_accessible_name_peek_button (AdwPasswordEntryRow *row)
{
  GtkWidget *button;

  g_return_if_fail (ADW_IS_PASSWORD_ENTRY_ROW (row));

  button = find_button (GTK_WIDGET (row));
  if (button == NULL)
    return;
  /* GtkButton says its icon labels it, and that relation wins over a label. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Show or hide the text"), -1);
}

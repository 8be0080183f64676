/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_CHOICE (haven_choice_get_type ())

G_DECLARE_FINAL_TYPE (HavenChoice, haven_choice, HAVEN, CHOICE, GtkToggleButton)

GtkWidget *haven_choice_new (GtkAccessibleRole role);

G_END_DECLS
